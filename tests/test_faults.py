"""Faults never ship wrong material: a build killed at any write, concurrent builds, a state file or cache that
lies or is damaged, temporaries left by a kill, planted paths in a bundle's input, errors of the machine."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import traceback
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXED_EPOCH, FULL, awareness_bin, examples, fill_catalog, mini_copy, tree_bytes
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.core.records import STATE_VERSION
from pipeline.core.storage import KILL_AT_WRITE

pytestmark = pytest.mark.slow
STATE = "output/.build-state.json"
FR = "locales/fr/LC_MESSAGES/messages.po"
THREE = ["--edition", "en-GB", "--edition", "fr-GB", "--edition", "qps-GB"]


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process commands build at the fixed date, as `mini` does (its contacts count as verified)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)


# each prepared project state: (the state it is made from, what is done to it)
PREPARED = {
    "mini": (None, ("extract",)),  # the small project, extracted: edition en-GB
    "mini, html": ("mini", ("build", "--format", "html", "--jobs", "1")),
    "two": ("mini", ("init", "fr")),  # with a French catalog filled in: editions en-GB and fr-GB
    "two, html": ("two", ("build", "--format", "html", "--jobs", "1")),
    "two, html+card": ("two, html", ("build", "--format", "html,card", "--jobs", "1")),
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory):
    """Each project state this module starts from (see PREPARED), made once; read-only: a test that changes one
    works in a copy (`project_in`)."""
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            base, args = PREPARED[name]
            root = tmp_path_factory.mktemp("prepared") / "project"
            if base is None:
                mini_copy(root)
            else:
                shutil.copytree(get(base), root, symlinks=True)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
                result = CliRunner().invoke(main, ["--project", str(root), *args], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            if name == "two":
                fill_catalog(root / FR)
            made[name] = root
        return made[name]

    return get


@pytest.fixture
def project_in(prepared, tmp_path: Path):
    """A copy of a prepared project state (see PREPARED) for this test to change."""
    return lambda name: shutil.copytree(prepared(name), tmp_path / "project", symlinks=True)


@pytest.fixture
def two_editions(project_in) -> Path:
    """The small project with a French catalog filled in: editions en-GB and fr-GB, nothing built."""
    return project_in("two")


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed command, as a person runs it (a new interpreter: for what lives in a process's memory)."""
    return subprocess.run([awareness_bin(), "--project", str(root), *args], capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, **(env or {})})


class Forked:
    """The command in a process of its own, forked from this one: a real process, which a kill -9 or a Ctrl-C hits
    as it hits the installed command (it runs the same entry point, pipeline.cli:main), without paying for a new
    interpreter and the pipeline's imports at every kill. It leads a process group of its own (with its pool
    workers), as a command started from a terminal does."""

    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.args = ["awareness", "--project", str(root), *args]
        out, err = os.pipe(), os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(out[0])
            os.close(err[0])
            self._child(out[1], err[1], {"SOURCE_DATE_EPOCH": FIXED_EPOCH, **(env or {})})
        os.close(out[1])
        os.close(err[1])
        self.stdout = open(out[0], encoding="utf-8", errors="replace")  # noqa: SIM115 - closed by wait()
        self._stderr = open(err[0], encoding="utf-8", errors="replace")  # noqa: SIM115 - closed by wait()

    def _child(self, out: int, err: int, env: dict[str, str]) -> None:
        code = 70
        try:
            os.setsid()
            os.dup2(out, 1)
            os.dup2(err, 2)
            os.close(out)
            os.close(err)
            sys.stdin = open(os.devnull)  # noqa: SIM115 - the process ends below
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            os.environ.update(env)
            main(self.args[1:], prog_name="awareness")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        except BaseException:  # noqa: BLE001 - what the interpreter prints for an uncaught exception
            traceback.print_exc()
            code = 1
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:  # noqa: BLE001, S110 - the process ends now whatever happens
                    pass
            os._exit(code)  # never back into pytest

    def wait(self, timeout: float = 120) -> subprocess.CompletedProcess:
        """Read what the process (and any worker sharing its output) says until all of them are gone."""
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)  # the process and its workers

        timer = threading.Timer(timeout, expire)
        timer.start()
        errors: list[str] = []
        reader = threading.Thread(target=lambda: errors.append(self._stderr.read()))
        reader.start()
        out = self.stdout.read()
        reader.join()
        timer.cancel()
        timer.join()  # no thread of this process is left running when the next test forks
        self.stdout.close()
        self._stderr.close()
        _, status = os.waitpid(self.pid, 0)
        assert not expired.is_set(), f"{' '.join(self.args)} was still running after {timeout}s: {errors}"
        return subprocess.CompletedProcess(self.args, os.waitstatus_to_exitcode(status), out, errors[0])


