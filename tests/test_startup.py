"""Start-up of a one-edition build: it validates only the regions it reads, and what it skips changes no byte."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import markdown
import pytest
from conftest import FIXED_EPOCH, awareness_bin, tree_bytes

from pipeline.render.render_html import _MD_LINK, markdown_to_html, sanitize

REGIONS = "source_content/regions"


@pytest.fixture
def small(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real project with four region files: GB, FR, US (the international Take It Down is run from there)
    and the international contacts."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    for path in (project / REGIONS).glob("*.toml"):
        if path.stem not in ("gb", "fr", "us", "international"):
            path.unlink()
    return project


def break_paper(root: Path, name: str) -> None:
    path = root / REGIONS / name
    text = path.read_text(encoding="utf-8")
    assert 'paper = "a4"' in text or 'paper = "letter"' in text
    path.write_text(text.replace('paper = "a4"', 'paper = "A3"').replace('paper = "letter"', 'paper = "A3"'),
                    encoding="utf-8")


def test_a_one_edition_build_skips_a_bad_region_it_does_not_read(small, cli):
    break_paper(small, "fr.toml")
    result = cli(small, "build", "--edition", "en-GB", "--format", "html")
    assert (small / "output/site/en-GB/index.html").is_file()
    # the dashboard shows every edition: it says why it was not refreshed, and which file to mend
    assert f"{REGIONS}/fr.toml:" in result.output and "warning[region]: paper: must be one of" in result.output
    assert "output/status/index.html: warning[dashboard]: not refreshed" in result.output


@pytest.mark.parametrize("args", [(), ("--edition", "fr-FR"), ("--edition", "en-GB", "--edition", "fr-FR")])
def test_a_build_that_reads_a_bad_region_is_refused_before_it_writes(small, cli, args):
    break_paper(small, "fr.toml")
    before = tree_bytes(small)
    result = cli(small, "build", "--format", "html", *args, code=3)
    assert f"{REGIONS}/fr.toml:" in result.output and "paper: must be one of a4, letter" in result.output
    assert tree_bytes(small) == before


def test_a_region_an_edition_names_is_validated(small, cli):
    # the international Take It Down is labelled "(United States)" on en-GB: the US file is read, so validated
    break_paper(small, "us.toml")
    before = tree_bytes(small)
    result = cli(small, "build", "--edition", "en-GB", "--format", "html", code=3)
    assert f"{REGIONS}/us.toml:" in result.output
    assert tree_bytes(small) == before


def test_the_site_of_one_edition_validates_the_regions_it_links(small, cli):
    cli(small, "build", "--format", "html")
    break_paper(small, "fr.toml")
    before = tree_bytes(small)
    # en-GB's pages are rebuilt, and with them the choosers, which name every region in the output
    result = cli(small, "build", "--edition", "en-GB", "--format", "html", "--force", code=3)
    assert f"{REGIONS}/fr.toml:" in result.output
    assert tree_bytes(small) == before


def test_validating_only_the_regions_read_changes_no_byte(small, cli, monkeypatch):
    import pipeline.build

    cli(small, "build", "--edition", "en-GB", "--format", "html,card")
    lazy = tree_bytes(small / "output")
    every = pipeline.build.load_inputs
    monkeypatch.setattr(pipeline.build, "load_inputs", lambda project, some=False: every(project))  # all, at once
    cli(small, "build", "--edition", "en-GB", "--format", "html,card", "--force")
    eager = tree_bytes(small / "output")
    assert "site/leaflets/en-GB.card.pdf" in eager and "site/en-GB/index.html" in eager
    assert {k: v for k, v in lazy.items() if k != ".build-times.json"} == {
        k: v for k, v in eager.items() if k != ".build-times.json"}


MARKDOWN = [
    "Text with a footnote[^1].\n\n[^1]: The note.\n",
    "*[CSAM]: child sexual abuse material\n\nCSAM is a crime.\n",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
    "Term\n:   Its definition.\n",
    "```\ncode {not extracted}\n```\n",
    "## Heading {#anchor}\n\nA paragraph.\n{: .note }\n",
    '<div markdown="1">\n*inside*\n</div>\n',
    "A [link](how-to-report.md#steps) and [another](https://example.org).\n",
]


@pytest.mark.parametrize("text", MARKDOWN)
def test_markdown_is_pythons_extra(text):
    """The extensions are made from `extra`'s own list (not looked up by name): the same HTML."""
    expected = sanitize(markdown.markdown(text, extensions=["extra"], output_format="html"))
    expected = _MD_LINK.sub(lambda m: f'href="{m.group("page")}.html{m.group("anchor") or ""}"', expected)
    assert markdown_to_html(text) == expected


def test_markdown_of_every_shipped_document_is_pythons_extra(project):
    for path in sorted((project / "source_content").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        expected = sanitize(markdown.markdown(text, extensions=["extra"], output_format="html"))
        expected = _MD_LINK.sub(lambda m: f'href="{m.group("page")}.html{m.group("anchor") or ""}"', expected)
        assert markdown_to_html(text) == expected, path.name


def test_stale_template_temporaries_are_removed_by_a_process_that_writes_the_cache(mini, tmp_path):
    cache = tmp_path / "cache"
    folder = cache / "awareness-pipeline/jinja"
    folder.mkdir(parents=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, "XDG_CACHE_HOME": str(cache)}

    def plant(name: str) -> Path:
        left = folder / name
        left.write_bytes(b"half a template")
        old = time.time() - 7200
        os.utime(left, (old, old))
        return left

    def build() -> None:
        result = subprocess.run([awareness_bin(), "--project", str(mini), "build", "--format", "html", "--force"],
                                capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr

    first = plant("__jinja2_abcd.tmp")
    fresh = folder / "__jinja2_efgh.tmp"
    fresh.write_bytes(b"being written")
    build()  # compiles every template into the empty cache, and sweeps
    assert not first.exists() and fresh.exists()  # under an hour old: another process may be writing it
    assert list(folder.glob("*.cache"))
    second = plant("__jinja2_ijkl.tmp")
    build()  # every template is in the cache: nothing is written, the folder is not listed
    assert second.exists()
    # every copy of a project adds its own compiled templates (Jinja keys them by path): the oldest go
    from pipeline.render.render_html import CACHE_LIMIT

    ours = {p.name for p in folder.glob("*.cache")}
    for number in range(CACHE_LIMIT + 10):
        old = plant(f"__jinja2_{number:040x}.cache")
        os.utime(old, (1000 + number, 1000 + number))
    for path in folder.glob("*.cache"):
        if path.name in ours:
            path.unlink()  # so this build compiles and writes again
    build()
    left = {p.name for p in folder.glob("*.cache")}
    assert len(left) <= CACHE_LIMIT and ours <= left  # the newest stay, the oldest planted ones went
    assert f"__jinja2_{CACHE_LIMIT + 9:040x}.cache" in left and f"__jinja2_{0:040x}.cache" not in left


def test_the_font_fingerprint_names_the_file_the_coverage_check_reads():
    from pipeline.edition.incremental import font_identity
    from pipeline.render.fonts import BASE_FONT, font_match, uncovered

    family, file, _ = font_match(BASE_FONT).stdout.split("\n")
    assert family == BASE_FONT and Path(file).is_file()
    assert font_identity(BASE_FONT) == f"{BASE_FONT}={file}:{Path(file).stat().st_size}"
    assert uncovered("Text \u0e01\u0e01 and \u200b more\n", [BASE_FONT]) == ["\u0e01"]  # Thai: no Noto Sans glyph
