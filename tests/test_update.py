"""`update`: catalogs follow the template. Unchanged messages keep their translation, changed ones become fuzzy
with the previous msgid (`#|`), removed ones obsolete and revived when they return; header values we own are
set; `update --check` fails on content (naming the catalog), writes nothing, and passes on formatting only."""

from __future__ import annotations

import re
import subprocess

import polib
import pytest
from conftest import fill_catalog, po, tree_bytes

from pipeline.catalog.update import FuzzyIndex, UpdateReport, merge_template, owned_headers, update_catalogs
from pipeline.core.errors import InputRefused
from pipeline.core.layout import Project

CATALOG_HEAD = """\
msgid ""
msgstr ""
"Project-Id-Version: awareness 1\\n"
"POT-Creation-Date: 2026-11-01 00:00+0000\\n"
"Last-Translator: Ana <ana@example.org>\\n"
"Language: {language}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: {plurals}\\n"

"""
TEMPLATE_HEAD = """\
msgid ""
msgstr ""
"Project-Id-Version: awareness 1\\n"
"POT-Creation-Date: 2026-11-18 00:00+0000\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"

"""
CHANGED_FROM = "Report the web address of the material to the hotline."
CHANGED_TO = "Report the web address of the material to the national hotline."


def catalog(body: str, language: str = "fr", plurals: str = "nplurals=2; plural=(n > 1);") -> polib.POFile:
    return polib.pofile(CATALOG_HEAD.format(language=language, plurals=plurals) + body)


def template(*msgids: str, extra: str = "") -> polib.POFile:
    return polib.pofile(TEMPLATE_HEAD + "".join(f'#: page.md:{n}\nmsgid "{m}"\nmsgstr ""\n\n'
                                                for n, m in enumerate(msgids, 1)) + extra)


def merged(old: polib.POFile, new: polib.POFile, *, fuzzy: bool = True) -> tuple[dict, UpdateReport]:
    """(the merged catalog's entries by (obsolete, msgid), the report)."""
    report = UpdateReport("fr", "locales/fr/LC_MESSAGES/messages.po")
    result = merge_template(old, new, report, fuzzy=fuzzy)
    entries = {(e.obsolete, e.msgctxt, e.msgid): e for e in result}
    assert len(entries) == len(result)  # no entry twice
    return {(o, m): e for (o, c, m), e in entries.items() if c is None}, report


OLD = catalog(f"""\
# (review) machine-assisted draft
#: old.md:9
msgid "Report it"
msgstr "Signalez-le"

#, fuzzy
#| msgid "Get help"
msgid "Get help now"
msgstr "Obtenir de l'aide"

msgid "{CHANGED_FROM}"
msgstr "Signalez l'adresse web du contenu à la ligne."

msgid "Gone for good"
msgstr "Parti pour de bon"

msgid "Never translated, now removed"
msgstr ""

#~ msgid "Once removed"
#~ msgstr "Autrefois retiré"
""")


def test_an_unchanged_msgid_keeps_its_translation_and_comments_but_takes_the_templates_locations():
    entries, report = merged(OLD, template("Report it", "Get help now", CHANGED_FROM, "Gone for good"))
    kept = entries[False, "Report it"]
    assert kept.msgstr == "Signalez-le" and "fuzzy" not in kept.flags
    assert kept.tcomment == "(review) machine-assisted draft" and kept.occurrences == [("page.md", "1")]
    still = entries[False, "Get help now"]  # a fuzzy entry stays fuzzy, with what it was fuzzy against
    assert "fuzzy" in still.flags and still.previous_msgid == "Get help" and still.msgstr == "Obtenir de l'aide"
    assert (report.new, report.fuzzy, report.obsolete, report.revived) == ([], [], [], [])
    assert entries[True, "Once removed"].msgstr == "Autrefois retiré"  # old obsolete entries stay


def merged_text(old: polib.POFile, new: polib.POFile) -> str:
    return str(merge_template(old, new, UpdateReport("fr", "fr.po")))


def test_a_changed_msgid_is_fuzzy_with_the_previous_msgid_and_reverting_the_change_revives_it():
    entries, report = merged(OLD, template("Report it", "Get help now", CHANGED_TO, "Gone for good"))
    changed = entries[False, CHANGED_TO]
    assert "fuzzy" in changed.flags and changed.previous_msgid == CHANGED_FROM
    assert changed.msgstr == "Signalez l'adresse web du contenu à la ligne."  # the close match, to be checked
    assert report.fuzzy == [CHANGED_TO] and report.new == []
    assert entries[True, CHANGED_FROM].msgstr == changed.msgstr  # the old wording is kept, obsolete

    again, report = merged(polib.pofile(merged_text(OLD, template("Report it", "Get help now", CHANGED_TO))),
                           template("Report it", "Get help now", CHANGED_FROM))
    back = again[False, CHANGED_FROM]
    assert report.revived == [CHANGED_FROM]
    assert back.msgstr == "Signalez l'adresse web du contenu à la ligne." and "fuzzy" not in back.flags


