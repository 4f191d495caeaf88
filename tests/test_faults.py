"""Faults never ship wrong material: a build killed at any write, concurrent builds, a state file or cache that
lies or is damaged, temporaries left by a kill, planted paths in a bundle's input, errors of the machine."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import FIXED_EPOCH, awareness_bin, examples, fill_catalog, tree_bytes
from hypothesis import strategies as st

from pipeline.core.records import STATE_VERSION
from pipeline.core.storage import KILL_AT_WRITE

pytestmark = pytest.mark.slow
STATE = "output/.build-state.json"
FR = "locales/fr/LC_MESSAGES/messages.po"


@pytest.fixture
def two_editions(mini, cli) -> Path:
    """The small project with a French catalog filled in: editions en-GB and fr-GB."""
    cli(mini, "init", "fr")
    fill_catalog(mini / FR)
    return mini


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed command, as a person runs it (a kill must hit a real process)."""
    return subprocess.run([awareness_bin(), "--project", str(root), *args], capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, **(env or {})})


def outputs(root: Path) -> dict[str, bytes]:
    """Everything a build leaves in output/, except the timings (which differ from run to run)."""
    return {k: v for k, v in tree_bytes(root / "output").items() if not k.endswith(".build-times.json")}


def edit(catalog: Path) -> None:
    """A translator's edit that changes every page of fr-GB and the French chooser."""
    text = catalog.read_text(encoding="utf-8")
    assert text.count("«") > 20
    catalog.write_text(text.replace("«", "«EDIT "), encoding="utf-8")


def state(root: Path) -> dict:
    return json.loads((root / STATE).read_text(encoding="utf-8"))


def write_state(root: Path, data) -> None:
    (root / STATE).write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


# --- kill -9 at every write ---------------------------------------------------------------------------

def edit_page(page: Path) -> None:
    """An author's edit of a document every edition shows."""
    page.write_text(page.read_text(encoding="utf-8").replace("Report the web address", "Report the full web address"),
                    encoding="utf-8")


# (formats, what is edited before the killed build, --jobs): a catalog edit rebuilds fr-GB alone (serially);
# a document edit rebuilds both editions in two worker processes; "nothing" kills the very first build
KILL_SCENARIOS = {"catalog, html": ("html", FR, "1"), "catalog, html + card": ("html,card", FR, "1"),
                  "document, html, 2 workers": ("html", "source_content/page.md", "2"),
                  "first build, html": ("html", None, "1")}


@pytest.mark.parametrize("scenario", sorted(KILL_SCENARIOS))
def test_a_build_killed_at_any_write_then_rebuilt_is_byte_identical_to_a_clean_build(two_editions, tmp_path,
                                                                                    scenario):
    formats, edited, jobs = KILL_SCENARIOS[scenario]
    root = two_editions
    reference = tmp_path / "reference"
    shutil.copytree(root, reference)
    assert run(reference, "build", "--format", formats).returncode == 0
    clean = outputs(reference)
    assert run(root, "build", "--format", formats).returncode == 0
    assert outputs(root) == clean  # same sources, another folder: same bytes
    source = root / edited if edited else None
    original = source.read_bytes() if source else b""
    kills = 0
    for n in range(1, 200):
        if source is None:
            shutil.rmtree(root / "output")
        elif edited == FR:
            edit(source)
        else:
            edit_page(source)
        killed = run(root, "build", "--format", formats, "--jobs", jobs, env={KILL_AT_WRITE: str(n)})
        if source is not None:
            source.write_bytes(original)  # the translator (or author) reverts the edit
        if killed.returncode == 0:
            break  # n is past the last write: the build finished
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        kills += 1
        rebuilt = run(root, "build", "--format", formats)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert "Traceback" not in rebuilt.stderr + killed.stderr
        got = outputs(root)
        wrong = sorted(k for k in set(got) | set(clean) if got.get(k) != clean.get(k))
        assert not wrong, f"killed at write {n}: {wrong} differ from a clean build"
    else:
        pytest.fail("the build never finished")
    # every edited page, the state, the dashboard and the timings at least
    assert kills >= 6, kills
    print(f"{scenario}: killed at each of {kills} writes, each rebuild byte-identical to a clean build")


