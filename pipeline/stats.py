"""What is left to do, per language, per document and per edition: `awareness stats` and the status
dashboard (`output/status/index.html`, written by `build` and by `stats --html`).

The edition readiness comes from the release gate itself (release.py), so the dashboard says exactly what
`build --release` would refuse and why.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polib

from .catalogs import has_text, is_fuzzy, is_translated, read_catalog
from .layout import Project
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


@dataclass
class Status:
    locales: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)  # {locale, document, reviewed, translated, ...}
    checks: list[dict] = field(default_factory=list)  # {locale, check, errors, warnings}
    editions: list[dict] = field(default_factory=list)  # {edition, ready, reasons}

    def as_dict(self) -> dict[str, object]:
        return {"locales": self.locales, "documents": self.documents, "checks": self.checks,
                "editions": self.editions}


def project_status(project: Project, records: dict | None = None) -> Status:
    """Numbers for the dashboard and `stats --json`; `records` (edition -> EditionRecord) when a build just made
    them, else the editions' gates are worked out here."""
    from .checks import check_catalog

    status = Status()
    for locale in project.catalog_locales():
        path = project.catalog(locale)
        catalog = read_catalog(path, project.rel(path))
        status.locales.append(catalog_stats(locale, catalog).as_dict())
        per_document: dict[str, Counter[str]] = {}
        for entry in catalog:
            if entry.obsolete:
                continue
            state = entry_state(entry)
            for document in sorted({document_of(p) for p, _ in entry.occurrences} or {"other"}):
                per_document.setdefault(document, Counter())[state] += 1
        for document, counts in sorted(per_document.items()):
            status.documents.append({"locale": locale, "document": document,
                                     **{state: counts[state] for state in STATES}})
        findings: dict[str, Counter[str]] = {}
        for issue in check_catalog(project, locale):
            findings.setdefault(issue.check, Counter())[issue.severity] += 1
        for check, counts in sorted(findings.items()):
            status.checks.append({"locale": locale, "check": check, "errors": counts["error"],
                                  "warnings": counts["warning"]})
    status.editions = edition_readiness(project, records)
    return status


def edition_readiness(project: Project, records: dict | None = None) -> list[dict]:
    """Every edition: ready for a release, or the release gate's reasons why not."""
    from .release import refusals, releasable
    from .view import load_inputs, prepare

    inputs, _ = load_inputs(project)
    known = dict(records or {})
    for edition in inputs.editions:  # editions not built yet: their gates, from their sources
        if edition.id not in known:
            known[edition.id] = prepare(inputs, edition).record()
    listed = {e.id for e in inputs.editions}  # a record of an edition since removed is not shown
    records = {k: v for k, v in known.items() if releasable(v) and k in listed}
    out = []
    for edition_id in sorted(records):
        record = records[edition_id]
        reasons = [str(r) for r in refusals(record)]
        out.append({"edition": edition_id, "ready": not reasons, "reasons": reasons,
                    "translated": record.translated, "needed": record.needed,
                    "unreviewed": record.unreviewed})
    return out
