"""Bad input never crashes: generated front matter, region files and settings get a documented exit code,
a clear message naming the file, no traceback, and nothing written."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import tomlkit
import yaml
from click.testing import CliRunner
from conftest import FIXED_EPOCH, examples, mini_copy, tree_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import main

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False, width=32),
                    st.text(max_size=30), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(min_size=1, max_size=8), inner, max_size=3), max_leaves=6)
TOML_SCALARS = st.one_of(st.booleans(), st.integers(-5, 10**6), st.text(max_size=30),
                         st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))
TOML_VALUES = st.recursive(TOML_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=8), inner, max_size=3),
    max_leaves=6)
PHONES = st.one_of(st.text(alphabet="0123456789 -+()", max_size=16), st.sampled_from(
    ["000", "0800 1111", "1800 66 66", "999", "116 123", "+44 20 7946 0000", "0808 1000 900", "12"]))
_BASE = None


def base_project() -> Path:
    """One extracted mini project per test session; each example copies it."""
    global _BASE
    if _BASE is None:
        _BASE = mini_copy(Path(tempfile.mkdtemp()) / "base")
        assert CliRunner().invoke(main, ["--project", str(_BASE), "extract"]).exit_code == 0
    return _BASE


def run(root: Path, *args: str):
    result = CliRunner().invoke(main, ["--project", str(root), *args], env={"SOURCE_DATE_EPOCH": FIXED_EPOCH})
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"{args}: {result.exception!r}\n{result.output}"
    assert "Traceback" not in result.output
    return result


def check_refused_or_fine(root: Path, file: str, *args: str) -> None:
    before = tree_bytes(root)
    result = run(root, *args)
    assert result.exit_code in (0, 1, 3), result.output
    if result.exit_code == 3:
        assert file in result.output, result.output  # the message names the file
        assert tree_bytes(root) == before  # and nothing was written


def fresh(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("case") / "p"
    shutil.copytree(base_project(), root)
    return root


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=st.dictionaries(st.sampled_from(["title", "description", "order", "site", "extra", "tags"]), VALUES,
                            max_size=5))
def test_generated_front_matter_never_crashes(tmp_path_factory, meta):
    root = fresh(tmp_path_factory)
    front = yaml.safe_dump(meta, allow_unicode=True) if meta else ""
    (root / "source_content" / "page.md").write_text(f"---\n{front}---\n\nSome text.\n", encoding="utf-8")
    check_refused_or_fine(root, "source_content/page.md", "extract")
    check_refused_or_fine(root, "source_content/page.md", "build", "--format", "html", "--edition", "en-GB")


REGION_KEYS = ["code", "name", "paper", "languages", "emergency", "contacts", "extra"]
CONTACT_KEYS = ["id", "kind", "name", "description", "url", "report_url", "phones", "sms", "hours", "source",
                "status", "verified_on", "qr", "needs", "local_names", "based_in", "directory", "extra"]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_region_files_never_crash(tmp_path_factory, data):
    root = fresh(tmp_path_factory)
    path = root / "source_content" / "regions" / "gb.toml"
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.sampled_from(["region", "contact", "phone"]))
        if where == "region":
            key = data.draw(st.sampled_from(REGION_KEYS))
            if data.draw(st.booleans()) and key in document:
                del document[key]
            else:
                document[key] = data.draw(TOML_VALUES)
        else:
            contacts = document["contacts"] if isinstance(document.get("contacts"), list) else None
            if not contacts:
                continue
            contact = contacts[data.draw(st.integers(0, len(contacts) - 1))]
            if not isinstance(contact, dict):
                continue
            if where == "phone":
                contact["phones"] = data.draw(st.lists(st.one_of(PHONES, st.fixed_dictionaries(
                    {"number": PHONES}, optional={"landline": st.booleans(), "text": st.booleans(),
                                                  "unlisted": st.text(max_size=10)})), max_size=3))
            else:
                key = data.draw(st.sampled_from(CONTACT_KEYS))
                if data.draw(st.booleans()) and key in contact:
                    del contact[key]
                else:
                    contact[key] = data.draw(TOML_VALUES)
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    check_refused_or_fine(root, "source_content/regions/gb.toml", "contacts", "--json")
    check_refused_or_fine(root, "source_content/regions/gb.toml", "extract")


SETTINGS_KEYS = {"publisher": ["name", "url", "logo", "colours", "extra"], "site": ["base_url", "quick_exit_url"],
                 "leaflet": ["paper", "crop_marks", "formats", "large_print", "discreet_card"], "links": ["twins"],
                 "nonsense": ["x"]}


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_settings_never_crash(tmp_path_factory, data):
    root = fresh(tmp_path_factory)
    document = tomlkit.document()
    for section in data.draw(st.lists(st.sampled_from(sorted(SETTINGS_KEYS)), max_size=3, unique=True)):
        table = tomlkit.table()
        for key in data.draw(st.lists(st.sampled_from(SETTINGS_KEYS[section]), max_size=3, unique=True)):
            table[key] = data.draw(TOML_VALUES)
        document[section] = table
    (root / "awareness.toml").write_text(tomlkit.dumps(document), encoding="utf-8")
    check_refused_or_fine(root, "awareness.toml", "build", "--format", "html", "--edition", "en-GB")
    check_refused_or_fine(root, "awareness.toml", "check")


def test_every_problem_of_a_region_file_is_reported_at_once(mini):
    path = mini / "source_content" / "regions" / "gb.toml"
    text = path.read_text().replace('paper = "a4"', 'paper = "A3"').replace('"0800 1111"', '"1800 66 66"')
    path.write_text(text.replace('kind = "crisis"', 'kind = "crises"'))
    result = run(mini, "contacts")
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if "error[region]" in line]
    assert len(lines) == 3, result.output
    assert any("gb.toml:4: error[region]: paper" in line for line in lines)
    assert any("kind 'crises' is not one of" in line for line in lines)
    assert "region file refused: 3 problems" in result.output


def test_a_typo_that_is_another_valid_number_is_refused_with_a_reason(mini):
    path = mini / "source_content" / "regions" / "gb.toml"
    path.write_text(path.read_text().replace('"0800 1111"', '"020 7946 0000"'))
    result = run(mini, "contacts")
    assert result.exit_code == 3
    assert "phones[0]: '020 7946 0000' parses as the London landline 020 7946 0000, not a toll-free" in result.output
    assert 'if this landline is right, write it as { number = "020 7946 0000", landline = true }' in result.output


def test_usage_errors_exit_2_and_refused_inputs_exit_3(mini):
    assert run(mini, "build", "--edition", "xx-YY").exit_code == 2
    assert run(mini, "build", "--format", "leporello").exit_code == 2
    assert run(mini, "contacts", "verify", "GB", "nobody").exit_code == 2
    (mini / "source_content" / "page.md").write_text("---\norder: six\n---\n\nText.\n")
    result = run(mini, "build", "--edition", "en-GB")
    assert result.exit_code == 3 and "source_content/page.md:2: error[front-matter]: 'order' must be a whole number" \
        in result.output
