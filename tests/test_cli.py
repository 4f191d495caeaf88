"""The installed `awareness` command, run as a user would: help, version, exit codes, one full round."""

from __future__ import annotations

import shutil

import polib
import pytest
from conftest import run_installed

from pipeline import __version__

COMMANDS = ["extract", "init", "update", "translate", "stats", "check", "export", "merge", "contacts", "build"]


def test_version_and_help_explain_themselves(bare_project):
    version = run_installed(bare_project, "--version")
    assert version.returncode == 0 and __version__ in version.stdout
    top = run_installed(bare_project, "--help")
    assert top.returncode == 0 and "Exit codes" in top.stdout
    for command in COMMANDS:
        result = run_installed(bare_project, command, "--help")
        assert result.returncode == 0 and "Example" in result.stdout, command


def test_usage_error_is_exit_2(bare_project):
    result = run_installed(bare_project, "build", "--format", "docx")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_refused_input_is_one_line_exit_3_without_traceback(bare_project, tmp_path):
    bad = tmp_path / "x.po"
    bad.write_bytes(b"\xde\x12\x04\x95binary")
    result = run_installed(bare_project, "merge", str(bad))
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_missing_project_folder_is_a_usage_error(tmp_path):
    result = run_installed(tmp_path / "nowhere", "extract")
    assert result.returncode == 2 and "is not a folder" in result.stderr


@pytest.mark.slow
def test_extract_init_export_merge_build_round_trip(bare_project, tmp_path):
    for args in (["extract"], ["init", "fr"], ["update"]):
        result = run_installed(bare_project, *args)
        assert result.returncode == 0, result.stderr
    out = tmp_path / "package"
    assert run_installed(bare_project, "export", "fr", "--out", str(out)).returncode == 0
    returned = tmp_path / "returned.po"
    shutil.copy(out / "messages.po", returned)
    catalog = polib.pofile(str(returned))
    for entry in catalog:
        if entry.msgid == "Why the words matter" and entry.msgctxt is None:
            entry.msgstr = "Pourquoi les mots comptent"
    catalog.save()
    merged = run_installed(bare_project, "merge", str(returned))
    assert merged.returncode == 0 and "merged 1" in merged.stdout, merged.stdout + merged.stderr
    built = run_installed(bare_project, "build", "--edition", "fr-FR", "--format", "html")
    assert built.returncode == 0, built.stderr
    page = (bare_project / "output/site/fr-FR/what-is-csam.html").read_text()
    assert "<h2>Pourquoi les mots comptent</h2>" in page
    assert "awaiting review by a native speaker" in page


def test_a_missing_tool_is_named_with_its_package_not_a_refused_input(project):
    import os
    import subprocess
    from pathlib import Path

    from conftest import awareness_bin

    env = dict(os.environ, PATH=str(Path(awareness_bin()).parent))  # no /usr/bin: no msgcat, no fc-match
    result = subprocess.run([awareness_bin(), "--project", str(project), "stats"], capture_output=True, text=True,
                            env=env)
    assert result.returncode == 4, result.stderr
    assert "msgcat is not installed" in result.stderr and "apt-get install gettext" in result.stderr
    assert "Traceback" not in result.stderr and "refused" not in result.stderr


@pytest.mark.parametrize("jobs, workers", [("1", None), ("2", 2)])
def test_awareness_jobs_sets_the_default_number_of_build_workers(mini, cli, monkeypatch, jobs, workers):
    """AWARENESS_JOBS (a shared CI runner, the tests) is build's --jobs when the option is not given."""
    import pipeline.build

    cli(mini, "init", "fr")
    asked = []

    def pool(processes: int):
        asked.append(processes)
        raise RuntimeError("no workers in this test")

    monkeypatch.setattr(pipeline.build, "_pool", pool)
    monkeypatch.setenv("AWARENESS_JOBS", jobs)
    if workers:  # two editions (en-GB, fr-GB) on two workers: the build asks for the pool
        with pytest.raises(RuntimeError, match="no workers"):
            cli(mini, "build", "--format", "html", "--force")
    else:
        cli(mini, "build", "--format", "html", "--force")
    assert asked == ([workers] if workers else [])
    monkeypatch.setenv("AWARENESS_JOBS", "0")
    result = cli(mini, "build", "--format", "html", code=2)
    assert "'--jobs': 0 is not in the range" in result.output
