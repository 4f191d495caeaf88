"""`awareness export` and `merge`: a zoo of bad returned files, three-way conflicts, and a property test."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polib
import pytest
from conftest import Cli, examples, fill_catalog, mini_copy, po, tree_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PAGE_MSGID = "Do not share the material."  # a plain list item of the small project's page.md


@pytest.fixture(scope="module")
def fr_template(tmp_path_factory) -> Path:
    """The small project (two short documents, the real templates, glossaries and GB region) with a French
    catalog that is half translated, and the package exported from it into `package` beside the project (the
    export's snapshot stays in the project). Made once; tests get copies."""
    cli = Cli()
    root = mini_copy(tmp_path_factory.mktemp("merge") / "project")
    cli(root, "extract")
    cli(root, "init", "fr")
    catalog = polib.pofile(str(po(root, "fr")))
    for number, entry in enumerate(catalog):
        if number % 2 == 0:
            entry.msgstr = f"FR {entry.msgid}"
    catalog.save()
    cli(root, "update")
    cli(root, "export", "fr", "--out", str(root.parent / "package"))
    return root


@pytest.fixture
def fr_project(fr_template, tmp_path) -> Path:
    """A copy of the project with a half-translated French catalog, for one test to change."""
    return Path(shutil.copytree(fr_template, tmp_path / "project"))


@pytest.fixture
def sent(fr_template, tmp_path) -> Path:
    """A copy of the package's catalog, as the translator got it (its snapshot is in every fr_project)."""
    return Path(shutil.copytree(fr_template.parent / "package", tmp_path / "package")) / "messages.po"


def exported(root: Path, cli, tmp_path: Path) -> Path:
    out = tmp_path / "package"
    cli(root, "export", "fr", "--out", str(out))
    return out / "messages.po"


def edit(path: Path, changes: dict[str, str], *, fuzzy: bool = False) -> None:
    catalog = polib.pofile(str(path))
    for entry in catalog:
        if entry.msgid in changes and entry.msgctxt is None:
            entry.msgstr = changes[entry.msgid]
            if fuzzy:
                entry.flags.append("fuzzy")
    catalog.save()


def some_msgid(path: Path, predicate) -> str:
    return next(e.msgid for e in polib.pofile(str(path)) if predicate(e))


def test_export_package_has_catalog_glossary_instructions_and_snapshot(fr_project, sent):
    folder = sent.parent
    assert {p.name for p in folder.iterdir()} >= {"messages.po", "glossary.tbx", "INSTRUCTIONS.txt", "glossary.csv"}
    catalog = polib.pofile(str(sent))
    export_id = catalog.metadata["X-Export-Id"]
    assert (fr_project / "locales/fr/exports" / f"{export_id}.po").is_file()
    leaflet = next(e for e in catalog if e.msgctxt == "leaflet")
    assert "Appears on: the printed leaflet" in leaflet.comment and "max-length:" in leaflet.comment
    assert "deprecatedTerm-admn-sts" in (folder / "glossary.tbx").read_text()


def test_merge_accepts_good_work_and_reports(fr_project, sent, cli):
    untranslated = some_msgid(sent, lambda e: e.msgid and not e.msgstr and "{" not in e.msgid and "**" not in e.msgid
                              and "](" not in e.msgid and not any(c.isdigit() for c in e.msgid))
    edit(sent, {untranslated: "Une bonne traduction"})
    result = cli(fr_project, "merge", str(sent), "--json")
    report = json.loads(result.output)[0]
    assert [m["msgid"] for m in report["merged"]] == [untranslated] and report["mode"] == "three-way"
    merged = {e.msgid: e for e in polib.pofile(str(po(fr_project, "fr"))) if e.msgctxt is None}
    assert merged[untranslated].msgstr == "Une bonne traduction"
    # merging the same file again changes nothing
    before = po(fr_project, "fr").read_bytes()
    again = json.loads(cli(fr_project, "merge", str(sent), "--json").output)[0]
    assert again["merged"] == [] and po(fr_project, "fr").read_bytes() == before
    # the merged entry is named in the text report with its line, and keeps the translator's provenance
    edit(sent, {untranslated: "Une meilleure traduction"})
    catalog = polib.pofile(str(sent))
    catalog.metadata.update({"Last-Translator": "Camille <c@example.org>", "PO-Revision-Date": "2026-12-01 10:00+0100"})
    catalog.save()
    result = cli(fr_project, "merge", "--prefer-returned", str(sent))  # its catalog entry changed since export
    assert re.search(rf'messages.po:\d+: info\[merged\]: "{re.escape(untranslated[:40])}', result.output), result.output
    header = polib.pofile(str(po(fr_project, "fr"))).metadata
    assert header["Last-Translator"] == "Camille <c@example.org>" and header["PO-Revision-Date"] == "2026-12-01 10:00+0100"


def test_dry_run_writes_nothing(fr_project, sent, cli):
    edit(sent, {PAGE_MSGID: "Ne partagez pas ce contenu."})
    before = tree_bytes(fr_project / "locales")
    result = cli(fr_project, "merge", "--dry-run", str(sent))
    assert "would merge 1" in result.output
    assert tree_bytes(fr_project / "locales") == before


BAD_ENTRIES = {
    "script": ("<script>alert(1)</script> Pourquoi", "safety"),
    "iframe": ('Pourquoi <iframe src="https://evil.example"></iframe>', "safety"),
    "javascript": ("[Pourquoi](javascript:alert(1))", "markup"),
    "retarget": ("[Pourquoi](https://evil.example/phish)", "markup"),
    "placeholder": ("Appelez {numero}", "placeholders"),
    "number": ("Appelez le 0800 1111", "numbers"),
    "term": ("La pédopornographie", "terminology"),
}


@pytest.mark.parametrize("case", sorted(BAD_ENTRIES))
def test_merge_rejects_bad_entries_and_merges_the_rest(fr_project, sent, cli, case):
    bad, check = BAD_ENTRIES[case]
    edit(sent, {PAGE_MSGID: bad, "Your privacy": "Votre vie privée"})
    result = cli(fr_project, "merge", str(sent), code=1)
    assert f"error[{check}]" in result.output and "Traceback" not in result.output
    merged = {e.msgid: e.msgstr for e in polib.pofile(str(po(fr_project, "fr"))) if e.msgctxt is None}
    assert merged[PAGE_MSGID] != bad
    assert merged["Your privacy"] == "Votre vie privée"


def test_dropped_placeholder_is_rejected(fr_project, sent, cli):
    msgid = some_msgid(sent, lambda e: "{emergency_number}" in e.msgid)
    edit(sent, {msgid: "Appelez les secours."})
    result = cli(fr_project, "merge", str(sent), code=1)
    assert "error[placeholders]" in result.output and "missing {emergency_number}" in result.output


def write_file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(root, cli, path, *expected, args=()):
    before = tree_bytes(root)
    result = cli(root, "merge", *args, str(path), code=3)
    for text in expected:
        assert text in result.output, result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1
    assert tree_bytes(root) == before


def test_wrong_language_header_is_refused(fr_project, sent, cli, tmp_path):
    refused(fr_project, cli, write_file(tmp_path, "de.po", sent.read_bytes().replace(b"Language: fr", b"Language: de")),
            "no catalog for language 'de'")


def test_language_header_with_path_traversal_is_refused(fr_project, sent, cli, tmp_path):
    data = sent.read_bytes().replace(b"Language: fr", b"Language: ../../../etc/passwd")
    refused(fr_project, cli, write_file(tmp_path, "evil.po", data), "is not a language code")


def test_locale_option_must_agree_with_the_header(fr_project, sent, cli):
    refused(fr_project, cli, sent, "is for language 'fr', not 'es'", args=("--locale", "es"))


def test_syntax_error_names_the_line(fr_project, sent, cli, tmp_path):
    lines = sent.read_text().split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("msgstr") and i > 20)
    lines[index] = 'msgstr "unterminated'
    refused(fr_project, cli, write_file(tmp_path, "broken.po", "\n".join(lines).encode()), f"broken.po:{index + 1}:")


