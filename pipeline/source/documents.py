"""Markdown source documents: front matter and body."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from ..core.errors import InputRefused
from ..core.files import read_text
from ..core.layout import Project
from ..core.models import Document, Issue

FENCE = "---"
_URL = r"(?:[A-Za-z][A-Za-z0-9+.-]*:|//)[^\s)\"'>]*"
_REMOTE_RESOURCE = re.compile(
    rf"!\[[^\]]*\]\(\s*<?(?P<url>{_URL})"  # ![alt](https://...)
    rf"|<(?:img|iframe|frame|script|link|object|embed|video|audio|source|track|input|image|use)\b[^>]*?"
    rf"\b(?:src|href|srcset|data|poster|xlink:href)\s*=\s*[\"']?(?P<html_url>{_URL})"  # raw HTML
    rf"|^\s*\[[^\]]+\]:\s*<?(?P<ref_url>{_URL})",  # a link reference definition: refused if an image uses it
    re.I)
_STYLE = re.compile(r"<style\b|\bstyle\s*=", re.I)
_IMAGE_REF = re.compile(r"!\[[^\]]*\]\[([^\]]*)\]")
_DEFINITION = re.compile(r"^\s*\[([^\]]+)\]:")
TRANSLATABLE_META = ("title", "description")
META_KEYS = {"title", "description", "order", "site"}


def split_front_matter(text: str, rel: str) -> tuple[dict, list[str], str, int]:
    """Return (meta, front-matter lines, body, 1-based line of the body)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        return {}, [], text, 1
    for end in range(1, len(lines)):
        if lines[end].strip() == FENCE:
            break
    else:
        raise InputRefused("front matter opened with '---' is never closed", path=rel, line=1)
    raw = "\n".join(lines[1:end])
    try:
        meta = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        reason = getattr(exc, "problem", None) or "invalid YAML"
        raise InputRefused(f"front matter: {reason}", path=rel, line=line) from None
    if not isinstance(meta, dict):
        raise InputRefused("front matter must be 'key: value' lines", path=rel, line=2)
    return meta, lines[: end + 1], "\n".join(lines[end + 1 :]), end + 2


def meta_line(front_lines: list[str], key: str) -> int:
    """1-based line of `key:` in the front matter."""
    for number, line in enumerate(front_lines, start=1):
        if line.startswith(f"{key}:"):
            return number
    return 1


def _meta_problems(meta: dict, rel: str, front: list[str]) -> list[Issue]:
    """Front matter values of the wrong kind, all of them (a typo must not crash extract or build)."""
    problems = []

    def wrong(key: str, message: str) -> None:
        problems.append(Issue(rel, meta_line(front, key), "error", "front-matter", message))

    for key in meta:
        if not isinstance(key, str) or key not in META_KEYS:
            wrong(str(key), f"unknown key '{key}' (known: {', '.join(sorted(META_KEYS))})")
    for key in TRANSLATABLE_META:
        if key in meta and not isinstance(meta[key], str):
            wrong(key, f"'{key}' must be text")
    if "order" in meta and (isinstance(meta["order"], bool) or not isinstance(meta["order"], int)):
        wrong("order", f"'order' must be a whole number (the position in the navigation), got '{meta['order']}'")
    if "site" in meta and not isinstance(meta["site"], bool):
        wrong("site", f"'site' must be true or false, got '{meta['site']}'")
    return problems


def remote_resources(body: str, rel: str, first_line: int) -> list[Issue]:
    """Images, frames, stylesheets or media that a page would load from another site: each one would tell
    that site who reads the page, so they are refused (the CSP would only turn them into broken images)."""
    problems = []
    image_refs = {label.lower() for label in _IMAGE_REF.findall(body)}
    for offset, line in enumerate(body.split("\n")):
        for match in _REMOTE_RESOURCE.finditer(line):
            url = match.group("url") or match.group("html_url")
            if match.group("ref_url") is not None:
                label = _DEFINITION.match(line).group(1).lower()
                if label not in image_refs:
                    continue  # an ordinary link to another site is fine
                url = match.group("ref_url")
            problems.append(Issue(rel, first_line + offset, "error", "remote-resource",
                                  f"'{url}' would be loaded from another site; put the file under "
                                  f"source_content/ and refer to it by its path"))
        if _STYLE.search(line):
            problems.append(Issue(rel, first_line + offset, "error", "remote-resource",
                                  "inline styles can load from other sites; style pages in the templates' CSS"))
    return problems


def load_document(project: Project, path: Path) -> Document:
    rel = project.rel(path)
    meta, front, body, body_line = split_front_matter(read_text(path, rel), rel)
    problems = _meta_problems(meta, rel, front) + remote_resources(body, rel, body_line)
    if problems:
        raise InputRefused.collected(problems, "document")
    lines = {key: meta_line(front, key) for key in meta}
    return Document(name=path.stem, path=rel, meta=meta, body=body, body_line=body_line,
                    front="\n".join(front), meta_lines=lines)


def load_documents(project: Project) -> list[Document]:
    docs = [load_document(project, p) for p in project.documents()]
    return sorted(docs, key=lambda d: (d.order, d.name))


def render_front_matter(front: str, translated: dict[str, str]) -> str:
    """The front matter with translated values for title/description (JSON strings are valid YAML)."""
    lines = front.split("\n")
    if not lines or lines[0].strip() != FENCE:
        return front
    out = []
    in_front = True
    for number, line in enumerate(lines):
        if number > 0 and in_front and line.strip() == FENCE:
            in_front = False
        elif number > 0 and in_front:
            key = line.split(":", 1)[0]
            if key in translated and ":" in line:
                line = f"{key}: {json.dumps(translated[key], ensure_ascii=False)}"
        out.append(line)
    return "\n".join(out)