def test_ctrl_c_at_a_write_is_one_line_and_the_rebuild_is_clean(two_editions, tmp_path):
    root = two_editions
    reference = tmp_path / "reference"
    shutil.copytree(root, reference)
    assert run(reference, "build", "--format", "html").returncode == 0
    assert run(root, "build", "--format", "html").returncode == 0
    original = (root / FR).read_bytes()
    for n in (1, 3):
        edit(root / FR)
        stopped = run(root, "build", "--format", "html", env={KILL_AT_WRITE: str(n), KILL_AT_WRITE + "_SIGNAL": "SIGINT"})
        (root / FR).write_bytes(original)
        assert stopped.returncode == 130, stopped.stderr
        assert "Traceback" not in stopped.stderr and "awareness: interrupted" in stopped.stderr
        assert not list((root / "output").rglob("*.tmp"))  # an interrupted write removes its temporary
        assert run(root, "build", "--format", "html").returncode == 0
        assert outputs(root) == outputs(reference)


def test_temporaries_left_by_a_kill_are_cleaned_by_the_next_build_and_never_bundled(two_editions):
    root = two_editions
    assert run(root, "build", "--format", "html").returncode == 0
    edit(root / FR)
    assert run(root, "build", "--format", "html", env={KILL_AT_WRITE: "1"}).returncode == -signal.SIGKILL
    left = list((root / "output").rglob(".*.tmp"))
    assert left, "a kill during a write leaves its temporary"
    planted = root / "output/site/choose/.fr.html.abcd1234.tmp"
    planted.write_text("half a page")
    result = run(root, "bundle", "--include-drafts")
    assert result.returncode == 3 and "run `awareness build" in result.stderr  # fr-GB is out of date
    assert run(root, "build", "--format", "html").returncode == 0
    assert not list((root / "output").rglob("*.tmp"))
    planted.write_text("half a page")  # as if another kill left it after the build
    assert run(root, "bundle", "--include-drafts").returncode == 0
    with zipfile.ZipFile(root / "output/awareness-0.1.0.zip") as archive:
        names = archive.namelist()
        sums = archive.read("awareness-0.1.0/SHA256SUMS").decode()
    assert not [n for n in names if n.endswith(".tmp") or "/." in n]
    assert ".tmp" not in sums and "awareness-0.1.0/site/choose/fr.html" in names


def test_a_killed_bundle_or_extract_leaves_the_old_file_and_the_next_run_cleans_up(two_editions, tmp_path):
    root = two_editions
    assert run(root, "build", "--format", "html").returncode == 0
    assert run(root, "bundle", "--include-drafts").returncode == 0
    zipped = (root / "output/awareness-0.1.0.zip").read_bytes()
    (root / "output/awareness-0.1.0.zip").write_bytes(b"an older bundle")
    assert run(root, "bundle", "--include-drafts", env={KILL_AT_WRITE: "1"}).returncode == -signal.SIGKILL
    assert (root / "output/awareness-0.1.0.zip").read_bytes() == b"an older bundle"
    assert list((root / "output").glob(".awareness-0.1.0.zip.*.tmp"))
    assert run(root, "bundle", "--include-drafts").returncode == 0
    assert (root / "output/awareness-0.1.0.zip").read_bytes() == zipped
    assert not list((root / "output").rglob("*.tmp"))
    pot = (root / "locales/messages.pot").read_bytes()
    edit_page(root / "source_content/page.md")
    assert run(root, "extract", env={KILL_AT_WRITE: "1"}).returncode == -signal.SIGKILL
    assert (root / "locales/messages.pot").read_bytes() == pot and list((root / "locales").glob(".*.tmp"))
    assert run(root, "extract").returncode == 0
    assert not list((root / "locales").rglob("*.tmp")) and b"Report the full web address" in (
        root / "locales/messages.pot").read_bytes()