def test_latin1_file_is_refused_with_its_line(fr_project, sent, cli, tmp_path):
    text = sent.read_text().replace('msgstr ""\n\n#.', 'msgstr "Qualité"\n\n#.', 2)
    data = text.encode("latin-1", "replace")
    line = data[: data.index("Qualit".encode()) + 6].count(b"\n") + 1
    refused(fr_project, cli, write_file(tmp_path, "latin1.po", data), f"latin1.po:{line}: not valid UTF-8")


def test_mo_file_is_refused(fr_project, cli, tmp_path):
    import subprocess

    mo = tmp_path / "messages.mo"
    subprocess.run(["msgfmt", "-o", str(mo), str(po(fr_project, "fr"))], check=True)
    refused(fr_project, cli, mo, "compiled .mo file")


def test_duplicate_entries_are_refused(fr_project, sent, cli, tmp_path):
    data = sent.read_text() + '\nmsgid "Your privacy"\nmsgstr "Doublon"\n'
    refused(fr_project, cli, write_file(tmp_path, "dup.po", data.encode()), "dup.po:", "duplicate")


def test_bom_and_crlf_are_accepted(fr_project, sent, cli, tmp_path):
    edit(sent, {"Your privacy": "Votre vie privée"})
    data = b"\xef\xbb\xbf" + sent.read_bytes().replace(b"\n", b"\r\n")
    result = cli(fr_project, "merge", str(write_file(tmp_path, "windows.po", data)))
    assert "merged 1" in result.output


