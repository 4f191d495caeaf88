"""po_io reads msgcat's layout as polib would on our catalogs; its writer gives exactly what GNU msgcat gives.

(The reading of every valid and invalid file against msgcat itself is in test_po_gettext_diff.py.)"""

from __future__ import annotations

import subprocess

import polib
import pytest
from conftest import REPO, examples
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from pipeline.catalog import po_io
from pipeline.catalog.catalogs import _msgcat, po_bytes, read_catalog
from pipeline.core.errors import PipelineError

CATALOGS = sorted(REPO.glob("locales/*/LC_MESSAGES/messages.po")) + [REPO / "locales" / "messages.pot"]
FIELDS = ("msgid", "msgstr", "msgid_plural", "msgctxt", "comment", "tcomment", "occurrences", "flags",
          "previous_msgid", "previous_msgctxt", "previous_msgid_plural", "linenum")


def same_entries(fast: polib.POFile, slow: polib.POFile) -> None:
    assert fast.header == slow.header and fast.metadata == slow.metadata
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow):
        for name in FIELDS:
            assert getattr(a, name) == getattr(b, name), (name, a.msgid[:40])
        assert dict(a.msgstr_plural) == dict(b.msgstr_plural) and bool(a.obsolete) == bool(b.obsolete)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.parent.name if p.suffix == ".po" else "pot")
def test_fast_parse_equals_polib_on_every_catalog(path, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    text = _msgcat(path.read_bytes()).decode("utf-8")
    fast = po_io.parse(text)
    assert fast is not None, "po_io reads msgcat's layout"
    same_entries(fast, polib.pofile(text, wrapwidth=0))
    # read_catalog (msgcat's verdict and reading first) gives the same entries, with the file's own lines,
    # whether the file is in msgcat's layout or not, cold or cached
    same_entries(read_catalog(path, "x.po"), polib.pofile(str(path), wrapwidth=0))
    same_entries(read_catalog(path, "x.po"), polib.pofile(str(path), wrapwidth=0))


def full_msgcat(catalog: polib.POFile) -> bytes:
    """The slow, sure path: every entry written and formatted by msgcat."""
    return _msgcat(po_io.render(catalog))


@pytest.mark.parametrize("path", CATALOGS[:3], ids=lambda p: p.parent.parent.name)
def test_reusing_unchanged_entries_gives_the_bytes_msgcat_gives(path, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    copy = tmp_path / "messages.po"
    copy.write_bytes(_msgcat(path.read_bytes()))  # as the pipeline writes it
    catalog = read_catalog(copy, "x.po", rewrite=True)
    assert po_io.known_canonical(copy.read_bytes(), "msgcat")  # msgcat's own bytes: known from now on
    reused = sum(1 for e in catalog if getattr(e, "_raw", None))
    assert reused == len(catalog)
    # change some entries, add one, make one obsolete: only those go through msgcat again
    entries = [e for e in catalog if not e.obsolete]
    entries[3].msgstr = "changed \"quotes\" and a long line " * 6
    entries[5].flags.append("fuzzy")
    entries[7].obsolete = True
    catalog.append(polib.POEntry(msgid="A brand new message, long enough to need wrapping " * 3, msgstr=""))
    expected = full_msgcat(catalog)
    assert po_bytes(catalog) == expected


def test_a_file_edited_by_another_tool_is_formatted_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "messages.po"
    catalog = polib.POFile(wrapwidth=40)  # not gettext's layout: polib wraps at 40
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "fr"}
    catalog.append(polib.POEntry(msgid="One fairly long message that polib will wrap differently " * 2,
                                 msgstr="Un message assez long que polib coupera autrement " * 2))
    catalog.save(str(path))
    read = read_catalog(path, "x.po", rewrite=True)
    assert not po_io.known_canonical(path.read_bytes(), "msgcat")  # not msgcat's bytes: read through msgcat
    data = po_bytes(read)
    assert data == subprocess.run(["msgcat", "--force-po", "-o", "-", str(path)], capture_output=True,
                                  check=True).stdout


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"), max_size=120) | \
    st.sampled_from(["", "line\nbreak", 'quote " and \\ backslash', "tab\there", "日本語の文字列" * 8, "a " * 60])


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.tuples(TEXT.filter(bool), TEXT, st.one_of(st.none(), TEXT.filter(bool)),
                                  st.booleans(), TEXT, st.booleans()), min_size=1, max_size=8,
                        unique_by=lambda t: (t[2], t[0])))
