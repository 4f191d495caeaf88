"""`awareness extract`: the POT from documents, templates and region data."""

from __future__ import annotations

import subprocess
import time

import polib
from conftest import tree_bytes


def pot_entries(root):
    return {(e.msgctxt, e.msgid): e for e in polib.pofile(str(root / "locales" / "messages.pot"))}


def test_extract_writes_block_messages_with_locations_comments_and_flags(bare_project, cli):
    result = cli(bare_project, "extract")
    assert "written" in result.output
    entries = pot_entries(bare_project)
    title = entries[(None, "What is child sexual abuse material?")]
    assert ("source_content/what-is-csam.md", "2") in title.occurrences
    assert "page title" in title.comment
    placeholder = next(e for k, e in entries.items() if "{emergency_number}" in k[1])
    assert "python-brace-format" in placeholder.flags
    leaflet = [e for (ctx, _), e in entries.items() if ctx == "leaflet"]
    assert leaflet and all("max-length:" in e.comment for e in leaflet)
    # template strings through Babel's Jinja extractor, with their translator comments
    quick_exit = entries[(None, "Exit this page")]
    assert any(path.endswith("templates/exit.html") for path, _ in quick_exit.occurrences)
    assert "neutral page" in quick_exit.comment and "max-length: 24" in quick_exit.comment
    assert "python-format" in entries[(None, "Call the emergency number %(number)s.")].flags
    # region data: names with a context, descriptions
    assert (("region name", "United Kingdom")) in entries
    assert any(path.endswith("regions/gb.toml") for e in entries.values() for path, _ in e.occurrences)


def test_identical_strings_merge_into_one_entry_with_all_locations(bare_project, cli):
    (bare_project / "source_content" / "extra.md").write_text("---\ntitle: Extra\n---\n\nIs a child in danger right now?\n")
    cli(bare_project, "extract")
    entry = pot_entries(bare_project)[(None, "Is a child in danger right now?")]
    files = {path for path, _ in entry.occurrences}
    assert "source_content/extra.md" in files and "source_content/templates/base.html" in files


def test_extract_twice_is_byte_identical_even_later(bare_project, cli):
    cli(bare_project, "extract")
    first = (bare_project / "locales" / "messages.pot").read_bytes()
    time.sleep(1.1)
    result = cli(bare_project, "extract")
    assert "unchanged" in result.output
    assert (bare_project / "locales" / "messages.pot").read_bytes() == first
    cli(bare_project, "extract", "--check")


def test_extract_check_fails_when_content_changed(bare_project, cli):
    cli(bare_project, "extract")
    doc = bare_project / "source_content" / "how-to-report.md"
    doc.write_text(doc.read_text() + "\nA new paragraph.\n")
    result = cli(bare_project, "extract", "--check", code=1)
    assert "out of date" in result.output


def test_pot_is_what_msgcat_writes_and_msgfmt_accepts(bare_project, cli):
    cli(bare_project, "extract")
    pot = bare_project / "locales" / "messages.pot"
    again = subprocess.run(["msgcat", str(pot)], capture_output=True, check=True).stdout
    assert again == pot.read_bytes()
    subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(pot)], check=True)


def test_code_blocks_and_non_text_front_matter_are_not_extracted(bare_project, cli):
    (bare_project / "source_content" / "code.md").write_text(
        "---\ntitle: Code page\norder: 7\n---\n\n```\nsecret_code()\n```\n\n    indented_code()\n\nText.\n")
    cli(bare_project, "extract")
    msgids = {k[1] for k in pot_entries(bare_project)}
    assert "Code page" in msgids and "Text." in msgids
    assert not any("secret_code" in m or "indented_code" in m for m in msgids)
    assert "7" not in msgids


def test_broken_template_is_an_error_with_file_and_line_and_nothing_written(bare_project, cli):
    (bare_project / "source_content" / "templates" / "broken.html").write_text(
        "<p>{{ _('fine') }}</p>\n<p>{% if x %}never closed</p>\n")
    before = tree_bytes(bare_project)
    result = cli(bare_project, "extract", code=3)
    assert "source_content/templates/broken.html:" in result.output
    assert "Traceback" not in result.output
    assert tree_bytes(bare_project) == before


def test_broken_front_matter_names_file_and_line(bare_project, cli):
    (bare_project / "source_content" / "bad.md").write_text("---\ntitle: [unclosed\n---\n\nText\n")
    result = cli(bare_project, "extract", code=3)
    assert "source_content/bad.md:" in result.output and "front matter" in result.output


def test_non_utf8_document_is_refused(bare_project, cli):
    (bare_project / "source_content" / "latin1.md").write_bytes("Caf\xe9 au lait\n".encode("latin-1"))
    result = cli(bare_project, "extract", code=3)
    assert "source_content/latin1.md:1: not valid UTF-8" in result.output
