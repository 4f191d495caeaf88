"""Translator files -> validated, three-way merged catalogs. A bad file never damages a catalog."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

from ..catalog.catalogs import (
    entry_key,
    has_text,
    is_fuzzy,
    is_translated,
    msgfmt_problems,
    msgstr_values,
    parse_catalog,
    po_bytes,
    read_catalog,
)
from ..catalog.checks import CONTENT_CHECKS, check_entry, context_for
from ..catalog.review import NEEDS_REVIEW, is_reviewed, mark_needs_review, mark_reviewed, needs_review_note
from ..catalog.update import LOCALE_ID
from ..core.errors import InputRefused
from ..core.files import decode_text
from ..core.layout import Project
from ..core.storage import locked, write_atomic
from . import xliff
from .snapshots import export_id_of, read_snapshot

MO_MAGIC = (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")


@dataclass
class MergeReport:
    file: str
    locale: str
    catalog: str
    mode: str  # "three-way" (file has an export id with a snapshot) or "two-way"
    merged: list[dict] = field(default_factory=list)  # {msgid, msgctxt, line}: translations taken
    reviewed: list[dict] = field(default_factory=list)  # entries a reviewer confirmed (merge --review)
    carried: list[dict] = field(default_factory=list)  # work on a sentence that changed, kept as a suggestion
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)  # {msgid, line, problems}: one per entry
    conflicts: list[dict] = field(default_factory=list)
    stale: list[dict] = field(default_factory=list)  # changed by the translator, sentence gone, nothing similar
    english: list[dict] = field(default_factory=list)  # came back as the English source: untranslated, not merged
    contexts: list[dict] = field(default_factory=list)  # one text came back for an msgid the catalog gives two
    left_unreviewed: int = 0  # merge --review: returned unchanged, note kept: the reviewer did not confirm them
    notes: list[str] = field(default_factory=list)
    source_copies: int = 0  # XLIFF units whose target was still the English source: not translated
    written: bool = False

    @property
    def clean(self) -> bool:
        return not self.rejected and not self.conflicts and not self.stale and not self.contexts

    def as_dict(self) -> dict[str, object]:
        data = dict(self.__dict__)
        data["rejected"] = [dict(r, problems=[i.as_dict() for i in r["problems"]]) for r in self.rejected]
        data["conflicts"] = [dict(c, problems=[i.as_dict() for i in c["problems"]]) for c in self.conflicts]
        return data


def decode_po(data: bytes, rel: str) -> str:
    """UTF-8 with or without BOM, any line endings; anything else is refused with the line."""
    if data[:4] in MO_MAGIC:
        raise InputRefused("this is a compiled .mo file; send the .po file instead", path=rel)
    if b"\x00" in data[:4096]:
        raise InputRefused("this is a binary file, not a PO file", path=rel)
    return decode_text(data, rel, "save the file as UTF-8 (Poedit: Catalog > Properties)")


def syntax_check(text: str, rel: str) -> None:
    """GNU msgfmt as the judge of PO syntax (duplicates included), reported with the file's line."""
    problems = msgfmt_problems(rel, text=text, check=False)
    if problems:
        first = problems[0]
        raise InputRefused(f"not a valid PO file: {first.message}", path=rel, line=first.line or None)


def parse_returned(path: Path, rel: str) -> polib.POFile:
    if not path.is_file():
        raise InputRefused("file not found", path=rel)
    if path.suffix.lower() in xliff.SUFFIXES:
        return xliff.xliff_to_catalog(path.read_bytes(), rel)
    text = decode_po(path.read_bytes(), rel)
    if not re.search(r'^msgid\s+"', text, re.MULTILINE):
        raise InputRefused("not a PO file: no msgid entries", path=rel)
    syntax_check(text, rel)
    returned = parse_catalog(text.encode("utf-8"), rel)  # as GNU gettext reads it
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


def is_source_copy(entry: polib.POEntry) -> bool:
    """The returned text is the English source itself (what a CAT tool leaves in a segment it did not fill)."""
    if entry.msgid_plural:
        values = msgstr_values(entry)
        return bool(values) and all(v in (entry.msgid, entry.msgid_plural) for v in values)
    return entry.msgstr == entry.msgid


def _left_in_english(entry: polib.POEntry, sent: polib.POEntry | None, target: polib.POEntry) -> bool:
    """A returned copy of the source is the tool's placeholder, not a translation: three-way, when what was
    sent differed from it (even an empty text); two-way, when the catalog has another translation."""
    if sent is not None:
        return msgstr_values(sent) != msgstr_values(entry)
    return has_text(target) and msgstr_values(target) != msgstr_values(entry)