def test_killed_pool_workers_exit_without_a_traceback(two_editions):
    root = two_editions
    # three editions on two workers: when the parent dies at its first write, a worker is still rendering
    editions = ["--edition", "en-GB", "--edition", "fr-GB", "--edition", "qps-GB"]
    process = subprocess.Popen([awareness_bin(), "--project", str(root), "build", "--format", "html,card", "--jobs", "2",
                                *editions],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, KILL_AT_WRITE: "1"})
    _, stderr = process.communicate(timeout=60)  # returns when the workers, which share stderr, are gone too
    assert process.returncode == -signal.SIGKILL
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


def test_ctrl_c_during_a_parallel_build_is_one_line_from_the_parent_only(two_editions):
    root = two_editions
    editions = ["--edition", "en-GB", "--edition", "fr-GB", "--edition", "qps-GB"]
    process = subprocess.Popen([awareness_bin(), "--project", str(root), "build", "--format", "html,card", "--jobs", "2",
                                *editions], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH})
    first = process.stdout.readline()  # one edition is done, the others are being rendered
    assert first.split()[0] in ("en-GB", "fr-GB", "qps-GB"), first
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["awareness: interrupted; what was not finished is redone by the next run"]
    assert not list((root / "output").rglob("*.tmp"))
    assert run(root, "build", "--format", "html,card", *editions).returncode == 0


# --- concurrent builds ------------------------------------------------------------------------------

def test_concurrent_builds_of_different_editions_lose_no_record(two_editions):
    root = two_editions
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
    run(root, "build", "--format", "html")  # both in the output: each page links the other
    for _ in range(4):
        # both rebuilt at once (--force): each saves its record while the other does; a record one of them
        # dropped would make the next build redo that edition
        builds = [subprocess.Popen([awareness_bin(), "--project", str(root), "build", "--format", "html", "--json",
                                    "--force", "--edition", edition], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=env)
                  for edition in ("en-GB", "fr-GB")]
        for build in builds:
            _, err = build.communicate(timeout=120)
            assert build.returncode == 0, err
        assert sorted(state(root)["editions"]) == ["en-GB", "fr-GB"]
        assert json.loads(run(root, "build", "--format", "html", "--json").stdout)["unchanged"] == ["en-GB", "fr-GB"]


# --- a state file that cannot lie ---------------------------------------------------------------------

def _record(root: Path) -> dict:
    return state(root)["editions"]["en-GB"]


BAD_STATES = {
    "list": "[]",
    "null": "null",
    "number": "3",
    "truncated": f'{{"version": {STATE_VERSION}, "editions": {{"en-GB": {{"edi',
    "older version": {"version": STATE_VERSION - 1, "editions": {}},
    "editions a list": {"version": STATE_VERSION, "editions": []},
    "record a string": {"version": STATE_VERSION, "editions": {"en-GB": "x"}},
    "outputs a list": lambda r: {**r, "outputs": []},
    "files a string": lambda r: {**r, "outputs": {"html": {**r["outputs"]["html"], "files": "output/x"}}},
    "draft_reasons a number": lambda r: {**r, "draft_reasons": 1},
    "needed negative": lambda r: {**r, "needed": -1},
    "unknown key": lambda r: {**r, "surprise": True},
    "wrong edition": lambda r: {**r, "edition": "fr-GB"},
    "dotdot path": lambda r: _plant(r, "output/../../../../etc/passwd"),
    "absolute path": lambda r: _plant(r, "/etc/passwd"),
    "outside output": lambda r: _plant(r, "locales/fr/LC_MESSAGES/messages.po"),
}


def _plant(record: dict, path: str) -> dict:
    html = dict(record["outputs"]["html"])
    html["files"] = [*html["files"], path]
    html["digests"] = {**html["digests"], path: {"size": 1, "sha256": "0" * 64}}
    return {**record, "outputs": {**record["outputs"], "html": html}}


def _bad_state(root: Path, name: str):
    bad = BAD_STATES[name]
    if callable(bad):
        data = state(root)
        data["editions"]["en-GB"] = bad(_record(root))
        return data
    return bad