def test_file_exported_before_the_catalog_changed_gives_a_conflict(fr_project, sent, cli):
    edit(po(fr_project, "fr"), {PAGE_MSGID: "Ne partagez jamais ce contenu."})  # changed after export
    cli(fr_project, "update")
    edit(sent, {PAGE_MSGID: "Ne partagez pas ce contenu.", "Your privacy": "Votre vie privée"})
    result = cli(fr_project, "merge", str(sent), code=1)
    assert "warning[conflict]" in result.output and "Ne partagez jamais ce contenu." in result.output
    merged = {e.msgid: e.msgstr for e in polib.pofile(str(po(fr_project, "fr"))) if e.msgctxt is None}
    assert merged[PAGE_MSGID] == "Ne partagez jamais ce contenu."
    assert merged["Your privacy"] == "Votre vie privée"


def test_work_on_a_sentence_nothing_resembles_is_reported_with_its_line_and_full_text(fr_project, sent, cli, tmp_path):
    data = sent.read_text() + '\nmsgid "A sentence that no longer exists anywhere at all"\nmsgstr "Une phrase"\n'
    path = write_file(tmp_path, "stale.po", data.encode())
    result = cli(fr_project, "merge", str(path), code=1)  # work that found no place is not silently dropped
    line = data.count("\n", 0, data.index('msgid "A sentence that no longer')) + 1
    assert f"stale.po:{line}: warning[stale]: \"A sentence that no longer exists anywhere at all\"" in result.output
    assert 'your translation was not merged: "Une phrase"' in result.output and "stale 1" in result.output
    assert result.output.count("warning[stale]") == 1  # entries the translator did not touch are not listed


def test_work_on_a_sentence_that_changed_after_export_is_kept_as_a_suggestion(fr_project, sent, cli):
    old, new = PAGE_MSGID, "Do not share the material with anyone."
    doc = fr_project / "source_content" / "page.md"
    doc.write_text(doc.read_text().replace(f"- {old}", f"- {new}"))
    cli(fr_project, "extract")
    cli(fr_project, "update", "--no-fuzzy")
    edit(sent, {old: "Ne partagez pas ce contenu."})
    result = cli(fr_project, "merge", str(sent))
    assert f'info[carried]: the English changed to "{new}"' in result.output, result.output
    entry = next(e for e in polib.pofile(str(po(fr_project, "fr"))) if e.msgid == new)
    assert entry.msgstr == "Ne partagez pas ce contenu." and "fuzzy" in entry.flags and entry.previous_msgid == old


def test_missing_snapshot_is_said_plainly_and_prefer_returned_lets_a_reviewer_win(fr_project, sent, cli):
    shutil.rmtree(fr_project / "locales" / "fr" / "exports")  # e.g. not committed, or another clone
    translated = some_msgid(sent, lambda e: e.msgstr.startswith("FR ") and "{" not in e.msgid and e.msgctxt is None)
    edit(sent, {translated: "Révision de la relectrice"})
    result = cli(fr_project, "merge", str(sent), code=1)
    assert "warning[snapshot]" in result.output and "is not in locales/fr/exports/" in result.output
    assert "merging two-way" in result.output and "--prefer-returned" in result.output
    assert "(two-way)" in result.output and "conflicts 1" in result.output
    result = cli(fr_project, "merge", "--prefer-returned", str(sent))
    assert "conflicts 0" in result.output
    merged = {e.msgid: e.msgstr for e in polib.pofile(str(po(fr_project, "fr"))) if e.msgctxt is None}
    assert merged[translated] == "Révision de la relectrice"


def test_a_conflict_shows_both_texts_and_the_check_errors_of_the_returned_one(fr_project, sent, cli):
    translated = some_msgid(sent, lambda e: e.msgstr.startswith("FR ") and "{" not in e.msgid and "](" not in e.msgid
                            and e.msgctxt is None)
    edit(po(fr_project, "fr"), {translated: "Changé dans le catalogue"})
    cli(fr_project, "update")
    edit(sent, {translated: "Appelez le 0800 1111"})
    result = cli(fr_project, "merge", str(sent), code=1)
    assert 'kept "Changé dans le catalogue"; yours: "Appelez le 0800 1111"' in result.output
    assert "error[numbers]" in result.output  # the check errors of the returned text are listed too