def _ref(entry: polib.POEntry, **extra) -> dict:
    return {"msgid": entry.msgid, "msgctxt": entry.msgctxt, "line": entry.linenum or 0, **extra}


@dataclass
class MergeOptions:
    prefer_returned: bool = False  # a trusted reviewer's revisions win over later catalog changes (still checked)
    review_day: dt.date | None = None  # merge --review: confirmed entries are marked reviewed on this day
    machine: bool = False  # the returned translations were machine-made: mark them for review
    # merge --review --confirm-all: every translation the file holds unchanged is confirmed too, not only those
    # the reviewer changed or whose (review) note they removed
    confirm_all: bool = False


def _successor(entry: polib.POEntry, current: polib.POFile, active: dict) -> polib.POEntry | None:
    """The entry that replaced a sentence which changed since export: the one update marked with this
    previous msgid, else the closest new sentence that nobody translated yet."""
    for candidate in current:
        if not candidate.obsolete and candidate.previous_msgid == entry.msgid and \
                candidate.previous_msgctxt == entry.msgctxt:
            return candidate
    from ..catalog.update import FuzzyIndex

    pool = [e for e in active.values() if e.msgctxt == entry.msgctxt and not is_translated(e)]
    return FuzzyIndex(pool).best(entry.msgid) if pool else None


def merge_entries(current: polib.POFile, returned: polib.POFile, base: polib.POFile | None,
                  validate, report: MergeReport, options: MergeOptions | None = None) -> bool:
    """Merge `returned` into `current` in place; True when something changed."""
    options = options or MergeOptions()
    active = {entry_key(e): e for e in current if not e.obsolete}
    base_entries = {entry_key(e): e for e in base} if base is not None else {}
    collapsed = _collapsed_contexts(returned, {key: msgstr_values(e) for key, e in active.items()}, report)
    changed = False
    for entry in returned:
        if entry.obsolete or not entry.msgid:
            continue
        key = entry_key(entry)
        target = active.get(key)
        sent = base_entries.get(key)
        touched = has_text(entry) and (sent is None or _state(sent) != _state(entry))  # the translator's work
        if target is None:
            if touched:
                changed |= _carry(entry, current, active, validate, report, options)
            continue
        if not has_text(entry):
            report.unchanged += 1  # nothing came back: never a confirmation, not even with --review
            continue
        if _state(entry) == _state(target):
            report.unchanged += 1
            if options.review_day and is_translated(target) and not is_reviewed(target) and not is_fuzzy(entry):
                # a package holds every entry: an untouched one was not necessarily read. The reviewer
                # confirms a text as it is by removing its "(review)" note (or everything, by --confirm-all)
                if options.confirm_all or (needs_review_note(target) and not needs_review_note(entry)):
                    mark_reviewed(target, options.review_day)
                    report.reviewed.append(_ref(entry))
                    changed = True
                else:
                    report.left_unreviewed += 1
            continue
        if not touched:
            report.unchanged += 1  # the translator did not touch it
            continue
        if key in collapsed:
            continue  # one text for several contexts: reported, the catalog keeps its own per context
        if is_source_copy(entry) and _left_in_english(entry, sent, target):
            report.english.append(_ref(entry))  # the English source came back: untranslated, never merged
            continue
        same_text = msgstr_values(entry) == msgstr_values(target)
        if base is not None and sent is not None:
            catalog_moved = _state(sent) != _state(target)
        else:  # two-way: never overwrite a good translation we cannot compare against what was sent
            catalog_moved = is_translated(target)
        problems = _errors(validate, target, entry)
        if catalog_moved and not same_text and not options.prefer_returned:
            report.conflicts.append(_ref(entry, catalog=_shown(target), returned=_shown(entry), problems=problems))
            continue
        if problems:
            report.rejected.append(_ref(entry, problems=problems))
            continue
        _apply(target, entry)
        report.merged.append(_ref(entry))
        if options.machine:
            mark_needs_review(target, f"{NEEDS_REVIEW} machine translation, not yet reviewed by a native speaker")
        elif options.review_day and not is_fuzzy(target):
            mark_reviewed(target, options.review_day)
            report.reviewed.append(_ref(entry))
        else:
            mark_needs_review(target, f"{NEEDS_REVIEW} new translation, not yet reviewed by a native speaker")
        changed = True
    return changed