def forked(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return Forked(root, *args, env=env).wait()


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
# each write of it is a write of "catalog, html + card" too (which writes the card besides): nightly only
NIGHTLY_KILL_SCENARIOS = {"catalog, html"}


def kill_points(writes: int) -> list[int]:
    """The writes a build is killed at: every one nightly (AWARENESS_FULL_TESTS=1); in `make test` the first, the
    middle one and the last three (the state, the timings and the dashboard come last)."""
    if FULL:
        return list(range(1, writes + 1))
    return sorted({n for n in (1, (writes + 1) // 2, writes - 2, writes - 1, writes) if n >= 1})


def _writes(counted: subprocess.CompletedProcess, root: Path) -> list[str]:
    """What a build run with KILL_AT_WRITE=count wrote, in order (the Nth is where KILL_AT_WRITE=N kills)."""
    prefix = "awareness: test: write "
    lines = [line.removeprefix(prefix) for line in counted.stderr.splitlines() if line.startswith(prefix)]
    assert [int(line.split(": ")[0]) for line in lines] == list(range(1, len(lines) + 1)), counted.stderr
    return [str(Path(line.split(": ", 1)[1]).relative_to(root)) for line in lines]


# a scenario whose every write a wider one also makes runs nightly only (not collected, rather than skipped)
@pytest.mark.parametrize("scenario", [s for s in sorted(KILL_SCENARIOS) if FULL or s not in NIGHTLY_KILL_SCENARIOS])
def test_a_build_killed_at_any_write_then_rebuilt_is_byte_identical_to_a_clean_build(prepared, project_in, cli,
                                                                                    tmp_path, scenario):
    formats, edited, jobs = KILL_SCENARIOS[scenario]
    built = "two, html+card" if "card" in formats else "two, html"
    clean = outputs(prepared(built))  # a clean build, in another folder
    root = project_in(built)
    original = (root / edited).read_bytes() if edited else b""
    # nightly: the installed command, a new interpreter each time, as a person runs it (the time its imports
    # take may add a checkpoint of the state mid-build); else a forked process (see Forked) for the killed build,
    # and this one for the build after it (it need not be killed): each kill costs a build, not two starts
    command = run if FULL else forked

    def change(folder: Path) -> None:  # what the killed build starts from
        if edited is None:
            shutil.rmtree(folder / "output")
        elif edited == FR:
            edit(folder / edited)
        else:
            edit_page(folder / edited)

    # how many writes the build makes, counted in a copy
    counting = shutil.copytree(root, tmp_path / "counting", symlinks=True)
    change(counting)
    counted = command(counting, "build", "--format", formats, "--jobs", jobs, env={KILL_AT_WRITE: "count"})
    assert counted.returncode == 0, counted.stderr
    writes = _writes(counted, counting)
    assert len(writes) >= 6, writes  # every edited page, the state, the dashboard and the timings at least
    if edited is None:
        assert outputs(counting) == clean  # same sources, another folder: same bytes
    points = kill_points(len(writes))
    for n in points:
        change(root)
        killed = command(root, "build", "--format", formats, "--jobs", jobs, env={KILL_AT_WRITE: str(n)})
        if edited:
            (root / edited).write_bytes(original)  # the translator (or author) reverts the edit
        assert killed.returncode == -signal.SIGKILL, f"write {n} of {len(writes)}: {killed.stderr}"
        assert "Traceback" not in killed.stderr
        if FULL:
            rebuilt = run(root, "build", "--format", formats)
            assert rebuilt.returncode == 0 and "Traceback" not in rebuilt.stderr, rebuilt.stderr
        else:
            cli(root, "build", "--format", formats, "--jobs", "1")  # (the killed build is the one with workers)
        got = outputs(root)
        wrong = sorted(k for k in set(got) | set(clean) if got.get(k) != clean.get(k))
        assert not wrong, f"killed at write {n} ({writes[n - 1]}): {wrong} differ from a clean build"
    print(f"{scenario}: killed at {len(points)} of its {len(writes)} writes"
          f"{'' if len(points) == len(writes) else ' (every write nightly)'}, each rebuild byte-identical to a "
          f"clean build")


def test_ctrl_c_at_a_write_is_one_line_and_the_rebuild_is_clean(prepared, project_in, cli):
    clean = outputs(prepared("two, html"))
    root = project_in("two, html")
    original = (root / FR).read_bytes()
    for n in (1, 3):
        edit(root / FR)
        stopped = forked(root, "build", "--format", "html",
                         env={KILL_AT_WRITE: str(n), KILL_AT_WRITE + "_SIGNAL": "SIGINT"})
        (root / FR).write_bytes(original)
        assert stopped.returncode == 130, stopped.stderr
        assert "Traceback" not in stopped.stderr and "awareness: interrupted" in stopped.stderr
        assert not list((root / "output").rglob("*.tmp"))  # an interrupted write removes its temporary
        cli(root, "build", "--format", "html")
        assert outputs(root) == clean


def test_temporaries_left_by_a_kill_are_cleaned_by_the_next_build_and_never_bundled(project_in, cli):
    root = project_in("two, html")
    edit(root / FR)
    assert forked(root, "build", "--format", "html", env={KILL_AT_WRITE: "1"}).returncode == -signal.SIGKILL
    left = list((root / "output").rglob(".*.tmp"))
    assert left, "a kill during a write leaves its temporary"
    planted = root / "output/site/choose/.fr.html.abcd1234.tmp"
    planted.write_text("half a page")
    result = cli(root, "bundle", "--include-drafts", code=3)
    assert "run `awareness build" in result.output  # fr-GB is out of date
    cli(root, "build", "--format", "html")
    assert not list((root / "output").rglob("*.tmp"))
    planted.write_text("half a page")  # as if another kill left it after the build
    cli(root, "bundle", "--include-drafts")
    with zipfile.ZipFile(root / "output/awareness-0.1.0.zip") as archive:
        names = archive.namelist()
        sums = archive.read("awareness-0.1.0/SHA256SUMS").decode()
    assert not [n for n in names if n.endswith(".tmp") or "/." in n]
    assert ".tmp" not in sums and "awareness-0.1.0/site/choose/fr.html" in names


def test_a_killed_bundle_or_extract_leaves_the_old_file_and_the_next_run_cleans_up(project_in, cli):
    root = project_in("two, html")
    cli(root, "bundle", "--include-drafts")
    zipped = (root / "output/awareness-0.1.0.zip").read_bytes()
    (root / "output/awareness-0.1.0.zip").write_bytes(b"an older bundle")
    assert forked(root, "bundle", "--include-drafts", env={KILL_AT_WRITE: "1"}).returncode == -signal.SIGKILL
    assert (root / "output/awareness-0.1.0.zip").read_bytes() == b"an older bundle"
    assert list((root / "output").glob(".awareness-0.1.0.zip.*.tmp"))
    cli(root, "bundle", "--include-drafts")
    assert (root / "output/awareness-0.1.0.zip").read_bytes() == zipped
    assert not list((root / "output").rglob("*.tmp"))
    pot = (root / "locales/messages.pot").read_bytes()
    edit_page(root / "source_content/page.md")
    assert forked(root, "extract", env={KILL_AT_WRITE: "1"}).returncode == -signal.SIGKILL
    assert (root / "locales/messages.pot").read_bytes() == pot and list((root / "locales").glob(".*.tmp"))
    cli(root, "extract")
    assert not list((root / "locales").rglob("*.tmp")) and b"Report the full web address" in (
        root / "locales/messages.pot").read_bytes()


def test_killed_pool_workers_exit_without_a_traceback(two_editions):
    # three editions on two workers: when the parent dies at its first write, a worker is still rendering
    build = Forked(two_editions, "build", "--format", "html,card", "--jobs", "2", *THREE, env={KILL_AT_WRITE: "1"})
    result = build.wait(timeout=60)  # returns when the workers, which share stderr, are gone too
    assert result.returncode == -signal.SIGKILL
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr


def test_ctrl_c_during_a_parallel_build_is_one_line_from_the_parent_only(two_editions, cli):
    root = two_editions
    build = Forked(root, "build", "--format", "html,card", "--jobs", "2", *THREE)
    first = build.stdout.readline()  # one edition is done, the others are being rendered
    assert first.split()[0] in ("en-GB", "fr-GB", "qps-GB"), first
    os.killpg(build.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    result = build.wait(timeout=60)
    assert result.returncode == 130, result.stderr
    assert result.stderr == "awareness: interrupted; what was not finished is redone by the next run\n"
    assert not list((root / "output").rglob("*.tmp"))
    cli(root, "build", "--format", "html,card", *THREE)


# --- concurrent builds ------------------------------------------------------------------------------

def test_concurrent_builds_of_different_editions_lose_no_record(project_in, cli):
    root = project_in("two, html")  # both in the output: each page links the other
    for _ in range(8 if FULL else 2):  # a race: more rounds nightly
        # both rebuilt at once (--force), each in a process of its own: each saves its record while the other
        # does; a record one of them dropped would make the next build redo that edition
        builds = [Forked(root, "build", "--format", "html", "--json", "--force", "--edition", edition)
                  for edition in ("en-GB", "fr-GB")]
        for build in builds:
            result = build.wait()
            assert result.returncode == 0, result.stderr
        assert sorted(state(root)["editions"]) == ["en-GB", "fr-GB"]
        assert json.loads(cli(root, "build", "--format", "html", "--json").stdout)["unchanged"] == ["en-GB", "fr-GB"]


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
def test_a_state_that_fails_its_checks_is_discarded_with_one_warning_and_everything_rebuilt(prepared, project_in,
                                                                                             cli, name):
    clean = outputs(prepared("mini, html"))
    mini = project_in("mini, html")
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


def test_any_damage_to_a_state_is_a_state_error_never_a_crash(prepared):
    from hypothesis import HealthCheck, given, settings

    from pipeline.core.records import BuildState, StateError, safe_output_path

    good = state(prepared("mini, html"))
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


def test_bundle_never_reads_outside_its_input_folders(project_in, cli, tmp_path):
    mini = project_in("mini, html")
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


def test_two_shards_with_the_same_edition_bundle_once_or_are_refused_when_they_differ(project_in, cli, tmp_path):
    mini = project_in("mini, html")
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


def test_draft_reasons_in_a_bundle_come_from_the_gate_not_from_the_state(project_in, cli):
    mini = project_in("mini")
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


def test_a_changed_or_truncated_output_is_rebuilt_and_never_bundled(project_in, cli):
    mini = project_in("mini, html")
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


def test_a_truncated_pdf_is_rebuilt(project_in, cli):
    mini = project_in("two, html+card")
    pdf = mini / "output/site/leaflets/en-GB.card.pdf"
    clean = pdf.read_bytes()
    pdf.write_bytes(clean[: len(clean) // 2])
    assert cli(mini, "bundle", code=3)
    report = json.loads(cli(mini, "build", "--format", "card", "--edition", "en-GB", "--json").stdout)
    assert [e["edition"] for e in report["editions"]] == ["en-GB"]
    assert pdf.read_bytes() == clean


def test_bundle_refuses_an_output_built_from_other_sources(project_in, cli):
    root = project_in("two, html+card")
    edit(root / FR)
    cli(root, "build", "--format", "html", "--edition", "fr-GB")  # the card now shows the old text
    result = cli(root, "bundle", "--include-drafts", code=3)
    assert "edition fr-GB: its card output was built from other sources than these" in result.output
    assert "awareness build --edition fr-GB --format card,html" in result.output
    cli(root, "build", "--edition", "fr-GB", "--format", "card,html")
    cli(root, "bundle", "--include-drafts")


def test_bundle_does_not_need_the_fonts_the_leaflets_were_rendered_with(project_in, cli, monkeypatch):
    root = project_in("two, html+card")
    import pipeline.edition.incremental

    monkeypatch.setattr(pipeline.edition.incremental, "font_identity", lambda family: f"{family}=?")  # no fontconfig
    cli(root, "bundle")


# --- caches ------------------------------------------------------------------------------------------

def test_a_damaged_compiled_template_cache_is_deleted_with_a_warning(project_in, tmp_path):
    from jinja2.bccache import bc_magic

    mini = project_in("mini")  # new interpreters: the compiled templates of this one are in its memory

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
def test_machine_errors_are_one_line_with_the_path_and_exit_4(project_in, cli, monkeypatch, code, words):
    import pipeline.core.storage

    mini = project_in("mini")

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


def test_every_command_turns_a_machine_error_into_one_line(project_in, cli, monkeypatch):
    import pipeline.core.storage

    mini = project_in("mini")

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
def test_a_real_full_or_read_only_disk_is_one_line(project_in, options, words):
    mini = project_in("mini")
    output = mini / "output"
    if not _mount(output, options):
        pytest.skip("needs root and tmpfs mounts")
    try:
        result = forked(mini, "build", "--format", "html")
        assert result.returncode == 4, result.stderr
        assert "Traceback" not in result.stderr and words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    finally:
        subprocess.run(["umount", str(output)], check=True)
