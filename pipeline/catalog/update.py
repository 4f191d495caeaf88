"""Keeping catalogs in line with the template: `init` a catalog, `update` every catalog (fuzzy suggestions
through a word index, `#|` previous msgids, obsolete entries kept and revived)."""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel import Locale, UnknownLocaleError
from babel.messages.plurals import get_plural

from ..core.clock import build_date, po_date
from ..core.constants import LOCALE_ID
from ..core.errors import InputRefused
from ..core.layout import Project
from ..core.storage import locked, write_atomic
from . import po_io
from .catalogs import (
    entry_key,
    has_text,
    is_fuzzy,
    new_catalog,
    nplurals,
    plural_forms,
    po_bytes,
    read_catalog,
)
from .po_io import carry_text

FUZZY_THRESHOLD = 0.6  # the similarity msgmerge uses


def validate_locale(locale: str) -> Locale:
    """A locale identifier we can make a catalog for, e.g. `fr`, `pt_BR`, `zh_Hans`."""
    if not LOCALE_ID.match(locale):
        raise InputRefused(f"'{locale}' is not a locale identifier like fr, pt_BR or zh_Hans")
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        raise InputRefused(f"'{locale}' is not a locale Babel knows") from None


def init_catalog(project: Project, locale: str) -> Path:
    """Create locales/<locale>/LC_MESSAGES/messages.po from the POT, with Language and Plural-Forms."""
    parsed = validate_locale(locale)
    target = project.catalog(locale)
    if not target.resolve().is_relative_to(project.locales.resolve()):
        raise InputRefused(f"refusing to write outside {project.rel(project.locales)}: {target}")
    if target.exists():
        raise InputRefused("catalog already exists; run `awareness update` to bring it up to date",
                           path=project.rel(target))
    template = read_catalog(project.pot, project.rel(project.pot)) if project.pot.exists() else None
    if template is None:
        raise InputRefused("no template yet; run `awareness extract` first", path=project.rel(project.pot))
    forms = get_plural(locale).num_plurals
    metadata = {
        "Project-Id-Version": template.metadata.get("Project-Id-Version", "awareness-pipeline content"),
        "Report-Msgid-Bugs-To": template.metadata.get("Report-Msgid-Bugs-To", ""),
        "POT-Creation-Date": template.metadata.get("POT-Creation-Date", ""),
        "PO-Revision-Date": po_date(build_date()),
        "Last-Translator": "",
        "Language-Team": f"{parsed.english_name}",
        "Language": locale,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(locale),
    }
    catalog = new_catalog(metadata, f"{parsed.english_name} translations of the awareness-pipeline content.")
    for source in template:
        catalog.append(_fresh_entry(source, forms))
    with locked(project.locales):
        write_atomic(target, po_bytes(catalog))
    return target


def _fresh_entry(source: polib.POEntry, forms: int) -> polib.POEntry:
    entry = polib.POEntry(msgid=source.msgid, msgctxt=source.msgctxt, occurrences=list(source.occurrences),
                          comment=source.comment, flags=[f for f in source.flags if f != "fuzzy"])
    if source.msgid_plural:
        entry.msgid_plural = source.msgid_plural
        entry.msgstr_plural = {i: "" for i in range(forms)}
    return entry


# --- update ------------------------------------------------------------------------------------

def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 2}


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