def test_a_removed_entry_becomes_obsolete_and_comes_back_when_its_message_does():
    entries, report = merged(OLD, template("Report it", "Get help now", CHANGED_FROM, "Once removed"))
    gone = entries[True, "Gone for good"]
    assert gone.msgstr == "Parti pour de bon" and (False, "Gone for good") not in entries
    assert report.obsolete == ["Gone for good"]
    # an untranslated entry holds no work: it is dropped, not kept obsolete
    assert not any(msgid == "Never translated, now removed" for _, msgid in entries)
    revived = entries[False, "Once removed"]
    assert revived.msgstr == "Autrefois retiré" and not revived.obsolete and report.revived == ["Once removed"]
    assert (True, "Once removed") not in entries


def test_a_new_message_is_untranslated_and_takes_the_templates_comments_and_flags():
    extra = '#. i18n: keep it short\n#: leaflet.md:4\n#, python-brace-format\nmsgid "Call {emergency_number}"\n' \
            'msgstr ""\n'
    entries, report = merged(OLD, template("Report it", extra=extra))
    new = entries[False, "Call {emergency_number}"]
    assert new.msgstr == "" and new.comment == "i18n: keep it short" and new.flags == ["python-brace-format"]
    assert new.occurrences == [("leaflet.md", "4")] and report.new == ["Call {emergency_number}"]


def test_without_fuzzy_matching_a_changed_msgid_is_new_and_untranslated():
    entries, report = merged(OLD, template("Report it", CHANGED_TO), fuzzy=False)
    assert entries[False, CHANGED_TO].msgstr == "" and "fuzzy" not in entries[False, CHANGED_TO].flags
    assert report.new == [CHANGED_TO] and report.fuzzy == []
    assert entries[True, CHANGED_FROM].msgstr  # the work is still kept, obsolete


def test_a_dissimilar_message_gets_no_suggestion_and_the_closest_one_wins():
    old = catalog('msgid "Report the material to the hotline."\nmsgstr "Signalez le contenu à la ligne."\n\n'
                  'msgid "Report the material to the police."\nmsgstr "Signalez le contenu à la police."\n')
    entries, report = merged(old, template("Report the material to the national police.",
                                           "Talk to the hotline staff about anything."))
    assert entries[False, "Report the material to the national police."].previous_msgid == \
        "Report the material to the police."
    assert report.new == ["Talk to the hotline staff about anything."]  # shares a word, not enough of the text
    index = FuzzyIndex(list(old))
    assert index.best("Something else entirely.") is None
    assert index.best("Report the material to the hotline today.").msgid == "Report the material to the hotline."


def test_the_same_text_in_another_context_is_a_new_message_not_a_copy():
    extra = 'msgctxt "leaflet"\nmsgid "Report it"\nmsgstr ""\n'
    report = UpdateReport("fr", "fr.po")
    result = merge_template(OLD, template("Report it", extra=extra), report)
    leaflet = next(e for e in result if e.msgctxt == "leaflet")
    assert leaflet.msgstr == "" and "fuzzy" not in leaflet.flags and report.new == ["Report it"]


def test_header_values_we_own_are_set_and_the_translators_are_kept():
    old = catalog('msgid "Report it"\nmsgstr "Signalez-le"\n', language="fr_FR",
                  plurals="nplurals=2; plural=n>1;")
    report = UpdateReport("fr", "fr.po")
    result = merge_template(old, template("Report it"), report)
    assert result.metadata["Language"] == "fr" and result.metadata["POT-Creation-Date"] == "2026-11-18 00:00+0000"
    assert result.metadata["Last-Translator"] == "Ana <ana@example.org>"
    assert result.metadata["Plural-Forms"] == "nplurals=2; plural=n>1;"  # a platform's own rule is not ours
    assert report.headers == ["Language: 'fr_FR' -> 'fr'"]  # a new POT date is the template's news, not reported
    assert set(owned_headers(template(), "fr")) == {"Project-Id-Version", "POT-Creation-Date", "Language",
                                                   "MIME-Version", "Content-Type", "Content-Transfer-Encoding"}