@pytest.mark.parametrize("name", sorted(BAD_STATES))
def test_a_state_that_fails_its_checks_is_discarded_with_one_warning_and_everything_rebuilt(mini, cli, name):
    cli(mini, "build", "--format", "html")
    clean = outputs(mini)
    write_state(mini, _bad_state(mini, name))
    result = cli(mini, "bundle", "--include-drafts", code=3)  # never trusted, never a traceback
    assert result.output.count("\n") == 1 and "build state refused" in result.output
    assert not (mini / "output/awareness-0.1.0.zip").exists()
    result = cli(mini, "build", "--format", "html", "--json")
    warnings = [i for i in json.loads(result.stdout)["issues"] if i["check"] == "state"]
    assert len(warnings) == 1 and "build state discarded" in warnings[0]["message"]
    assert [e["edition"] for e in json.loads(result.stdout)["editions"]] == ["en-GB"]  # rebuilt
    assert outputs(mini) == clean


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)


def _paths(data, trail=()):
    """Every (path to a value, value) of a JSON document."""
    yield trail, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*trail, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*trail, index))


def test_any_damage_to_a_state_is_a_state_error_never_a_crash(mini, cli):
    from hypothesis import HealthCheck, given, settings

    from pipeline.core.records import BuildState, StateError, safe_output_path

    cli(mini, "build", "--format", "html")
    good = state(mini)
    places = [trail for trail, _ in _paths(good)]

    @settings(max_examples=examples(400), deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(places), JSON)
    def damaged(trail, value):
        data = json.loads(json.dumps(good))
        if not trail:
            data = value
        else:
            parent = data
            for step in trail[:-1]:
                parent = parent[step]
            parent[trail[-1]] = value
        try:
            parsed = BuildState.parse(data)
        except StateError:
            return
        for record in parsed.editions.values():  # what is accepted is well formed
            assert all(safe_output_path(f) for f in record.files)
            assert all(isinstance(n, int) and n >= 0 for n in (record.needed, record.translated, record.unreviewed))

    damaged()


def test_bundle_never_reads_outside_its_input_folders(mini, cli, tmp_path):
    cli(mini, "build", "--format", "html")
    good = state(mini)
    # a shard artifact from CI, carrying a planted path
    shard = tmp_path / "shard" / "output"
    shutil.copytree(mini / "output", shard)
    data = json.loads(json.dumps(good))
    data["editions"]["en-GB"] = _plant(data["editions"]["en-GB"], "output/../../etc/passwd")
    (shard / ".build-state.json").write_text(json.dumps(data))
    result = cli(mini, "bundle", "--input", str(shard), "--out", str(tmp_path / "b.zip"), code=3)
    assert "is not a relative path inside output/" in result.output and not (tmp_path / "b.zip").exists()
    # a path that is inside output/ but belongs to no output of the edition (another edition's, the state itself)
    for path in ("output/.build-state.json", "output/status/index.html"):
        data = json.loads(json.dumps(good))
        digest = {"size": (mini / path).stat().st_size,
                  "sha256": __import__("hashlib").sha256((mini / path).read_bytes()).hexdigest()}
        data["editions"]["en-GB"]["outputs"]["html"]["files"].append(path)
        data["editions"]["en-GB"]["outputs"]["html"]["digests"][path] = digest
        (shard / ".build-state.json").write_text(json.dumps(data))
        result = cli(mini, "bundle", "--input", str(shard), "--out", str(tmp_path / "b.zip"), code=3)
        assert "not a file of its html output" in result.output
    # a symlink out of the folder, recorded with the right hash of what it points to
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the bundle")
    (shard / "site/en-GB/evil.html").symlink_to(secret)
    data = json.loads(json.dumps(good))
    data["editions"]["en-GB"]["outputs"]["html"]["files"].append("output/site/en-GB/evil.html")
    data["editions"]["en-GB"]["outputs"]["html"]["digests"]["output/site/en-GB/evil.html"] = {
        "size": secret.stat().st_size, "sha256": __import__("hashlib").sha256(secret.read_bytes()).hexdigest()}
    (shard / ".build-state.json").write_text(json.dumps(data))
    result = cli(mini, "bundle", "--input", str(shard), "--out", str(tmp_path / "b.zip"), code=3)
    assert "evil.html is missing" in result.output and not (tmp_path / "b.zip").exists()
    # the untouched shard bundles, and ships only its own files
    (shard / ".build-state.json").write_text(json.dumps(good))
    cli(mini, "bundle", "--input", str(shard), "--out", str(tmp_path / "b.zip"))
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        assert not [n for n in archive.namelist() if "evil" in n or "passwd" in n or "/." in n]


