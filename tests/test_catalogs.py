"""`awareness init`, `update`, `translate` and `stats`: catalogs that gettext tools accept unchanged."""

from __future__ import annotations

import json
import subprocess

import polib
from babel.messages.plurals import get_plural
from conftest import fill_catalog, po, tree_bytes


def msgfmt_ok(path):
    subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)], check=True)


def test_extract_init_update_produce_files_msgfmt_accepts(bare_project, cli):
    cli(bare_project, "extract")
    cli(bare_project, "init", "fr")
    catalog = polib.pofile(str(po(bare_project, "fr")))
    assert catalog.metadata["Language"] == "fr"
    plural = get_plural("fr")  # Babel's CLDR rules (French has a "many" form for millions)
    assert catalog.metadata["Plural-Forms"] == f"nplurals={plural.num_plurals}; plural={plural.plural_expr};"
    cli(bare_project, "update")
    msgfmt_ok(po(bare_project, "fr"))


def test_init_uses_babel_plural_forms(bare_project, cli):
    cli(bare_project, "extract")
    cli(bare_project, "init", "uk")
    header = polib.pofile(str(po(bare_project, "uk"))).metadata["Plural-Forms"]
    assert header.startswith("nplurals=3;")


def test_init_rejects_bad_locales_and_path_traversal(bare_project, cli):
    cli(bare_project, "extract")
    before = tree_bytes(bare_project)
    for bad in ("xx", "../evil", "fr/../../x", "en_ZZZ", ""):
        result = cli(bare_project, "init", bad, code=3)
        assert "locale" in result.output and "Traceback" not in result.output
    assert tree_bytes(bare_project) == before


def test_init_refuses_to_overwrite(bare_project, cli):
    cli(bare_project, "extract")
    cli(bare_project, "init", "de")
    result = cli(bare_project, "init", "de", code=3)
    assert "already exists" in result.output


def change_source(root, old, new):
    doc = root / "source_content" / "how-to-report.md"
    text = doc.read_text()
    assert old in text
    doc.write_text(text.replace(old, new, 1))


def test_update_keeps_translations_fuzzies_changed_and_revives_obsolete(bare_project, cli):
    cli(bare_project, "extract")
    cli(bare_project, "init", "fr")
    fill_catalog(po(bare_project, "fr"))
    cli(bare_project, "update")
    entries = {e.msgid: e for e in polib.pofile(str(po(bare_project, "fr")))}
    original = next(m for m in entries if m.startswith("**Do not open** files"))

    change_source(bare_project, original, original.replace("**Do not open**", "**Never open**"))
    cli(bare_project, "extract")
    result = cli(bare_project, "update", "fr", "--json")
    report = json.loads(result.output)[0]
    assert len(report["fuzzy"]) == 1 and len(report["obsolete"]) == 1
    catalog = polib.pofile(str(po(bare_project, "fr")))
    changed = next(e for e in catalog if e.msgid.startswith("**Never open** files"))
    assert "fuzzy" in changed.flags and changed.previous_msgid == original
    assert changed.msgstr == f"«{original}»"  # the close match is suggested
    assert any(e.obsolete and e.msgid == original for e in catalog)

    change_source(bare_project, original.replace("**Do not open**", "**Never open**"), original)
    cli(bare_project, "extract")
    report = json.loads(cli(bare_project, "update", "fr", "--json").output)[0]
    assert report["revived"] == [original]
    revived = next(e for e in polib.pofile(str(po(bare_project, "fr"))) if e.msgid == original and not e.obsolete)
    assert revived.msgstr == f"«{original}»" and "fuzzy" not in revived.flags
    msgfmt_ok(po(bare_project, "fr"))


def test_update_twice_changes_nothing_and_check_agrees(bare_project, cli):
    cli(bare_project, "extract")
    cli(bare_project, "init", "ja")
    fill_catalog(po(bare_project, "ja"), lambda m: "日本語の訳文" + "、とても長い文章です" * 8 + m)
    cli(bare_project, "update")
    first = po(bare_project, "ja").read_bytes()
    result = cli(bare_project, "update")
    assert "up to date" in result.output
    assert po(bare_project, "ja").read_bytes() == first
    cli(bare_project, "update", "--check")
    # what we write is what GNU gettext writes, CJK wrapping included
    assert subprocess.run(["msgcat", str(po(bare_project, "ja"))], capture_output=True).stdout == first


