"""Per-language terminology glossaries: `source_content/glossary/<locale>.csv`.

Columns `source,target,status,explanation` (Weblate imports source/target CSV glossaries). `status` is
`preferred` (the term to use) or `forbidden` (a discouraged term: `source` is the English discouraged term,
`target` its local equivalent). In `en.csv`, forbidden rows name English terms our own text must not use.
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from dataclasses import dataclass

from .documents import read_text
from .errors import InputRefused
from .layout import Project
from .models import Issue

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

    @property
    def forbidden(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.status == "forbidden")

    @property
    def preferred(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.status == "preferred")


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


def mentions(text: str, term: str) -> bool:
    return term_pattern(term).search(text.casefold()) is not None
