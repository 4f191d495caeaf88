"""Per-language terminology glossaries: `source_content/glossary/<locale>.csv`, and the files platforms import.

Columns `source,target,status,explanation`. `status` is `preferred` (the term to use) or `forbidden` (a
discouraged term: `source` is the English discouraged term, `target` its local equivalent). In `en.csv`,
forbidden rows name English terms our own text must not use.

Our CSV is for us: translate-toolkit's CSV reader (which Weblate uses) guesses the dialect from the free-text
`explanation` column and gets it wrong. For platforms and CAT tools, `awareness update` writes
`source_content/glossary/platform/<locale>.tbx` (every term; forbidden ones with the TBX-Basic
administrativeStatus `deprecatedTerm-admn-sts` on both languages, which translate-toolkit reads as deprecated
and Weblate imports as forbidden translations) and `<locale>.csv` (the preferred terms only, `source,target`,
every field quoted), and `export` puts both in each package.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from ..core.errors import InputRefused
from ..core.files import read_text
from ..core.layout import Project
from ..core.models import Issue

COLUMNS = ["source", "target", "status", "explanation"]
STATUSES = ("preferred", "forbidden")


@dataclass(frozen=True)
class Term:
    source: str
    target: str
    status: str
    explanation: str
    line: int


@dataclass(frozen=True)
class Glossary:
    locale: str
    terms: tuple[Term, ...] = ()
    path: str = ""

    @cached_property  # asked for every entry of every catalog a check reads
    def forbidden(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.status == "forbidden")

    @cached_property
    def preferred(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.status == "preferred")

    @cached_property
    def forbidden_targets(self) -> tuple[str, ...]:
        return tuple(t.target for t in self.forbidden)

    @cached_property
    def kept_in_english(self) -> tuple[str, ...]:
        """Terms whose translation is the English term itself (names, "CyberTipline")."""
        return tuple(t.source for t in self.terms if t.target.casefold() == t.source.casefold())


def load_glossary(project: Project, locale: str) -> Glossary:
    """The locale's glossary (falling back from pt_BR to pt); an empty one if none exists."""
    for candidate in (locale, locale.split("_")[0]):
        path = project.glossary_file(candidate)
        if path.is_file():
            return parse_glossary(read_text(path, project.rel(path)), locale, project.rel(path))
    return Glossary(locale)


def parse_glossary(text: str, locale: str, rel: str) -> Glossary:
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows or [c.strip() for c in rows[0][: len(COLUMNS)]] != COLUMNS:
        raise InputRefused(f"glossary must start with the header line {','.join(COLUMNS)}", path=rel, line=1)
    terms, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = (row + [""] * len(COLUMNS))[: len(COLUMNS)]
        source, target, status, explanation = (cell.strip() for cell in row)
        if status not in STATUSES:
            problems.append(Issue(rel, number, "error", "glossary",
                                  f"status must be one of {', '.join(STATUSES)}, got '{status}'"))
        if not source or not target:
            problems.append(Issue(rel, number, "error", "glossary", "source and target must not be empty"))
        terms.append(Term(source, target, status, explanation, number))
    if problems:
        raise InputRefused.collected(problems, "glossary")
    return Glossary(locale, tuple(terms), rel)


def english_discouraged(project: Project) -> list[str]:
    """English discouraged terms: en.csv plus the sources of every glossary's forbidden rows."""
    terms: set[str] = set()
    if project.glossary.is_dir():
        for path in sorted(project.glossary.glob("*.csv")):
            glossary = parse_glossary(read_text(path, project.rel(path)), path.stem, project.rel(path))
            terms.update(t.source for t in glossary.forbidden)
            if path.stem == "en":
                terms.update(t.target for t in glossary.forbidden)
    return sorted(terms)


