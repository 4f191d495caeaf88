"""Reading and writing PO files (gettext-compatible bytes), init, update and stats."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel import Locale, UnknownLocaleError
from babel.messages.plurals import get_plural

from .errors import InputRefused, PipelineError
from .layout import Project
from .storage import locked, write_atomic

LOCALE_ID = re.compile(r"^[a-z]{2,3}(_[A-Z]{2}|_[A-Z][a-z]{3})?$")
REVIEW_HEADER = "X-Review-Status"
FUZZY_THRESHOLD = 0.6  # the similarity msgmerge uses
Key = tuple[str | None, str]


def entry_key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid)


def build_date() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc)


def po_date(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M+0000")


# --- reading and writing -----------------------------------------------------------------------

def read_catalog(path: Path, rel: str) -> polib.POFile:
    """Parse a PO/POT file; a syntax error refuses the file with its line."""
    if not path.is_file():
        raise InputRefused("file not found", path=rel)
    try:
        return polib.pofile(str(path), wrapwidth=0, encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise InputRefused(f"not a valid PO file: {exc}", path=rel, line=int(match.group(1)) if match else None) from None


def msgcat_path() -> str:
    found = shutil.which("msgcat")
    if not found:
        raise PipelineError("GNU gettext is not installed (msgcat not found); install it with: apt-get install gettext")
    return found


def po_bytes(catalog: polib.POFile) -> bytes:
    """The catalog as GNU gettext writes it: msgcat normalises wrapping and escaping, so tools show no diffs."""
    catalog.wrapwidth = 0
    raw = catalog.__unicode__().encode("utf-8")
    result = subprocess.run([msgcat_path(), "--force-po", "-o", "-", "-"], input=raw, capture_output=True)
    if result.returncode != 0:
        raise PipelineError(f"msgcat refused the generated catalog: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def new_catalog(metadata: dict[str, str], header: str = "") -> polib.POFile:
    catalog = polib.POFile(wrapwidth=0, encoding="utf-8")
    catalog.metadata = metadata
    catalog.header = header
    return catalog


# --- init --------------------------------------------------------------------------------------

def validate_locale(locale: str) -> Locale:
    """A locale identifier we can make a catalog for, e.g. `fr`, `pt_BR`, `zh_Hans`."""
    if not LOCALE_ID.match(locale):
        raise InputRefused(f"'{locale}' is not a locale identifier like fr, pt_BR or zh_Hans")
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        raise InputRefused(f"'{locale}' is not a locale Babel knows") from None


def plural_forms(locale: str) -> str:
    plural = get_plural(locale)
    return f"nplurals={plural.num_plurals}; plural={plural.plural_expr};"


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
    nplurals = get_plural(locale).num_plurals
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
        REVIEW_HEADER: "needs-review",  # a new catalog is unreviewed until a native speaker says otherwise
    }
    catalog = new_catalog(metadata, f"{parsed.english_name} translations of the awareness-pipeline content.")
    for source in template:
        catalog.append(_fresh_entry(source, nplurals))
    with locked(project.locales):
        write_atomic(target, po_bytes(catalog))
    return target


def _fresh_entry(source: polib.POEntry, nplurals: int) -> polib.POEntry:
    entry = polib.POEntry(msgid=source.msgid, msgctxt=source.msgctxt, occurrences=list(source.occurrences),
                          comment=source.comment, flags=[f for f in source.flags if f != "fuzzy"])
    if source.msgid_plural:
        entry.msgid_plural = source.msgid_plural
        entry.msgstr_plural = {i: "" for i in range(nplurals)}
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
    changed: bool = False

    def summary(self) -> str:
        state = "updated" if self.changed else "up to date"
        return (f"{self.locale}: {state}: {len(self.new)} new, {len(self.fuzzy)} fuzzy, "
                f"{len(self.obsolete)} obsolete, {len(self.revived)} revived")

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def msgstr_values(entry: polib.POEntry) -> tuple[str, ...]:
    """The entry's translation: its msgstr, or every plural form in order."""
    if entry.msgid_plural:
        return tuple(v for _, v in sorted(entry.msgstr_plural.items()))
    return (entry.msgstr,)


