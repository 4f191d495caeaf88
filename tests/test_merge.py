"""`awareness export` and `merge`: a zoo of bad returned files, three-way conflicts, and a property test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import copy_project, fill_catalog, tree_bytes

PAGE_MSGID = "Why the words matter"  # a plain heading of what-is-csam.md


def po(root: Path, locale: str) -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / "messages.po"


@pytest.fixture
def fr_project(bare_project, cli):
    """A project with a French catalog that is half translated."""
    cli(bare_project, "extract")
    cli(bare_project, "init", "fr")
    catalog = polib.pofile(str(po(bare_project, "fr")))
    for number, entry in enumerate(catalog):
        if number % 2 == 0:
            entry.msgstr = f"FR {entry.msgid}"
    catalog.save()
    cli(bare_project, "update")
    return bare_project


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


def test_export_package_has_catalog_glossary_instructions_and_snapshot(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    folder = sent.parent
    assert {p.name for p in folder.iterdir()} >= {"messages.po", "glossary.tbx", "INSTRUCTIONS.txt", "glossary.csv"}
    catalog = polib.pofile(str(sent))
    export_id = catalog.metadata["X-Export-Id"]
    assert (fr_project / "locales/fr/exports" / f"{export_id}.po").is_file()
    leaflet = next(e for e in catalog if e.msgctxt == "leaflet")
    assert "Appears on: the printed leaflet" in leaflet.comment and "max-length:" in leaflet.comment
    assert "deprecatedTerm-admn-sts" in (folder / "glossary.tbx").read_text()


def test_merge_accepts_good_work_and_reports(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    untranslated = some_msgid(sent, lambda e: e.msgid and not e.msgstr and "{" not in e.msgid and "**" not in e.msgid
                              and "](" not in e.msgid and not any(c.isdigit() for c in e.msgid))
    edit(sent, {untranslated: "Une bonne traduction"})
    result = cli(fr_project, "merge", str(sent), "--json")
    report = json.loads(result.output)[0]
    assert report["merged"] == [untranslated] and report["mode"] == "three-way"
    merged = {e.msgid: e for e in polib.pofile(str(po(fr_project, "fr"))) if e.msgctxt is None}
    assert merged[untranslated].msgstr == "Une bonne traduction"
    # merging the same file again changes nothing
    before = po(fr_project, "fr").read_bytes()
    again = json.loads(cli(fr_project, "merge", str(sent), "--json").output)[0]
    assert again["merged"] == [] and po(fr_project, "fr").read_bytes() == before


def test_dry_run_writes_nothing(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    edit(sent, {PAGE_MSGID: "Pourquoi les mots comptent"})
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
def test_merge_rejects_bad_entries_and_merges_the_rest(fr_project, cli, tmp_path, case):
    sent = exported(fr_project, cli, tmp_path)
    bad, check = BAD_ENTRIES[case]
    edit(sent, {PAGE_MSGID: bad, "Your privacy": "Votre vie privée"})
    result = cli(fr_project, "merge", str(sent), code=1)
    assert f"error[{check}]" in result.output and "Traceback" not in result.output
    merged = {e.msgid: e.msgstr for e in polib.pofile(str(po(fr_project, "fr"))) if e.msgctxt is None}
    assert merged[PAGE_MSGID] != bad
    assert merged["Your privacy"] == "Votre vie privée"


def test_dropped_placeholder_is_rejected(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
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


def test_wrong_language_header_is_refused(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    refused(fr_project, cli, write_file(tmp_path, "de.po", sent.read_bytes().replace(b"Language: fr", b"Language: de")),
            "no catalog for language 'de'")


def test_language_header_with_path_traversal_is_refused(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    data = sent.read_bytes().replace(b"Language: fr", b"Language: ../../../etc/passwd")
    refused(fr_project, cli, write_file(tmp_path, "evil.po", data), "is not a language code")


def test_locale_option_must_agree_with_the_header(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    refused(fr_project, cli, sent, "is for language 'fr', not 'es'", args=("--locale", "es"))


def test_syntax_error_names_the_line(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    lines = sent.read_text().split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("msgstr") and i > 20)
    lines[index] = 'msgstr "unterminated'
    refused(fr_project, cli, write_file(tmp_path, "broken.po", "\n".join(lines).encode()), f"broken.po:{index + 1}:")


def test_latin1_file_is_refused_with_its_line(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    text = sent.read_text().replace('msgstr ""\n\n#.', 'msgstr "Qualité"\n\n#.', 2)
    data = text.encode("latin-1", "replace")
    line = data[: data.index("Qualit".encode()) + 6].count(b"\n") + 1
    refused(fr_project, cli, write_file(tmp_path, "latin1.po", data), f"latin1.po:{line}: not UTF-8")


def test_mo_file_is_refused(fr_project, cli, tmp_path):
    import subprocess

    mo = tmp_path / "messages.mo"
    subprocess.run(["msgfmt", "-o", str(mo), str(po(fr_project, "fr"))], check=True)
    refused(fr_project, cli, mo, "compiled .mo file")


def test_duplicate_entries_are_refused(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    data = sent.read_text() + '\nmsgid "Your privacy"\nmsgstr "Doublon"\n'
    refused(fr_project, cli, write_file(tmp_path, "dup.po", data.encode()), "dup.po:", "duplicate")


def test_bom_and_crlf_are_accepted(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    edit(sent, {"Your privacy": "Votre vie privée"})
    data = b"\xef\xbb\xbf" + sent.read_bytes().replace(b"\n", b"\r\n")
    result = cli(fr_project, "merge", str(write_file(tmp_path, "windows.po", data)))
    assert "merged 1" in result.output


def test_file_exported_before_the_catalog_changed_gives_a_conflict(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    edit(po(fr_project, "fr"), {PAGE_MSGID: "Pourquoi les mots sont importants"})  # changed after export
    cli(fr_project, "update")
    edit(sent, {PAGE_MSGID: "Pourquoi les mots comptent", "Your privacy": "Votre vie privée"})
    result = cli(fr_project, "merge", str(sent), code=1)
    assert "warning[conflict]" in result.output and "Pourquoi les mots sont importants" in result.output
    merged = {e.msgid: e.msgstr for e in polib.pofile(str(po(fr_project, "fr"))) if e.msgctxt is None}
    assert merged[PAGE_MSGID] == "Pourquoi les mots sont importants"
    assert merged["Your privacy"] == "Votre vie privée"


def test_stale_entries_are_skipped_and_reported(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    data = sent.read_text() + '\nmsgid "A sentence that no longer exists"\nmsgstr "Une phrase"\n'
    result = cli(fr_project, "merge", str(write_file(tmp_path, "stale.po", data.encode())))
    assert "info[stale]" in result.output and "stale 1" in result.output


def test_fuzzy_stays_fuzzy(fr_project, cli, tmp_path):
    sent = exported(fr_project, cli, tmp_path)
    edit(sent, {"Your privacy": "Votre vie privée ?"}, fuzzy=True)
    cli(fr_project, "merge", str(sent))
    entry = next(e for e in polib.pofile(str(po(fr_project, "fr"))) if e.msgid == "Your privacy")
    assert entry.msgstr == "Votre vie privée ?" and "fuzzy" in entry.flags


def test_two_way_merge_without_export_id_never_overwrites_a_translation(fr_project, cli, tmp_path):
    weblate = tmp_path / "weblate.po"
    shutil.copy(po(fr_project, "fr"), weblate)
    translated = some_msgid(weblate, lambda e: e.msgstr.startswith("FR ") and "{" not in e.msgid)
    empty = some_msgid(weblate, lambda e: e.msgid and not e.msgstr and "{" not in e.msgid and "](" not in e.msgid
                       and "**" not in e.msgid and not any(c.isdigit() for c in e.msgid))
    edit(weblate, {translated: "Autre traduction", empty: "Nouvelle traduction"})
    result = cli(fr_project, "merge", str(weblate), code=1)
    assert "(two-way)" in result.output and "warning[conflict]" in result.output
    merged = {e.msgid: e.msgstr for e in polib.pofile(str(po(fr_project, "fr"))) if e.msgctxt is None}
    assert merged[translated] == f"FR {translated}" and merged[empty] == "Nouvelle traduction"


# --- property: merging never loses a valid translation ------------------------------------------

SAFE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèà ", min_size=3, max_size=30).map(str.strip).filter(bool)
BAD = st.sampled_from(["<b>x</b>", "[x](https://evil.example)", "{nope}", "appelez 112 233", "javascript:x()"])


@pytest.fixture(scope="module")
def property_project(tmp_path_factory):
    from click.testing import CliRunner
    from pipeline.cli import main

    root = copy_project(tmp_path_factory.mktemp("prop") / "project", with_catalogs=False)
    runner = CliRunner()
    for args in (["extract"], ["init", "fr"]):
        assert runner.invoke(main, ["--project", str(root), *args]).exit_code == 0
    fill_catalog(po(root, "fr"), lambda m: "ancien" if "{" not in m and "](" not in m and "**" not in m
                 and "`" not in m and not any(c.isdigit() for c in m) else "")
    return root


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
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
