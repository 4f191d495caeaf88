"""Regional variants and local dates: a variant catalog (`es_ES`) translates only what differs from its
language (`es`), and every date a reader sees is written as readers of the edition's language write it."""

from __future__ import annotations

import re

import polib
from conftest import FIXED_EPOCH

from pipeline.core.layout import Project
from pipeline.edition.view import edition_view


def test_a_regional_variant_falls_back_entry_by_entry_to_its_language(project, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    before = edition_view(Project.at(project), "es-ES")
    cli(project, "init", "es_ES")
    path = project / "locales" / "es_ES" / "LC_MESSAGES" / "messages.po"
    catalog = polib.pofile(str(path))
    entry = catalog.find("Get help now")
    entry.msgstr = "Consigue ayuda ya"
    catalog.save()

    after = edition_view(Project.at(project), "es-ES")
    assert after.edition.locale == "es_ES"
    # the gate and the figures count what `es` supplies as translated for es-ES
    assert (after.translated, after.needed) == (before.translated, before.needed)
    cli(project, "build", "--edition", "es-ES", "--edition", "es-MX", "--format", "html")
    spain = (project / "output" / "site" / "es-ES" / "index.html").read_text()
    mexico = (project / "output" / "site" / "es-MX" / "index.html").read_text()
    assert "Consigue ayuda ya" in spain and "Consigue ayuda ya" not in mexico
    spanish = polib.pofile(str(project / "locales" / "es" / "LC_MESSAGES" / "messages.po"))
    kept = spanish.find("All hotlines and helplines")
    assert kept and kept.msgstr and kept.msgstr in spain  # the rest comes from es
    # the edition's date in Spanish, as Spanish readers write it
    assert "18 de noviembre de 2026" in spain and "2026-11-18" not in re.sub(r"<[^>]+>", "", spain)


def test_leaflet_dates_are_written_in_the_editions_language(project, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    from pipeline.publish.leaflets import leaflet_html

    html = leaflet_html(edition_view(Project.at(project), "de-DE"), "sheet")[0]
    body = re.sub(r"<[^>]+>", "", html.split("<body", 1)[1])  # the PDF's metadata keeps ISO dates for machines
    assert "18. November 2026" in body and "2026-11-18" not in body