def is_translated(entry: polib.POEntry) -> bool:
    return any(msgstr_values(entry))


def merge_template(catalog: polib.POFile, template: polib.POFile, report: UpdateReport, *,
                   fuzzy: bool = True) -> polib.POFile:
    """A new catalog with the template's messages, the catalog's translations, and fuzzy suggestions."""
    nplurals = int(re.search(r"nplurals=(\d+)", catalog.metadata.get("Plural-Forms", "nplurals=2")).group(1))
    active = {entry_key(e): e for e in catalog if not e.obsolete}
    obsolete = {entry_key(e): e for e in catalog if e.obsolete}
    wanted = {entry_key(e) for e in template}
    vanished = [e for k, e in active.items() if k not in wanted and is_translated(e)]
    index: FuzzyIndex | None = None
    result = new_catalog(dict(catalog.metadata), catalog.header)
    if "POT-Creation-Date" in template.metadata:
        result.metadata["POT-Creation-Date"] = template.metadata["POT-Creation-Date"]
    for source in template:
        key = entry_key(source)
        entry = _fresh_entry(source, nplurals)
        old = active.get(key)
        if old is None and key in obsolete:
            old = obsolete[key]
            report.revived.append(source.msgid)
        if old is not None:
            entry.msgstr, entry.msgstr_plural = old.msgstr, dict(old.msgstr_plural) or entry.msgstr_plural
            entry.tcomment = old.tcomment
            if "fuzzy" in old.flags:
                entry.flags.append("fuzzy")
                entry.previous_msgid, entry.previous_msgctxt = old.previous_msgid, old.previous_msgctxt
        else:
            if index is None and fuzzy:
                index = FuzzyIndex(vanished + [e for e in obsolete.values() if is_translated(e)])
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
    for key, old in active.items():
        if key not in wanted and is_translated(old):
            report.obsolete.append(old.msgid)
            result.append(_obsolete(old))
    for key, old in obsolete.items():
        if key not in wanted:
            result.append(_obsolete(old))
    return result


def _obsolete(entry: polib.POEntry) -> polib.POEntry:
    kept = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgstr=entry.msgstr, obsolete=True,
                         tcomment=entry.tcomment, flags=[f for f in entry.flags if f == "fuzzy"])
    if entry.msgid_plural:
        kept.msgid_plural, kept.msgstr_plural = entry.msgid_plural, dict(entry.msgstr_plural)
    return kept


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
            report = UpdateReport(locale, rel)
            merged = po_bytes(merge_template(read_catalog(path, rel), template, report, fuzzy=fuzzy))
            report.changed = path.read_bytes() != merged
            if write and report.changed:
                write_atomic(path, merged)
            reports.append(report)
    return reports


# --- stats -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogStats:
    locale: str
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    words: int  # source words in the catalog's messages
    translated_words: int

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return round(100.0 * self.translated / self.total, 1) if self.total else 100.0

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__, total=self.total, percent=self.percent)


def catalog_stats(locale: str, catalog: polib.POFile) -> CatalogStats:
    translated = fuzzy = untranslated = obsolete = words = translated_words = 0
    for entry in catalog:
        if entry.obsolete:
            obsolete += 1
            continue
        count = len(entry.msgid.split())
        words += count
        if "fuzzy" in entry.flags:
            fuzzy += 1
        elif is_translated(entry):
            translated += 1
            translated_words += count
        else:
            untranslated += 1
    return CatalogStats(locale, translated, fuzzy, untranslated, obsolete, words, translated_words)


def project_stats(project: Project) -> list[CatalogStats]:
    return [catalog_stats(loc, read_catalog(project.catalog(loc), project.rel(project.catalog(loc))))
            for loc in project.catalog_locales()]


