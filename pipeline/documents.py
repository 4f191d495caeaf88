"""Markdown source documents: front matter and body."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .errors import InputRefused
from .layout import Project
from .models import Document

FENCE = "---"
TRANSLATABLE_META = ("title", "description")


def read_text(path: Path, rel: str) -> str:
    """Read a UTF-8 text file, normalising line endings; refuse anything else with a clear message."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputRefused(f"cannot read file: {exc.strerror}", path=rel) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputRefused("not valid UTF-8 text; save the file as UTF-8", path=rel, line=line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    for key in TRANSLATABLE_META:
        if key in meta and not isinstance(meta[key], str):
            raise InputRefused(f"front matter '{key}' must be text", path=rel, line=meta_line(lines[: end + 1], key))
    return meta, lines[: end + 1], "\n".join(lines[end + 1 :]), end + 2


def meta_line(front_lines: list[str], key: str) -> int:
    """1-based line of `key:` in the front matter."""
    for number, line in enumerate(front_lines, start=1):
        if line.startswith(f"{key}:"):
            return number
    return 1


def load_document(project: Project, path: Path) -> Document:
    rel = project.rel(path)
    meta, front, body, body_line = split_front_matter(read_text(path, rel), rel)
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