def test_two_shards_with_the_same_edition_bundle_once_or_are_refused_when_they_differ(mini, cli, tmp_path):
    cli(mini, "build", "--format", "html")
    first, second = tmp_path / "a" / "output", tmp_path / "b" / "output"
    shutil.copytree(mini / "output", first)
    shutil.copytree(mini / "output", second)
    cli(mini, "bundle", "--input", str(first), "--input", str(second), "--out", str(tmp_path / "ab.zip"))
    cli(mini, "bundle", "--out", str(tmp_path / "single.zip"))
    assert (tmp_path / "ab.zip").read_bytes() == (tmp_path / "single.zip").read_bytes()
    data = json.loads((second / ".build-state.json").read_text())
    data["editions"]["en-GB"]["outputs"]["html"]["inputs"] = "0" * 64
    (second / ".build-state.json").write_text(json.dumps(data))
    result = cli(mini, "bundle", "--input", str(first), "--input", str(second), "--out", str(tmp_path / "c.zip"),
                 code=3)
    assert "edition en-GB was built from different inputs in two shards" in result.output


def test_draft_reasons_in_a_bundle_come_from_the_gate_not_from_the_state(mini, cli):
    cli(mini, "init", "fr")  # untranslated: fr-GB is a draft
    cli(mini, "build", "--format", "html")
    data = state(mini)
    data["editions"]["fr-GB"].update(draft_reasons=[], unreviewed=0, check_errors=[], translated=1, needed=1)
    write_state(mini, data)
    result = cli(mini, "bundle")
    assert "fr-GB   left out: draft" in result.output and "1 editions" in result.output
    result = cli(mini, "bundle", "--include-drafts")
    with zipfile.ZipFile(mini / "output/awareness-0.1.0.zip") as archive:
        manifest = json.loads(archive.read("awareness-0.1.0/manifest.json"))
    fr = next(e for e in manifest["editions"] if e["edition"] == "fr-GB")
    assert fr["draft"] and "untranslated" in fr["draft_reasons"][0] and fr["catalog"]["needed"] > 1
    # the same for `build --release` when nothing needs rendering
    result = cli(mini, "build", "--format", "html", "--edition", "fr-GB", "--release", code=1)
    assert "edition fr-GB is a draft" in result.output


