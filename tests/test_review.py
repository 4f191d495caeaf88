"""Per-entry review: machine-filled entries are unreviewed, a reviewer's returned file confirms them, the
state survives gettext tools, and a release needs every entry it uses reviewed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import polib
from conftest import fill_catalog, po
from markupsafe import escape

from pipeline.core.pseudo import _ACCENTS, _PROTECTED


def accented(msgid: str) -> str:
    """A stand-in machine translation: every word changed (no English sentence is left), link targets,
    placeholders and markup intact, no longer than the source."""
    return "".join(part if i % 2 else part.translate(_ACCENTS) for i, part in enumerate(_PROTECTED.split(msgid)))


def stats(cli, root: Path) -> dict:
    status = json.loads(cli(root, "stats", "--json").output)
    return next(row for row in status["locales"] if row["locale"] == "fr")


def test_review_flow_from_machine_draft_to_release(mini, cli, tmp_path):
    # the small project: its GB contacts were verified, so only the review can hold a release back
    cli(mini, "init", "fr")
    machine = tmp_path / "machine.po"
    shutil.copy(po(mini), machine)
    fill_catalog(machine, accented)  # a complete machine translation that keeps every check happy
    result = cli(mini, "merge", "--machine-translated", str(machine))
    assert "rejected 0" in result.output
    drafted = stats(cli, mini)
    assert drafted["reviewed"] == 0 and drafted["percent"] == 100.0
    entry = next(e for e in polib.pofile(str(po(mini))) if e.msgstr)
    assert entry.tcomment.startswith("(review) machine translation")
    result = cli(mini, "build", "--release", "--edition", "fr-GB", code=1)
    assert "messages in locales/fr are not yet confirmed by a reviewer" in result.output
    assert "--allow-unreviewed" in result.output
    # the reviewer gets an export (every entry), corrects two and sends it back: two are confirmed, not all
    cli(mini, "export", "fr", "--out", str(tmp_path / "package"))
    returned = tmp_path / "package" / "messages.po"
    catalog = polib.pofile(str(returned))
    corrected = next(e for e in catalog if e.msgid == "Your privacy")
    corrected.msgstr = "Votre vie privée"
    next(e for e in catalog if e.msgid == "Home").msgstr = "Accueil"
    blank = next(e for e in catalog if e.msgid == "Edition")
    blank.msgstr = ""  # a text the reviewer emptied is never confirmed
    catalog.save()
    result = cli(mini, "merge", "--review", str(returned))
    assert ", reviewed 2, left unreviewed " in result.output, result.output
    assert stats(cli, mini)["reviewed"] == 2
    # removing an entry's "(review)" note confirms it as it is; the rest stay unreviewed
    catalog = polib.pofile(str(returned))
    kept = next(e for e in catalog if e.msgid == "Published")
    kept.tcomment = "\n".join(line for line in kept.tcomment.split("\n") if not line.startswith("(review)"))
    catalog.save()
    result = cli(mini, "merge", "--review", str(returned))
    assert ", reviewed 1, left unreviewed " in result.output, result.output
    assert stats(cli, mini)["reviewed"] == 3
    # confirming everything takes an option that says so (the empty entry still is not confirmed)
    cli(mini, "merge", "--review", "--confirm-all", str(returned))
    reviewed = stats(cli, mini)
    assert reviewed["reviewed"] == reviewed["total"] - 1, reviewed
    catalog = polib.pofile(str(returned))
    next(e for e in catalog if e.msgid == "Edition").msgstr = accented("Edition")  # the reviewer puts it back
    catalog.save()
    cli(mini, "merge", "--review", "--confirm-all", str(returned))
    reviewed = stats(cli, mini)
    assert reviewed["reviewed"] == reviewed["total"], reviewed
    final = {e.msgid: e for e in polib.pofile(str(po(mini)))}
    assert final["Your privacy"].msgstr == "Votre vie privée"
    assert final["Your privacy"].tcomment.startswith("reviewed ")
    cli(mini, "build", "--release", "--edition", "fr-GB")
    page = (mini / "output/site/fr-GB/index.html").read_text()
    assert "DRAFT" not in page and "awaiting review" not in page


def test_review_marks_survive_msgcat_and_msgmerge_and_an_edit_undoes_them(verified_project, cli, tmp_path):
    # the real content: every shape of entry it has goes through msgcat and msgmerge
    cli(verified_project, "extract")
    cli(verified_project, "init", "fr")
    fill_catalog(po(verified_project), lambda m: m)
    reviewer = tmp_path / "review.po"
    shutil.copy(po(verified_project), reviewer)
    cli(verified_project, "merge", "--review", "--confirm-all", str(reviewer))
    confirmed = stats(cli, verified_project)
    total = confirmed["total"]
    assert confirmed["reviewed"] == total
    for command in (["msgcat", "-o", str(po(verified_project)), str(po(verified_project))],
                    ["msgmerge", "-q", "-U", "--backup=none", str(po(verified_project)),
                     str(verified_project / "locales" / "messages.pot")]):
        subprocess.run(command, check=True)
        assert stats(cli, verified_project)["reviewed"] == total, command[0]
    catalog = polib.pofile(str(po(verified_project)))
    next(e for e in catalog if e.msgid == "Your privacy").msgstr = "Edited later in Poedit"
    catalog.save()
    assert stats(cli, verified_project)["reviewed"] == total - 1  # the confirmation was for the old wording


def test_dashboard_agrees_with_stats_json(project, cli):
    status = json.loads(cli(project, "stats", "--json").output)
    cli(project, "stats", "--html")
    page = (project / "output" / "status" / "index.html").read_text(encoding="utf-8")
    assert len(status["locales"]) == 10
    for row in status["locales"]:
        cells = [row["locale"], str(row["total"]), str(row["reviewed"]), str(row["translated"] - row["reviewed"]),
                 str(row["fuzzy"]), str(row["untranslated"]), f"{row['percent']}%"]
        assert "<tr><td>" + "</td><td>".join(cells) + "</td>" in page, row["locale"]
    for edition in status["editions"]:
        assert f"<td>{edition['edition']}</td>" in page
        for reason in edition["reasons"]:
            assert str(escape(reason)) in page  # the release gate's own words
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing is fetched from anywhere
    assert "<svg" in page