def test_a_new_plural_message_gets_as_many_forms_as_the_catalog_declares():
    extra = 'msgid "One image"\nmsgid_plural "{n} images"\nmsgstr[0] ""\nmsgstr[1] ""\n'
    polish = catalog('msgid "Report it"\nmsgstr "Zgłoś to"\n', language="pl",
                     plurals="nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);")
    entries, _ = merged(polish, template("Report it", extra=extra))
    assert entries[False, "One image"].msgstr_plural == {0: "", 1: "", 2: ""}


def edit_page(root, old, new):
    page = root / "source_content" / "page.md"
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new), encoding="utf-8")


def test_update_check_names_the_out_of_date_catalog_writes_nothing_and_passes_after_update(mini, cli):
    cli(mini, "init", "fr")
    cli(mini, "init", "de")
    fill_catalog(po(mini))
    edit_page(mini, "- Do not share the material.", "- Do not share the material with anyone.")
    edit_page(mini, "If you are thinking of hurting yourself, contact {crisis_line}.", "Tell an adult you trust.")
    cli(mini, "extract")
    before = tree_bytes(mini)

    result = cli(mini, "update", "--check", "-v", code=1)
    assert tree_bytes(mini) == before  # --check writes nothing
    lines = result.output.splitlines()
    assert "fr: out of date: 1 new, 1 fuzzy, 2 obsolete, 0 revived" in lines
    assert "de: out of date: 2 new, 0 fuzzy, 0 obsolete, 0 revived" in lines
    assert "  fuzzy: Do not share the material with anyone." in lines
    assert "  obsolete: If you are thinking of hurting yourself, contact {crisis_line}." in lines

    cli(mini, "update")
    after = polib.pofile(str(po(mini)))
    changed = after.find("Do not share the material with anyone.")
    assert "fuzzy" in changed.flags and changed.previous_msgid == "Do not share the material."
    assert changed.msgstr == "«Do not share the material.»"
    assert after.find("Tell an adult you trust.").msgstr == ""
    assert after.find("If you are thinking of hurting yourself, contact {crisis_line}.", include_obsolete_entries=True
                      ).obsolete
    run = subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(po(mini))],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr  # GNU gettext accepts what update wrote
    written = tree_bytes(mini / "locales")
    result = cli(mini, "update", "--check")
    assert result.output.splitlines() == ["de: up to date: 0 new, 0 fuzzy, 0 obsolete, 0 revived",
                                          "fr: up to date: 0 new, 0 fuzzy, 0 obsolete, 0 revived"]
    cli(mini, "update")  # a second update changes nothing
    assert tree_bytes(mini / "locales") == written


def test_update_check_passes_a_catalog_that_differs_only_in_formatting(mini, cli):
    cli(mini, "init", "fr")
    fill_catalog(po(mini))
    cli(mini, "update")
    canonical = po(mini).read_bytes()
    rewrapped = polib.pofile(str(po(mini)), wrapwidth=1000)  # an editor that does not wrap lines
    rewrapped.save()
    text = po(mini).read_text(encoding="utf-8")  # a platform that spreads a comment over two `#.` lines
    comment = re.search(r"^#\. (\S+) (.+)$", text, re.M)
    assert comment, "the mini catalog has an extracted comment of two words or more"
    po(mini).write_text(text.replace(comment.group(0), f"#. {comment.group(1)}\n#. {comment.group(2)}", 1),
                             encoding="utf-8")
    assert po(mini).read_bytes() != canonical
    result = cli(mini, "update", "--check")
    assert "fr: formatting only: `awareness update` rewrites it in msgcat's form" in result.output
    assert cli(mini, "update").output.startswith("fr: rewritten in msgcat's form (formatting only")
    assert po(mini).read_bytes() == canonical


def test_update_check_fails_on_a_header_value_we_own_and_on_a_stale_template(mini, cli):
    cli(mini, "init", "fr")
    path = po(mini)
    path.write_text(path.read_text(encoding="utf-8").replace('"Language: fr\\n"', '"Language: fr_FR\\n"'),
                    encoding="utf-8")
    result = cli(mini, "update", "--check", code=1)
    assert "fr: out of date: 0 new, 0 fuzzy, 0 obsolete, 0 revived; header Language: 'fr_FR' -> 'fr'" in result.output
    cli(mini, "update")
    cli(mini, "update", "--check")
    edit_page(mini, "- Do not share the material.", "- Never share the material.")
    result = cli(mini, "update", "--check", code=1)
    assert "locales/messages.pot: out of date; run `awareness extract`" in result.output


def test_updating_a_locale_without_a_catalog_is_refused_with_what_to_do(mini):
    with pytest.raises(InputRefused, match=r"no catalog for 'fr' \(have: none\); create it with `awareness init fr`"):
        update_catalogs(Project.at(mini), ["fr"])