def test_a_changed_or_truncated_output_is_rebuilt_and_never_bundled(mini, cli):
    cli(mini, "build", "--format", "html")
    page = mini / "output/site/en-GB/index.html"
    clean = page.read_bytes()
    page.write_bytes(clean[: len(clean) // 2])
    result = cli(mini, "bundle", code=3)
    assert "output/site/en-GB/index.html does not match its build record" in result.output
    report = json.loads(cli(mini, "build", "--format", "html", "--json").stdout)
    assert [e["edition"] for e in report["editions"]] == ["en-GB"] and page.read_bytes() == clean
    page.write_bytes(clean.replace(b"<main", b"<main data-x", 1))  # same size, other bytes
    assert [e["edition"] for e in json.loads(cli(mini, "build", "--format", "html", "--json").stdout)["editions"]] \
        == ["en-GB"]
    assert page.read_bytes() == clean
    cli(mini, "bundle")


def test_a_truncated_pdf_is_rebuilt(mini, cli):
    cli(mini, "build", "--format", "card", "--edition", "en-GB")
    pdf = mini / "output/site/leaflets/en-GB.card.pdf"
    clean = pdf.read_bytes()
    pdf.write_bytes(clean[: len(clean) // 2])
    assert cli(mini, "bundle", code=3)
    report = json.loads(cli(mini, "build", "--format", "card", "--edition", "en-GB", "--json").stdout)
    assert [e["edition"] for e in report["editions"]] == ["en-GB"]
    assert pdf.read_bytes() == clean


def test_bundle_refuses_an_output_built_from_other_sources(two_editions, cli):
    root = two_editions
    cli(root, "build", "--format", "html,card", "--edition", "fr-GB")
    edit(root / FR)
    cli(root, "build", "--format", "html", "--edition", "fr-GB")  # the card now shows the old text
    result = cli(root, "bundle", "--include-drafts", code=3)
    assert "edition fr-GB: its card output was built from other sources than these" in result.output
    assert "awareness build --edition fr-GB --format card,html" in result.output
    cli(root, "build", "--edition", "fr-GB", "--format", "card,html")
    cli(root, "bundle", "--include-drafts")


def test_bundle_does_not_need_the_fonts_the_leaflets_were_rendered_with(two_editions, cli, monkeypatch):
    root = two_editions
    cli(root, "build", "--format", "html,card", "--edition", "en-GB")
    import pipeline.edition.incremental

    monkeypatch.setattr(pipeline.edition.incremental, "font_identity", lambda family: f"{family}=?")  # no fontconfig
    cli(root, "bundle")


# --- caches ------------------------------------------------------------------------------------------

def test_a_damaged_compiled_template_cache_is_deleted_with_a_warning(mini, tmp_path):
    from jinja2.bccache import bc_magic

    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache)}
    assert run(mini, "build", "--format", "html", "--jobs", "1", env=env).returncode == 0
    files = sorted((cache / "awareness-pipeline/jinja").glob("*.cache"))
    assert files
    for file in files:
        file.write_bytes(file.read_bytes()[: len(bc_magic) + 3])  # a truncated pickle
    result = run(mini, "build", "--format", "html", "--jobs", "1", "--force", env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert result.stderr.count("compiled-template cache") == 1
    assert all(f.stat().st_size > len(bc_magic) + 3 for f in files)  # compiled and stored again
    result = run(mini, "build", "--format", "html", "--jobs", "1", "--force", env=env)
    assert "warning" not in result.stderr


# --- errors of the machine ----------------------------------------------------------------------------

@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "the disk is full"), (errno.EACCES, "permission denied"),
                                         (errno.EROFS, "read-only")])
def test_machine_errors_are_one_line_with_the_path_and_exit_4(mini, cli, monkeypatch, code, words):
    import pipeline.core.storage

    real = pipeline.core.storage.os.fsync

    def failing(fd):  # the write fails as the disk would fail it: without a file name
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(pipeline.core.storage.os, "fsync", failing)
    result = cli(mini, "build", "--format", "html", code=4)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "/output/" in lines[0], result.output
    monkeypatch.setattr(pipeline.core.storage.os, "fsync", real)
    assert not list((mini / "output").rglob("*.tmp"))
    cli(mini, "build", "--format", "html")


def test_every_command_turns_a_machine_error_into_one_line(mini, cli, monkeypatch):
    import pipeline.core.storage

    def refused(*args, dir=None, **kwargs):  # noqa: A002 - tempfile's name
        raise PermissionError(errno.EACCES, "Permission denied", str(dir))

    monkeypatch.setattr(pipeline.core.storage.tempfile, "mkstemp", refused)
    edit_page(mini / "source_content/page.md")
    before = tree_bytes(mini / "locales")
    result = cli(mini, "extract", code=4)
    assert result.output == f"awareness: error: {mini / 'locales'}: permission denied; make it writable (or readable) " \
                            f"for this user, or use another --project folder\n"
    assert tree_bytes(mini / "locales") == before


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("options, words", [("size=8k", "the disk is full"), ("ro", "read-only")])
def test_a_real_full_or_read_only_disk_is_one_line(mini, options, words):
    output = mini / "output"
    if not _mount(output, options):
        pytest.skip("needs root and tmpfs mounts")
    try:
        result = run(mini, "build", "--format", "html")
        assert result.returncode == 4, result.stderr
        assert "Traceback" not in result.stderr and words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    finally:
        subprocess.run(["umount", str(output)], check=True)
