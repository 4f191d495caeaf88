"""What is left to do in a catalog, per language and per document (the figures of `awareness stats`);
status.py adds the editions' readiness for the dashboard."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib

from ..core.layout import Project
from .catalogs import has_text, is_fuzzy, is_translated, read_catalog
from .review import is_reviewed

STATES = ("reviewed", "translated", "fuzzy", "untranslated")  # translated = translated, not yet reviewed


@dataclass(frozen=True)
class CatalogStats:
    locale: str
    translated: int  # usable: translated and not fuzzy (reviewed or not)
    fuzzy: int
    untranslated: int
    obsolete: int
    words: int  # source words in the catalog's messages
    translated_words: int
    reviewed: int = 0  # translated and confirmed by a reviewer in this wording

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return round(100.0 * self.translated / self.total, 1) if self.total else 100.0

    @property
    def reviewed_percent(self) -> float:
        return round(100.0 * self.reviewed / self.total, 1) if self.total else 100.0

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__, total=self.total, percent=self.percent, reviewed_percent=self.reviewed_percent)


def entry_state(entry: polib.POEntry) -> str:
    if is_reviewed(entry):
        return "reviewed"
    if is_translated(entry):
        return "translated"
    if is_fuzzy(entry) and has_text(entry):
        return "fuzzy"
    return "untranslated"


def catalog_stats(locale: str, catalog: polib.POFile) -> CatalogStats:
    counts: Counter[str] = Counter()
    obsolete = words = translated_words = 0
    for entry in catalog:
        if entry.obsolete:
            obsolete += 1
            continue
        count = len(entry.msgid.split())
        words += count
        state = entry_state(entry)
        counts[state] += 1
        if state in ("reviewed", "translated"):
            translated_words += count
    return CatalogStats(locale, counts["reviewed"] + counts["translated"], counts["fuzzy"], counts["untranslated"],
                        obsolete, words, translated_words, counts["reviewed"])


def project_stats(project: Project) -> list[CatalogStats]:
    return [catalog_stats(loc, read_catalog(project.catalog(loc), project.rel(project.catalog(loc))))
            for loc in project.catalog_locales()]


# --- the status of the whole project ------------------------------------------------------------

def document_of(path: str) -> str:
    """Which part of the content a PO location belongs to: a document, the site templates, or region data."""
    name = Path(path).stem
    if "/templates/" in path:
        return "print templates" if "/print/" in path else "site templates"
    if "/regions/" in path:
        return "contacts (region data)"
    return name