def _collapsed_contexts(returned: polib.POFile, before: dict, report: MergeReport) -> set:
    """Entries that share an msgid but not a context came back with one text where the catalog had two:
    a tool that ignores msgctxt (OmegaT with a memory) may have given one context the other's wording.
    Reported as a warning; their keys are returned so that they are not merged."""
    keys: set = set()
    groups: dict[str, list[polib.POEntry]] = {}
    for entry in returned:
        if not entry.obsolete and entry.msgid and has_text(entry) and entry_key(entry) in before:
            groups.setdefault(entry.msgid, []).append(entry)
    for msgid, entries in groups.items():
        texts = {msgstr_values(e) for e in entries}
        kept = {before[entry_key(e)] for e in entries if any(before[entry_key(e)])}
        if len(entries) > 1 and len(texts) == 1 and len(kept) > 1:
            report.contexts.append(_ref(entries[0], contexts=[e.msgctxt for e in entries],
                                        returned=_shown(entries[0])))
            keys.update(entry_key(e) for e in entries)
    return keys


def _shown(entry: polib.POEntry) -> str:
    """An entry's translation for a report line (plural forms joined)."""
    return " | ".join(msgstr_values(entry))


def _errors(validate, target: polib.POEntry, entry: polib.POEntry) -> list:
    """The check errors of `entry`'s translation put on `target` (its msgid, comments and flags)."""
    candidate = polib.POEntry(msgid=target.msgid, msgctxt=target.msgctxt, msgid_plural=target.msgid_plural,
                              msgstr=entry.msgstr, msgstr_plural=dict(entry.msgstr_plural),
                              comment=target.comment, flags=list(target.flags))
    candidate.linenum = entry.linenum
    return [i for i in validate(candidate) if i.severity == "error"]


def _apply(target: polib.POEntry, entry: polib.POEntry) -> None:
    if target.msgid_plural:
        target.msgstr_plural = dict(entry.msgstr_plural)
    else:
        target.msgstr = entry.msgstr
    if is_fuzzy(entry):
        if not is_fuzzy(target):
            target.flags.append("fuzzy")
    elif is_fuzzy(target):
        target.flags.remove("fuzzy")
        target.previous_msgid = target.previous_msgctxt = target.previous_msgid_plural = None


def _carry(entry: polib.POEntry, current: polib.POFile, active: dict, validate, report: MergeReport,
           options: MergeOptions) -> bool:
    """The English changed after export: keep the translator's work on the new sentence as a fuzzy
    suggestion with the old English in `#|`, so the next translator sees it; never drop it silently."""
    successor = _successor(entry, current, active)
    if successor is None:
        report.stale.append(_ref(entry, returned=_shown(entry)))
        return False
    if is_translated(successor) and not options.prefer_returned:
        report.conflicts.append(_ref(entry, catalog=_shown(successor), returned=_shown(entry), problems=[],
                                     now=successor.msgid))
        return False
    problems = _errors(validate, successor, entry)
    if problems:
        report.rejected.append(_ref(entry, problems=problems))
        return False
    _apply(successor, entry)
    if not is_fuzzy(successor):
        successor.flags.append("fuzzy")
    successor.previous_msgid, successor.previous_msgctxt = entry.msgid, entry.msgctxt
    report.carried.append(_ref(entry, now=successor.msgid, catalog_line=successor.linenum or 0))
    return True


PROVENANCE_HEADERS = ("Last-Translator", "PO-Revision-Date", "Language-Team")


def merge_file(project: Project, path: Path, *, locale: str | None = None, dry_run: bool = False,
               options: MergeOptions | None = None) -> MergeReport:
    """Merge one returned file (PO, or XLIFF from a CAT tool) into its language's catalog."""
    rel = project.rel(path)
    returned = parse_returned(path, rel)
    locale = resolve_locale(project, returned, locale, rel)
    catalog_path = project.catalog(locale)
    export_id = export_id_of(returned, rel)
    base = read_snapshot(project, locale, export_id) if export_id else None
    report = MergeReport(rel, locale, project.rel(catalog_path), "three-way" if base is not None else "two-way")
    report.source_copies = getattr(returned, "source_copies", 0)
    if export_id and base is None:
        report.notes.append(
            f"the snapshot of export {export_id} is not in {project.rel(project.snapshot(locale, export_id).parent)}/ "
            f"(was it committed?): merging two-way, so where the catalog already has a different translation, the "
            f"catalog's is kept and reported as a conflict; --prefer-returned lets this file's translations win")
    with locked(project.locales):
        current = read_catalog(catalog_path, project.rel(catalog_path), rewrite=True)
        ctx = context_for(project, locale, current)
        changed = merge_entries(current, returned, base,
                                lambda entry: check_entry(entry, ctx, rel, CONTENT_CHECKS), report, options)
        if changed and report.merged:
            for header in PROVENANCE_HEADERS:  # who translated, and when: as the translator's tool wrote it
                if returned.metadata.get(header, "").strip():
                    current.metadata[header] = returned.metadata[header].strip()
        if changed and not dry_run:
            report.written = write_atomic(catalog_path, po_bytes(current))
    return report