class FuzzyIndex:
    """Finds the closest old message by indexing words, instead of comparing all pairs.

    Candidates share rare words with the new message; the best is chosen by a similarity ratio over
    word tokens (msgmerge compares characters of every pair, which is what makes it slow).
    """

    def __init__(self, entries: list[polib.POEntry]):
        self.entries = entries
        self.tokens = [_tokens(e.msgid) for e in entries]
        postings: dict[str, list[int]] = defaultdict(list)
        for number, entry in enumerate(entries):
            for word in _words(entry.msgid):
                postings[word].append(number)
        # words found in a large share of messages say nothing about similarity
        limit = max(50, len(entries) // 10)
        self.postings = {w: ids for w, ids in postings.items() if len(ids) <= limit}

    def best(self, msgid: str) -> polib.POEntry | None:
        shared: Counter[int] = Counter()
        for word in _words(msgid):
            shared.update(self.postings.get(word, ()))
        if not shared:
            return None
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(_tokens(msgid))  # the new message is indexed once, candidates vary
        best_ratio, best_entry = FUZZY_THRESHOLD, None
        for number, _count in shared.most_common(10):
            matcher.set_seq1(self.tokens[number])
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio or (ratio == best_ratio and best_entry is None):
                best_ratio, best_entry = ratio, self.entries[number]
        return best_entry


@dataclass
class UpdateReport:
    locale: str
    path: str
    new: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    obsolete: list[str] = field(default_factory=list)
    revived: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # header values we own that update set right
    changed: bool = False  # the bytes `update` writes differ from the file's
    formatting_only: bool = False  # ... but every entry and header value is the same: wrapping, order, tools
    checking: bool = False  # `update --check`: nothing is written

    @property
    def out_of_date(self) -> bool:
        """The content differs from what `update` would write (a formatting difference does not count)."""
        return self.changed and not self.formatting_only

    def summary(self) -> str:
        if self.formatting_only:
            if self.checking:
                return (f"{self.locale}: formatting only: `awareness update` rewrites it in msgcat's form "
                        f"(wrapping, header order or a tool's headers); its content is up to date")
            return f"{self.locale}: rewritten in msgcat's form (formatting only; the content was up to date)"
        state = "updated" if self.changed else "up to date"
        headers = f"; header {', '.join(self.headers)}" if self.headers else ""
        return (f"{self.locale}: {state}: {len(self.new)} new, {len(self.fuzzy)} fuzzy, "
                f"{len(self.obsolete)} obsolete, {len(self.revived)} revived{headers}")

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def owned_headers(template: polib.POFile, locale: str) -> dict[str, str]:
    """The header values `update` decides (the rest, like Last-Translator, Language-Team, Plural-Forms and a
    tool's X-Generator, belong to the translators and their tools, and are kept as they are)."""
    owned = {key: template.metadata[key] for key in ("Project-Id-Version", "Report-Msgid-Bugs-To",
                                                     "POT-Creation-Date") if key in template.metadata}
    if locale:
        owned["Language"] = locale
    owned.update({"MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                  "Content-Transfer-Encoding": "8bit"})
    return {key: " ".join(value.split()) for key, value in owned.items()}


def merge_template(catalog: polib.POFile, template: polib.POFile, report: UpdateReport, *,
                   fuzzy: bool = True) -> polib.POFile:
    """A new catalog with the template's messages, the catalog's translations, and fuzzy suggestions."""
    forms = nplurals(catalog)
    active = {entry_key(e): e for e in catalog if not e.obsolete}
    obsolete = {entry_key(e): e for e in catalog if e.obsolete}
    wanted = {entry_key(e) for e in template}
    vanished = [e for k, e in active.items() if k not in wanted and has_text(e)]
    index: FuzzyIndex | None = None
    result = new_catalog(dict(catalog.metadata), catalog.header)
    for key, value in owned_headers(template, report.locale).items():
        old_value = " ".join(catalog.metadata.get(key, "").split())
        if old_value != value:
            if key != "POT-Creation-Date":  # a new POT date is the template's news, not the catalog's fault
                report.headers.append(f"{key}: '{old_value}' -> '{value}'")
            result.metadata[key] = value
    for source in template:
        key = entry_key(source)
        entry = _fresh_entry(source, forms)
        old = active.get(key)
        if old is None and key in obsolete:
            old = obsolete[key]
            report.revived.append(source.msgid)
        if old is not None:
            entry.msgstr, entry.msgstr_plural = old.msgstr, dict(old.msgstr_plural) or entry.msgstr_plural
            entry.tcomment = old.tcomment
            if is_fuzzy(old):
                entry.flags.append("fuzzy")
                entry.previous_msgid, entry.previous_msgctxt = old.previous_msgid, old.previous_msgctxt
            carry_text(entry, old)
        else:
            if index is None and fuzzy:
                index = FuzzyIndex(vanished + [e for e in obsolete.values() if has_text(e)])
            match = index.best(source.msgid) if index is not None else None
            if match is not None and not source.msgid_plural and not match.msgid_plural:
                entry.msgstr = match.msgstr
                entry.flags.append("fuzzy")
                entry.previous_msgid = match.msgid
                entry.previous_msgctxt = match.msgctxt
                report.fuzzy.append(source.msgid)
            else:
                report.new.append(source.msgid)
        result.append(entry)
    for old in vanished:
        report.obsolete.append(old.msgid)
        result.append(_obsolete(old))
    for key, old in obsolete.items():
        if key not in wanted:
            result.append(_obsolete(old))
            carry_text(result[-1], old)
    return result


def _obsolete(entry: polib.POEntry) -> polib.POEntry:
    kept = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgstr=entry.msgstr, obsolete=True,
                         tcomment=entry.tcomment, flags=[f for f in entry.flags if f == "fuzzy"])
    if entry.msgid_plural:
        kept.msgid_plural, kept.msgstr_plural = entry.msgid_plural, dict(entry.msgstr_plural)
    return kept


def _content(entry: polib.POEntry) -> tuple:
    """What an entry says, without how it is written: flag order and line wrapping do not count, nor how a
    comment is spread over `#.` or `#` lines (polib and platforms re-wrap them)."""
    return (bool(entry.obsolete), entry.msgctxt, entry.msgid, entry.msgid_plural or "", entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())), tuple(sorted(set(entry.flags))),
            " ".join((entry.comment or "").split()), " ".join((entry.tcomment or "").split()),
            tuple(tuple(o) for o in entry.occurrences), entry.previous_msgctxt,
            entry.previous_msgid, entry.previous_msgid_plural or None)


