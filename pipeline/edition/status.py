"""The project's status for `stats --json` and the dashboard: each catalog's figures (stats.py), each
check's findings, and each edition's readiness as the release gate itself (release.py) judges it, so the
dashboard says exactly what `build --release` would refuse and why. Each catalog is read once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..catalog.catalogs import read_catalog
from ..catalog.stats import STATES, catalog_stats, document_of, entry_state
from ..core.layout import Project
from .view import load_inputs, prepare


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
    from ..catalog.checks import CheckInputs, check_catalog

    status = Status()
    checks = CheckInputs(project)
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
        for issue in check_catalog(project, locale, catalog=catalog, inputs=checks):
            findings.setdefault(issue.check, Counter())[issue.severity] += 1
        for check, counts in sorted(findings.items()):
            status.checks.append({"locale": locale, "check": check, "errors": counts["error"],
                                  "warnings": counts["warning"]})
    status.editions = edition_readiness(project, records)
    return status


def edition_readiness(project: Project, records: dict | None = None) -> list[dict]:
    """Every edition: ready for a release, or the release gate's reasons why not."""
    from ..core.release import refusals, releasable

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
