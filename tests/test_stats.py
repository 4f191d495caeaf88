"""`awareness stats`: translated, fuzzy and untranslated counted as GNU `msgfmt --statistics` counts them
(the oracle), reviewed entries among the translated ones, obsolete entries apart, words and percentages."""

from __future__ import annotations

import datetime as dt
import random
import re
import subprocess
from pathlib import Path

import polib
from conftest import fill_catalog

from pipeline.catalog.catalogs import read_catalog
from pipeline.catalog.review import mark_needs_review, mark_reviewed
from pipeline.catalog.stats import CatalogStats, catalog_stats, document_of, entry_state, project_stats
from pipeline.core.layout import Project

HEADER = {"Language": "fr", "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
          "Content-Transfer-Encoding": "8bit", "Plural-Forms": "nplurals=2; plural=(n > 1);"}
WORDS = ["child", "report", "help", "line", "web", "address", "image", "safe", "call", "adult", "crisis"]


def msgfmt_statistics(path: Path) -> tuple[int, int, int]:
    """(translated, fuzzy, untranslated) as GNU msgfmt counts them."""
    run = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(path)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr

    def count(what: str) -> int:
        found = re.search(rf"(\d+) {what}", run.stderr)
        return int(found.group(1)) if found else 0

    return count("translated message"), count("fuzzy translation"), count("untranslated message")


def entry(rng: random.Random, number: int) -> polib.POEntry:
    """One entry in a random state: translated, reviewed, fuzzy (with or without text), untranslated,
    obsolete, with or without context, singular or plural with every form written or none."""
    msgid = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))) + f" {number}"
    text = f"«{msgid}»"
    state = rng.choice(["translated", "reviewed", "fuzzy", "fuzzy-empty", "untranslated", "needs-review"])
    plural = rng.random() < 0.2
    new = polib.POEntry(msgid=msgid, msgctxt=rng.choice([None, None, "leaflet"]),
                        obsolete=rng.random() < 0.1 and not plural)
    written = state not in ("fuzzy-empty", "untranslated")
    if plural:
        new.msgid_plural = msgid + "s"
        # all forms or none: with only msgstr[0] written msgfmt counts it translated, stats untranslated (no
        # edition can use it); reported on issue 19, and our sources have no plurals yet
        new.msgstr_plural = {0: text if written else "", 1: text + "s" if written else ""}
    else:
        new.msgstr = text if written else ""
    if state.startswith("fuzzy"):
        new.flags.append("fuzzy")
        if rng.random() < 0.5:
            new.previous_msgid = msgid + " before"
    if state == "reviewed":
        mark_reviewed(new, dt.date(2026, 11, 1))
    if state == "needs-review":
        mark_needs_review(new)
    return new


def test_counts_agree_with_msgfmt_statistics_on_generated_catalogs(tmp_path):
    rng = random.Random(19)
    seen = set()
    for round_ in range(3):
        catalog = polib.POFile(wrapwidth=79)
        catalog.metadata = dict(HEADER)
        for number in range(rng.randint(0, 120)):
            catalog.append(entry(rng, number))
        path = tmp_path / f"round{round_}.po"
        catalog.save(str(path))
        stats = catalog_stats("fr", read_catalog(path, path.name))  # read as the pipeline reads a catalog
        assert (stats.translated, stats.fuzzy, stats.untranslated) == msgfmt_statistics(path), path.read_text()
        # GNU gettext drops an obsolete entry without text when it reads a catalog, and so do we
        assert stats.obsolete == sum(1 for e in catalog if e.obsolete and e.msgstr)
        seen |= {name for name in ("translated", "reviewed", "fuzzy", "untranslated", "obsolete") if getattr(stats, name)}
    assert len(seen) == 5  # the generator reached every state