def test_only_the_fuzzy_flag_differs_is_not_a_conflict(fr_project, cli, tmp_path):
    catalog = po(fr_project, "fr")
    translated = some_msgid(catalog, lambda e: e.msgstr.startswith("FR ") and "{" not in e.msgid and e.msgctxt is None)
    edit(catalog, {translated: f"FR {translated}"}, fuzzy=True)
    cli(fr_project, "update")
    sent = exported(fr_project, cli, tmp_path)  # sent as fuzzy
    for path in (catalog, sent):  # both the catalog and the translator confirm the same text
        entries = polib.pofile(str(path))
        next(e for e in entries if e.msgid == translated and e.msgctxt is None).flags.remove("fuzzy")
        entries.save()
    cli(fr_project, "update")
    result = cli(fr_project, "merge", str(sent))
    assert "conflicts 0" in result.output and "warning[conflict]" not in result.output


def test_xliff_round_trip_through_translate_toolkit(fr_project, cli, tmp_path):
    from translate.storage import poxliff

    cli(fr_project, "export", "fr", "--format", "xliff", "--out", str(tmp_path / "package"))
    path = tmp_path / "package" / "messages.xlf"
    assert not (tmp_path / "package" / "messages.po").exists()
    store = poxliff.PoXliffFile.parsestring(path.read_bytes())  # as an agency's CAT tool reads it
    leaflet = [u for u in store.units if u.getcontextgroups("po-extra")]
    assert leaflet, "msgctxt is carried in a context group"
    edits = {"Your privacy": "Votre vie privée", PAGE_MSGID: "<script>x</script> Pourquoi"}
    for unit in store.units:
        if str(unit.source) in edits and not unit.getcontextgroups("po-extra"):
            unit.target = edits[str(unit.source)]
            unit.markfuzzy(False)
    leaflet[0].target = "Titre du dépliant"
    path.write_bytes(bytes(store))
    result = cli(fr_project, "merge", str(path), code=1)
    assert "(three-way)" in result.output  # the export id travelled in the XLIFF header unit
    assert "error[safety]" in result.output and "messages.xlf:" in result.output  # same checks, with a line
    merged = polib.pofile(str(po(fr_project, "fr")))
    plain = {e.msgid: e.msgstr for e in merged if e.msgctxt is None}
    assert plain["Your privacy"] == "Votre vie privée" and plain[PAGE_MSGID] != edits[PAGE_MSGID]
    source = str(leaflet[0].source)
    context = dict(p for g in leaflet[0].getcontextgroups("po-extra") for p in g)["x-po-msgctxt"]
    assert next(e for e in merged if e.msgid == source and e.msgctxt == context).msgstr == "Titre du dépliant"


# --- property: merging never loses a valid translation ------------------------------------------

SAFE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèà ", min_size=3, max_size=30).map(str.strip).filter(bool)
BAD = st.sampled_from(["<b>x</b>", "[x](https://evil.example)", "{nope}", "appelez 112 233", "javascript:x()"])


@pytest.fixture(scope="module")
def property_project(tmp_path_factory):
    from click.testing import CliRunner

    from pipeline.cli import main

    root = mini_copy(tmp_path_factory.mktemp("prop") / "project")
    runner = CliRunner()
    for args in (["extract"], ["init", "fr"]):
        assert runner.invoke(main, ["--project", str(root), *args]).exit_code == 0
    fill_catalog(po(root, "fr"), lambda m: "ancien" if "{" not in m and "](" not in m and "**" not in m
                 and "`" not in m and not any(c.isdigit() for c in m) else "")
    return root


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(st.one_of(SAFE, BAD), min_size=1, max_size=12))
def test_merge_never_loses_a_valid_translation(property_project, tmp_path_factory, values):
    from click.testing import CliRunner

    from pipeline.cli import main

    root = tmp_path_factory.mktemp("case") / "project"
    shutil.copytree(property_project, root)
    plain = [e for e in polib.pofile(str(po(root, "fr"))) if e.msgstr == "ancien"]
    before = {e.msgid: e.msgstr for e in polib.pofile(str(po(root, "fr")))}
    returned = tmp_path_factory.mktemp("ret") / "returned.po"
    shutil.copy(po(root, "fr"), returned)
    edit(returned, {e.msgid: v for e, v in zip(plain, values)})
    runner = CliRunner()
    first = runner.invoke(main, ["--project", str(root), "merge", str(returned)])
    assert first.exit_code in (0, 1), first.output
    after = {e.msgid: e.msgstr for e in polib.pofile(str(po(root, "fr")))}
    for msgid, old in before.items():
        if old:  # kept, or replaced by a value that passed the checks
            assert after[msgid] == old or after[msgid] in values and not any(b == after[msgid] for b in BAD_LIST)
    data = po(root, "fr").read_bytes()
    second = runner.invoke(main, ["--project", str(root), "merge", str(returned)])
    assert second.exit_code in (0, 1) and po(root, "fr").read_bytes() == data


BAD_LIST = ["<b>x</b>", "[x](https://evil.example)", "{nope}", "appelez 112 233", "javascript:x()"]