def test_update_check_reports_stale_pot_and_catalogs_without_writing(bare_project, cli):
    cli(bare_project, "extract")
    cli(bare_project, "init", "es")
    change_source(bare_project, "**Do not open**", "**Do not ever open**")
    before = tree_bytes(bare_project / "locales")
    result = cli(bare_project, "update", "--check", code=1)
    assert "messages.pot: out of date" in result.output
    assert tree_bytes(bare_project / "locales") == before


def test_update_unknown_locale_is_refused(bare_project, cli):
    cli(bare_project, "extract")
    result = cli(bare_project, "update", "zz", code=3)
    assert "no catalog for 'zz'" in result.output


def test_translate_writes_translated_markdown_with_english_fallback(bare_project, cli, tmp_path):
    cli(bare_project, "extract")
    cli(bare_project, "init", "fr")
    catalog = polib.pofile(str(po(bare_project, "fr")))
    for entry in catalog:
        if entry.msgid == "What is child sexual abuse material?" and entry.msgctxt is None:
            entry.msgstr = "Qu'est-ce que le matériel d'abus sexuels sur enfants ?"
    catalog.save()
    out = tmp_path / "md"
    cli(bare_project, "translate", "fr", "--out", str(out))
    text = (out / "what-is-csam.md").read_text()
    assert text.startswith("---\ntitle: \"Qu'est-ce que le matériel d'abus sexuels sur enfants ?\"")
    source_body = (bare_project / "source_content" / "what-is-csam.md").read_text().split("---", 2)[2]
    assert text.split("---", 2)[2] == source_body  # every untranslated block falls back to English


def test_stats_counts_translated_fuzzy_and_untranslated(bare_project, cli):
    cli(bare_project, "extract")
    cli(bare_project, "init", "pl")
    catalog = polib.pofile(str(po(bare_project, "pl")))
    catalog[0].msgstr = "Tłumaczenie"
    catalog[1].msgstr = "Niepewne"
    catalog[1].flags.append("fuzzy")
    catalog.save()
    rows = json.loads(cli(bare_project, "stats", "--json").output)["locales"]
    row = next(r for r in rows if r["locale"] == "pl")
    assert (row["translated"], row["fuzzy"]) == (1, 1)
    assert row["untranslated"] == row["total"] - 2
    table = cli(bare_project, "stats").output
    assert "pl" in table and "%" in table


def _insert(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_command_refuses_a_catalog_gettext_rejects(project, cli, tmp_path):
    # an unescaped quote: msgcat rejects it; it must never be built, counted, rewritten or merged over
    fr = po(project, "fr")
    text = fr.read_text(encoding="utf-8")
    start = text.index("msgstr", text.index('msgid "What it is"'))
    line = text[:start].count("\n") + 1
    fr.write_text(text[:start] + 'msgstr "Trouver de l\'aide" maintenant"' + text[text.index("\n", start):],
                  encoding="utf-8")
    before = tree_bytes(project)
    for args in (["stats"], ["update", "fr"], ["check", "fr"], ["translate", "fr", "--out", str(tmp_path / "t")],
                 ["export", "fr", "--out", str(tmp_path / "x")],
                 ["build", "--edition", "fr-FR", "--format", "html"]):
        result = cli(project, *args, code=3)
        assert f"locales/fr/LC_MESSAGES/messages.po:{line}:" in result.output, (args, result.output)
        assert "Traceback" not in result.output
    after = {k: v for k, v in tree_bytes(project).items() if not k.endswith(".awareness.lock")}
    assert after == before
    assert not (tmp_path / "t").exists() and not (tmp_path / "x").exists()


def test_fuzzy_without_a_space_is_fuzzy_as_gettext_reads_it(project, cli):
    fr = po(project, "fr")
    _insert(fr, 'msgid "What it is"', '#,fuzzy\nmsgid "What it is"')
    rows = json.loads(cli(project, "stats", "--json").output)["locales"]
    assert next(r for r in rows if r["locale"] == "fr")["fuzzy"] == 1
    cli(project, "update", "fr")
    assert "#, fuzzy\nmsgid \"What it is\"" in fr.read_text(encoding="utf-8")  # kept, in gettext's spelling
