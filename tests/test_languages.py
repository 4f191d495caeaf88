"""The ten shipped languages: complete catalogs, clean checks, and leaflets in the right script."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata

import polib
import pytest
from conftest import REPO, shipped_language_editions

from pipeline.contacts.needs import needs_of
from pipeline.contacts.regions import load_regions
from pipeline.core.layout import Project
from pipeline.core.release import printable

SHIPPED = ["ar", "de", "es", "fr", "hi", "ja", "pl", "pt_BR", "sw", "uk"]
SCRIPT = {"ar": "ARABIC", "hi": "DEVANAGARI", "ja": ("CJK", "HIRAGANA", "KATAKANA"), "uk": "CYRILLIC"}
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def test_every_shipped_catalog_is_complete_and_checks_clean(cli):
    rows = {r["locale"]: r for r in json.loads(cli(REPO, "stats", "--json").output)["locales"]}
    for locale in SHIPPED:
        assert rows[locale]["percent"] == 100.0 and rows[locale]["fuzzy"] == 0, locale
    result = cli(REPO, "check", *SHIPPED, "--json", code=None)
    errors = [i for i in json.loads(result.output) if i["severity"] == "error"]
    assert errors == [] and result.exit_code == 0


def test_catalogs_record_that_they_await_review_and_have_a_glossary():
    for locale in SHIPPED:
        catalog = polib.pofile(str(REPO / "locales" / locale / "LC_MESSAGES" / "messages.po"))
        assert "X-Review-Status" not in catalog.metadata, locale  # review is recorded per entry now
        drafts = [e for e in catalog if e.msgstr and not e.obsolete]
        assert all(e.tcomment.startswith("(review) machine-assisted draft") for e in drafts), locale
        glossary = (REPO / "source_content" / "glossary" / f"{locale}.csv").read_text(encoding="utf-8")
        assert glossary.startswith("source,target,status,explanation") and ",forbidden," in glossary, locale


def test_msgfmt_accepts_every_catalog():
    for locale in SHIPPED:
        subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null",
                        str(REPO / "locales" / locale / "LC_MESSAGES" / "messages.po")], check=True)


REGIONS = load_regions(Project.at(REPO))


def script_share(text: str, script) -> float:
    names = (script,) if isinstance(script, str) else script
    letters = [c for c in text if c.isalpha()]
    hits = [c for c in letters if any(n in unicodedata.name(c, "") for n in names)]
    return len(hits) / max(1, len(letters))


@pytest.mark.slow
@pytest.mark.parametrize("edition", shipped_language_editions())
def test_leaflet_is_in_the_right_script_with_the_region_numbers(shared_build, edition):
    language, region_code = edition.split("-")
    pdf = shared_build / "output" / "site" / "leaflets" / f"{edition}.pdf"
    text = BIDI.sub("", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                       check=True).stdout)
    script = SCRIPT.get(language)
    if script:
        assert script_share(text, script) > 0.5, edition
    else:
        assert script_share(text, "LATIN") > 0.9, edition
    assert "Child sexual abuse material and how to report it" not in text  # the title is translated
    region = REGIONS[region_code]  # the shared build is a copy of these sources
    assert region.emergency.display in text
    # the sheet lists, for every need, the region's first service that has a phone: digit for digit
    for need in ("child", "crisis", "adult"):
        first = next((c for c in region.contacts if printable(c) and need in needs_of(c) and c.phones), None)
        if first is not None:
            assert first.phones[0].display in text, (edition, need, first.phones[0].display)