def same_content(old: polib.POFile, new: polib.POFile) -> bool:
    """Two catalogs with the same entries and the same header values (the order of entries and headers,
    the wrapping of lines and the layout of comments aside)."""
    if Counter(_content(e) for e in old) != Counter(_content(e) for e in new):
        return False
    values = {key: " ".join(value.split()) for key, value in old.metadata.items()}
    return values == {key: " ".join(value.split()) for key, value in new.metadata.items()} and \
        (old.header or "").strip() == (new.header or "").strip()


def sync_platform_glossaries(project: Project, *, write: bool = True) -> list[str]:
    """Bring `source_content/glossary/platform/` in line with the glossaries; the files that were (or, with
    write=False, would be) written or removed."""
    from .glossary import platform_folder, platform_glossaries

    wanted = platform_glossaries(project)
    folder = platform_folder(project)
    present = sorted(p for p in folder.glob("*") if p.suffix in (".tbx", ".csv")) if folder.is_dir() else []
    changed = []
    for path, data in wanted.items():
        if not path.is_file() or path.read_bytes() != data:
            changed.append(project.rel(path))
            if write:
                write_atomic(path, data)
    for path in present:
        if path not in wanted:
            changed.append(project.rel(path))
            if write:
                path.unlink()
    return changed


def update_catalogs(project: Project, locales: list[str] | None = None, *, write: bool = True,
                    fuzzy: bool = True) -> list[UpdateReport]:
    """Bring catalogs in line with the POT; with write=False only report what would change."""
    template = read_catalog(project.pot, project.rel(project.pot))
    available = project.catalog_locales()
    targets = locales or available
    for locale in targets:
        if locale not in available:
            raise InputRefused(f"no catalog for '{locale}' (have: {', '.join(available) or 'none'}); "
                               f"create it with `awareness init {locale}`")
    reports = []
    with locked(project.locales):
        for locale in targets:
            path = project.catalog(locale)
            rel = project.rel(path)
            report = UpdateReport(locale, rel, checking=not write)
            old = read_catalog(path, rel, rewrite=True)
            merged = po_bytes(merge_template(old, template, report, fuzzy=fuzzy))
            report.changed = path.read_bytes() != merged
            if report.changed:  # a platform (Weblate) or editor wrote it: is the difference only formatting?
                rewritten = po_io.parse(merged.decode("utf-8")) or polib.pofile(merged.decode("utf-8"), wrapwidth=0)
                report.formatting_only = same_content(old, rewritten)
            if write and report.changed:
                write_atomic(path, merged)
            reports.append(report)
    return reports