def test_parse_reads_back_what_msgcat_wrote_for_generated_catalogs(tmp_path, entries):
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "fr"}
    for msgid, msgstr, context, fuzzy, comment, obsolete in entries:
        # GNU gettext joins a comment line that ends in a backslash with the next line (msgcat turns
        # "# \\" + "#: a.md:12" into one comment): a comment nobody can write, so none is generated
        entry = polib.POEntry(msgid=msgid, msgstr=msgstr, msgctxt=context,
                              tcomment=comment.replace("\n", " ").rstrip("\\"),
                              occurrences=[("source_content/a.md", "12")], obsolete=obsolete)
        if fuzzy:
            entry.flags.append("fuzzy")
            entry.previous_msgid = msgid[::-1]
        catalog.append(entry)
    try:
        text = _msgcat(po_io.render(catalog)).decode("utf-8")
    except PipelineError:
        reject()  # not a catalog anyone could have (e.g. a msgid polib may write but gettext refuses)
    parsed = po_io.parse(text)
    assert parsed is not None, "po_io reads everything msgcat writes"
    assert parsed.metadata == catalog.metadata
    # msgcat writes obsolete entries last, and drops those without a translation
    mine = [e for e in sorted(catalog, key=lambda e: bool(e.obsolete)) if e.msgstr or not e.obsolete]
    for e in mine:  # and keeps no fuzzy flag on an untranslated message
        e.flags = e.flags if e.msgstr else []
    assert [(e.msgctxt, e.msgid, e.msgstr, e.flags, e.tcomment, e.occurrences, e.previous_msgid, bool(e.obsolete))
            for e in parsed] == [
           (e.msgctxt, e.msgid, e.msgstr, e.flags, e.tcomment, e.occurrences, e.previous_msgid, bool(e.obsolete))
           for e in mine]


def test_a_file_in_another_layout_keeps_its_own_lines_and_its_reading_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "messages.po"
    path.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                    '#. first\nmsgid "a"\nmsgstr "A"\n#,fuzzy\n\n\n# second\nmsgctxt "c"\nmsgid "b" msgstr "B"\n'
                    '#~ msgid "old"\n#~ msgstr "Old"\n', encoding="utf-8")
    first = read_catalog(path, "x.po")
    assert [(e.msgid, e.linenum, e.flags) for e in first] == [("a", 4, []), ("b", 7, ["fuzzy"]), ("old", 13, [])]
    calls = []
    monkeypatch.setattr("pipeline.catalog.catalogs._gettext_reading", lambda *a: calls.append(a))
    again = read_catalog(path, "x.po")  # the same bytes: msgcat's reading comes from the cache
    assert not calls and [(e.msgid, e.linenum, e.flags) for e in again] == [(e.msgid, e.linenum, e.flags)
                                                                            for e in first]


def test_a_damaged_reading_in_the_cache_is_dropped_and_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "messages.po"
    path.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n#,fuzzy\nmsgid "a"\n'
                    'msgstr "A"\n', encoding="utf-8")
    first = read_catalog(path, "x.po")
    (stored,) = po_io._readings_dir().iterdir()
    for damage in (stored.read_bytes()[:-3], b"", b"not json\n", b'{"sha256": 1}\n'):
        stored.write_bytes(damage)
        again = read_catalog(path, "x.po")
        assert [(e.msgid, e.flags, e.linenum) for e in again] == [(e.msgid, e.flags, e.linenum) for e in first]
