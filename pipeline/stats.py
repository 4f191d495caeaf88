"""Per-locale figures: translated, fuzzy, untranslated and obsolete messages, words and percent."""

from __future__ import annotations

from dataclasses import dataclass

import polib

from .catalogs import has_text, is_fuzzy, is_translated, read_catalog
from .layout import Project


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
        if is_fuzzy(entry) and has_text(entry):
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