@cache  # a catalog check asks about every term for every entry: compile each pattern once
def term_pattern(term: str) -> re.Pattern[str]:
    """Case-insensitive match of a term at word starts (for scripts without spaces, anywhere)."""
    escaped = re.escape(term.casefold())
    if term and 0x3000 <= ord(term[0]) < 0xA000:  # CJK and kana: no spaces between words
        return re.compile(escaped)
    return re.compile(rf"(?<!\w){escaped}")


@lru_cache(maxsize=16384)  # a build checks each catalog's texts for the catalog and for each of its editions
def mentioned(text: str, terms: tuple[str, ...]) -> tuple[int, ...]:
    """The indexes of the `terms` that `text` mentions (case-insensitively, at word starts: `term_pattern`)."""
    folded = text.casefold()
    return tuple(i for i, term in enumerate(terms) if term_pattern(term).search(folded) is not None)


# --- files for platforms and CAT tools ----------------------------------------------------------

FORBIDDEN_STATUS = "deprecatedTerm-admn-sts"
PREFERRED_STATUS = "preferredTerm-admn-sts"


def glossary_tbx(glossary: Glossary) -> bytes:
    """TBX-Basic: every term; a forbidden term is deprecated in English and in the target language (so a
    reader that asks whether the whole entry is deprecated, as translate-toolkit and Weblate do, says yes)."""
    language = glossary.locale.replace("_", "-")
    entries = []
    for number, term in enumerate(glossary.terms, start=1):
        status = FORBIDDEN_STATUS if term.status == "forbidden" else PREFERRED_STATUS
        source_note = (f'<termNote type="administrativeStatus">{FORBIDDEN_STATUS}</termNote>'
                       if term.status == "forbidden" else "")
        note = f'<note from="translator">{xml_escape(term.explanation)}</note>' if term.explanation else ""
        entries.append(
            f'      <termEntry id="{glossary.locale}-{number}">\n'
            f'        <langSet xml:lang="en"><tig><term>{xml_escape(term.source)}</term>{source_note}</tig></langSet>\n'
            f'        <langSet xml:lang="{language}">{note}<tig><term>{xml_escape(term.target)}</term>'
            f'<termNote type="administrativeStatus">{status}</termNote></tig></langSet>\n'
            f"      </termEntry>")
    body = "\n".join(entries)
    origin = xml_escape(glossary.path or "awareness-pipeline")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX-Basic" xml:lang="en">\n'
            f"  <martifHeader><fileDesc><sourceDesc><p>awareness-pipeline glossary, from {origin}; "
            f"generated by `awareness update`, do not edit</p></sourceDesc></fileDesc></martifHeader>\n"
            f"  <text>\n    <body>\n{body}\n    </body>\n  </text>\n</martif>\n").encode("utf-8")


def glossary_csv(glossary: Glossary) -> bytes:
    """The preferred terms as `source,target`, every field quoted: read term for term by translate-toolkit
    (and Weblate). Forbidden terms are left out: a CSV cannot mark them, and unmarked they would be offered
    as answers; they are in the TBX."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["source", "target"])
    for term in glossary.preferred:
        writer.writerow([term.source, term.target])
    return out.getvalue().encode("utf-8")


def platform_folder(project: Project) -> Path:
    return project.glossary / "platform"


def platform_glossaries(project: Project) -> dict[Path, bytes]:
    """What `source_content/glossary/platform/` should hold: a TBX and a CSV per language glossary."""
    files: dict[Path, bytes] = {}
    if not project.glossary.is_dir():
        return files
    folder = platform_folder(project)
    for path in sorted(project.glossary.glob("*.csv")):
        if path.stem == "en":  # English discouraged terms: for our checks, not a translation glossary
            continue
        glossary = parse_glossary(read_text(path, project.rel(path)), path.stem, project.rel(path))
        files[folder / f"{path.stem}.tbx"] = glossary_tbx(glossary)
        files[folder / f"{path.stem}.csv"] = glossary_csv(glossary)
    return files
