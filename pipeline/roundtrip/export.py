"""Translator packages: the catalog with an export id, the glossary, instructions, and a kept snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

from ..catalog.catalogs import po_bytes, read_catalog
from ..catalog.glossary import glossary_csv, glossary_tbx, load_glossary
from ..catalog.update import UpdateReport, merge_template
from ..core.errors import InputRefused
from ..core.layout import Project
from ..core.storage import locked, write_atomic
from . import xliff
from .snapshots import EXPORT_HEADER, new_export_id, write_snapshot

INSTRUCTIONS = """\
Translating the awareness-pipeline content ({locale})
=====================================================

Thank you for translating. This material helps people report child sexual abuse material
and find help. Please keep it calm, clear and victim-centred, readable by a 12-14 year old.

- Open messages.po in Poedit (or any PO editor), or messages.xlf in your CAT tool. Send the file back as
  it is, keeping its "{header}" header: it lets us merge your work safely even if the text changed
  meanwhile, and your work on a sentence that changed is kept as a suggestion, never dropped.
- messages.xlf: every target starts as a copy of the English; the current translations are in
  messages.tmx (add it to your tool's translation memory; in OmegaT put it in the project's tm/auto/ folder
  and turn off sentence-level segmenting, so that each unit matches the memory as a whole).
  A segment left in English is not merged: it keeps the translation we have.
- Terminology: use the terms in glossary.csv / glossary.tbx. Never use your language's
  equivalent of "child pornography" in our own voice; it is allowed only where the English
  quotes the old term to explain why it is wrong, or cites the official title of a law.
- Do not change link targets: in [text](target) translate the text only.
- Keep {{placeholders}} such as {{emergency_number}} exactly; you may move them in the sentence.
- Keep **bold**, *italic* and `code` markers, and do not add HTML.
- Do not write phone numbers or web addresses: they come from verified region data.
- Comments above each message say where it appears (site page, leaflet) and any length limit
  ("max-length: N"): leaflet strings must fit the printed page.
- Mark a translation you are unsure of as "fuzzy" (Poedit: "Needs work").
"""


@dataclass(frozen=True)
class ExportResult:
    export_id: str
    folder: Path
    files: tuple[Path, ...]
    snapshot: Path


def where_used(entry: polib.POEntry) -> str:
    places = []
    for path, _line in entry.occurrences:
        name = Path(path).stem
        if "/templates/" in path:
            label = "site pages (navigation, header, footer)" if name != "leaflet" else "the printed leaflet"
        elif "/regions/" in path:
            label = f"contacts for region {name.upper()}"
        elif name == "leaflet":
            label = "the printed leaflet"
        else:
            label = f"site page '{name}'"
        if label not in places:
            places.append(label)
    return "Appears on: " + "; ".join(places) if places else ""


def export_package(project: Project, locale: str, out: Path | None = None, fmt: str = "po") -> ExportResult:
    """A translator package; `fmt` "xliff" gives the catalog as XLIFF for CAT tools instead of PO."""
    path = project.catalog(locale)
    if not path.is_file():
        raise InputRefused(f"no catalog for '{locale}'; create it with `awareness init {locale}`")
    template = read_catalog(project.pot, project.rel(project.pot))
    with locked(project.locales):
        current = merge_template(read_catalog(path, project.rel(path), rewrite=True), template,
                                 UpdateReport(locale, ""))
        write_atomic(path, po_bytes(current))  # the catalog is brought up to date first
        sent = read_catalog(path, project.rel(path))
        export_id = new_export_id(locale, path.read_bytes())
        sent.metadata[EXPORT_HEADER] = export_id
        for entry in sent:
            used = where_used(entry)
            if used and used not in (entry.comment or ""):
                entry.comment = "\n".join(filter(None, [entry.comment, used]))
        data = po_bytes(sent)
        write_snapshot(project, locale, export_id, data)
        snapshot = project.snapshot(locale, export_id)
    folder = out or project.export_folder(export_id)
    glossary = load_glossary(project, locale)
    if fmt == "po":
        translation = {folder / "messages.po": data}
    else:  # targets are copies of the source; the current translations travel as a memory
        translation = {folder / "messages.xlf": xliff.po_to_xliff(data, locale),
                       folder / "messages.tmx": xliff.po_to_tmx(data, locale)}
    files = {
        **translation,
        folder / "glossary.tbx": glossary_tbx(glossary),
        folder / "glossary.csv": glossary_csv(glossary),
        folder / "INSTRUCTIONS.txt": INSTRUCTIONS.format(locale=locale, header=EXPORT_HEADER).encode("utf-8"),
    }
    for target, content in files.items():
        write_atomic(target, content)
    return ExportResult(export_id, folder, tuple(sorted(files)), snapshot)
