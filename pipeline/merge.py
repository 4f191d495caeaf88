"""Translator files -> validated, three-way merged catalogs. A bad file never damages a catalog."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

from .catalogs import (
    entry_key,
    has_text,
    is_fuzzy,
    is_translated,
    msgfmt_problems,
    msgstr_values,
    po_bytes,
    read_catalog,
)
from .checks import CONTENT_CHECKS, check_entry, context_for
from .errors import InputRefused
from .layout import Project
from .models import Issue
from .snapshots import export_id_of, read_snapshot
from .storage import locked, write_atomic
from .update import LOCALE_ID

MO_MAGIC = (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")


@dataclass
class MergeReport:
    file: str
    locale: str
    catalog: str
    mode: str  # "three-way" (file has an export id with a snapshot) or "two-way"
    merged: list[str] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Issue] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def clean(self) -> bool:
        return not self.rejected and not self.conflicts

    def as_dict(self) -> dict[str, object]:
        data = dict(self.__dict__)
        data["rejected"] = [i.as_dict() for i in self.rejected]
        return data


def decode_po(data: bytes, rel: str) -> str:
    """UTF-8 with or without BOM, any line endings; anything else is refused with the line."""
    if data[:4] in MO_MAGIC:
        raise InputRefused("this is a compiled .mo file; send the .po file instead", path=rel)
    if b"\x00" in data[:4096]:
        raise InputRefused("this is a binary file, not a PO file", path=rel)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputRefused("not UTF-8 text; save the file as UTF-8 (Poedit: Catalog > Properties)",
                           path=rel, line=line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def syntax_check(text: str, rel: str) -> None:
    """GNU msgfmt as the judge of PO syntax (duplicates included), reported with the file's line."""
    problems = msgfmt_problems(rel, text=text, check=False)
    if problems:
        first = problems[0]
        raise InputRefused(f"not a valid PO file: {first.message}", path=rel, line=first.line or None)


def parse_returned(path: Path, rel: str) -> polib.POFile:
    if not path.is_file():
        raise InputRefused("file not found", path=rel)
    text = decode_po(path.read_bytes(), rel)
    if not re.search(r'^msgid\s+"', text, re.MULTILINE):
        raise InputRefused("not a PO file: no msgid entries", path=rel)
    syntax_check(text, rel)
    try:
        returned = polib.pofile(text, wrapwidth=0)
    except (OSError, ValueError) as exc:
        raise InputRefused(f"not a valid PO file: {exc}", path=rel) from None
    charset = re.search(r"charset=([\w-]+)", returned.metadata.get("Content-Type", ""))
    if charset and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8", "charset"):
        raise InputRefused(f"the file declares charset {charset.group(1)}; only UTF-8 is accepted", path=rel)
    return returned


def resolve_locale(project: Project, returned: polib.POFile, wanted: str | None, rel: str) -> str:
    header = returned.metadata.get("Language", "").strip().replace("-", "_")
    if wanted and header and header != wanted:
        raise InputRefused(f"the file is for language '{header}', not '{wanted}'", path=rel)
    locale = wanted or header
    if not locale:
        raise InputRefused("the file has no Language header; name the language with --locale", path=rel)
    if not LOCALE_ID.match(locale):
        raise InputRefused(f"'{locale[:40]}' is not a language code", path=rel)
    if locale not in project.catalog_locales():
        raise InputRefused(f"there is no catalog for language '{locale}' in this project", path=rel)
    return locale


def _state(entry: polib.POEntry) -> tuple:
    return msgstr_values(entry), is_fuzzy(entry)


def merge_entries(current: polib.POFile, returned: polib.POFile, base: polib.POFile | None,
                  validate, report: MergeReport) -> bool:
    """Merge `returned` into `current` in place; True when something changed."""
    active = {entry_key(e): e for e in current if not e.obsolete}
    base_entries = {entry_key(e): e for e in base} if base is not None else {}
    changed = False
    for entry in returned:
        if entry.obsolete or not entry.msgid:
            continue
        key = entry_key(entry)
        target = active.get(key)
        if target is None:
            report.stale.append(entry.msgid)
            continue
        if not has_text(entry) or _state(entry) == _state(target):
            report.unchanged += 1
            continue
        sent = base_entries.get(key)
        if base is not None and sent is not None and _state(sent) == _state(entry):
            report.unchanged += 1  # the translator did not touch it
            continue
        if base is not None and sent is not None:
            catalog_moved = _state(sent) != _state(target)
        else:  # two-way: never overwrite a good translation we cannot compare against what was sent
            catalog_moved = is_translated(target)
        if catalog_moved:
            report.conflicts.append({"msgid": entry.msgid, "msgctxt": entry.msgctxt, "line": entry.linenum,
                                     "catalog": " | ".join(msgstr_values(target)),
                                     "returned": " | ".join(msgstr_values(entry))})
            continue
        candidate = polib.POEntry(msgid=target.msgid, msgctxt=target.msgctxt, msgid_plural=target.msgid_plural,
                                  msgstr=entry.msgstr, msgstr_plural=dict(entry.msgstr_plural),
                                  comment=target.comment, flags=list(target.flags))
        candidate.linenum = entry.linenum
        problems = [i for i in validate(candidate) if i.severity == "error"]
        if problems:
            report.rejected.extend(problems)
            continue
        if target.msgid_plural:
            target.msgstr_plural = dict(entry.msgstr_plural)
        else:
            target.msgstr = entry.msgstr
        if "fuzzy" in entry.flags:
            if "fuzzy" not in target.flags:
                target.flags.append("fuzzy")
        elif "fuzzy" in target.flags:
            target.flags.remove("fuzzy")
            target.previous_msgid = target.previous_msgctxt = target.previous_msgid_plural = None
        report.merged.append(entry.msgid)
        changed = True
    return changed


def merge_file(project: Project, path: Path, *, locale: str | None = None, dry_run: bool = False) -> MergeReport:
    rel = project.rel(path)
    returned = parse_returned(path, rel)
    locale = resolve_locale(project, returned, locale, rel)
    catalog_path = project.catalog(locale)
    export_id = export_id_of(returned, rel)
    base = read_snapshot(project, locale, export_id) if export_id else None
    report = MergeReport(rel, locale, project.rel(catalog_path), "three-way" if base is not None else "two-way")
    with locked(project.locales):
        current = read_catalog(catalog_path, project.rel(catalog_path), rewrite=True)
        ctx = context_for(project, locale, current)
        changed = merge_entries(current, returned, base,
                                lambda entry: check_entry(entry, ctx, rel, CONTENT_CHECKS), report)
        if changed and not dry_run:
            report.written = write_atomic(catalog_path, po_bytes(current))
    return report