def test_a_hand_made_catalog_is_counted_as_msgfmt_counts_it(tmp_path):
    path = tmp_path / "fr.po"
    path.write_text("""\
msgid ""
msgstr ""
"Language: fr\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "Report it"
msgstr "Signalez-le"

# reviewed 2026-11-01 00000000
msgid "A stale review mark"
msgstr "Une marque de relecture périmée"

#, fuzzy
#| msgid "Get help"
msgid "Get help now"
msgstr "Obtenir de l'aide"

#, fuzzy
msgid "A fuzzy flag without text"
msgstr ""

msgctxt "leaflet"
msgid "Report it"
msgstr ""

msgid "One image"
msgid_plural "Many images"
msgstr[0] "Une image"
msgstr[1] "Des images"

#~ msgid "Gone"
#~ msgstr "Parti"
""", encoding="utf-8")
    stats = catalog_stats("fr", read_catalog(path, "fr.po"))
    assert (stats.translated, stats.fuzzy, stats.untranslated) == msgfmt_statistics(path) == (3, 1, 2)
    # read by polib, the fuzzy flag of the empty entry stays (msgcat drops it): the figures do not change
    assert catalog_stats("fr", polib.pofile(str(path))) == stats
    assert (stats.obsolete, stats.reviewed, stats.total) == (1, 0, 6)  # a mark for another text is no review
    # words of the live messages' msgids; translated words of the usable ones
    assert stats.words == 2 + 4 + 3 + 5 + 2 + 2
    assert stats.translated_words == 2 + 4 + 2
    assert stats.percent == 50.0


def test_a_reviewed_entry_counts_as_translated_until_its_text_changes():
    catalog = polib.POFile()
    catalog.metadata = dict(HEADER)
    for msgid in ("Report it", "Get help", "Stay safe"):
        catalog.append(polib.POEntry(msgid=msgid, msgstr=f"«{msgid}»"))
    mark_reviewed(catalog[0], dt.date(2026, 11, 1))
    mark_needs_review(catalog[1])
    assert [entry_state(e) for e in catalog] == ["reviewed", "translated", "translated"]
    stats = catalog_stats("fr", catalog)
    assert (stats.translated, stats.reviewed, stats.reviewed_percent, stats.percent) == (3, 1, 33.3, 100.0)
    catalog[0].msgstr = "Signalez-le"  # edited after the review: the mark holds the hash of the old text
    assert entry_state(catalog[0]) == "translated" and catalog_stats("fr", catalog).reviewed == 0
    catalog[0].flags.append("fuzzy")  # a reviewed text that became fuzzy is not usable, nor reviewed
    assert entry_state(catalog[0]) == "fuzzy" and catalog_stats("fr", catalog).translated == 2


def test_an_empty_catalog_is_complete_and_as_dict_carries_the_derived_figures():
    stats = catalog_stats("fr", polib.POFile())
    assert stats == CatalogStats("fr", 0, 0, 0, 0, 0, 0, 0)
    assert (stats.total, stats.percent, stats.reviewed_percent) == (0, 100.0, 100.0)
    figures = CatalogStats("de", 2, 1, 0, 4, 10, 7, 1).as_dict()
    assert figures == {"locale": "de", "translated": 2, "fuzzy": 1, "untranslated": 0, "obsolete": 4, "words": 10,
                       "translated_words": 7, "reviewed": 1, "total": 3, "percent": 66.7, "reviewed_percent": 33.3}


def test_document_of_names_the_part_of_the_content_a_location_belongs_to():
    assert document_of("source_content/how-to-report.md") == "how-to-report"
    assert document_of("source_content/templates/base.html") == "site templates"
    assert document_of("source_content/templates/print/card.html") == "print templates"
    assert document_of("source_content/regions/gb.toml") == "contacts (region data)"


def test_the_stats_command_prints_each_catalogs_figures(mini, cli):
    cli(mini, "init", "fr")
    cli(mini, "init", "de")
    path = mini / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
    fill_catalog(path)
    catalog = polib.pofile(str(path))
    catalog[0].flags.append("fuzzy")
    catalog[1].msgstr = ""
    catalog.save()
    figures = {s.locale: s for s in project_stats(Project.at(mini))}
    total = len(polib.pofile(str(mini / "locales" / "messages.pot")))
    assert sorted(figures) == ["de", "fr"]
    assert (figures["fr"].translated, figures["fr"].fuzzy, figures["fr"].untranslated) == (total - 2, 1, 1)
    assert (figures["de"].translated, figures["de"].untranslated) == (0, total)
    assert (figures["fr"].translated, figures["fr"].fuzzy, figures["fr"].untranslated) == msgfmt_statistics(path)
    rows = [line.split() for line in cli(mini, "stats").output.splitlines()]
    assert rows[0] == ["locale", "translated", "reviewed", "fuzzy", "untranslated", "obsolete", "words", "done"]
    done = f"{round(100.0 * (total - 2) / total, 1):.1f}%"
    assert rows[1:] == [["de", "0", "0", "0", str(total), "0", str(figures["de"].words), "0.0%"],
                        ["fr", str(total - 2), "0", "1", "1", "0", str(figures["fr"].words), done]]
