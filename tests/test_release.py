"""Fast, reproducible release builds: parallel = serial bytes, incremental rebuilds, bundles and shards."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from conftest import FIXED_EPOCH, Cli, copy_project, tree_bytes

pytestmark = pytest.mark.slow
EDITIONS = ["en-GB", "fr-FR", "de-DE", "ar-EG"]
BUNDLE = "output/awareness-0.1.0.zip"
# what the four editions read: the other catalogs and regions would only lengthen every build's status page
LOCALES, REGIONS = {"en", "fr", "de", "ar"}, {"gb", "fr", "de", "eg", "international"}


@pytest.fixture
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)


def build_args(*extra):
    args = ["build", "--json", "--format", "html,sheet"]  # one leaflet format is enough here: fast
    for edition in EDITIONS:
        args += ["--edition", edition]
    return args + list(extra)


def release_copy(target: Path) -> Path:
    """The real project's documents, templates and settings, with the catalogs and regions of EDITIONS."""
    root = copy_project(target)
    for folder in (root / "locales").iterdir():
        if folder.is_dir() and folder.name not in LOCALES:
            shutil.rmtree(folder)
    for region in (root / "source_content" / "regions").glob("*.toml"):
        if region.stem not in REGIONS:
            region.unlink()
    return root


def outputs(root):
    return {k: v for k, v in tree_bytes(root / "output").items() if not k.endswith((".zip", ".build-times.json"))}


@dataclass(frozen=True)
class Builds:
    serial: Path  # built with --jobs 1, then bundled
    parallel: Path  # built with --jobs 2 from another fresh copy, then bundled: a second clean build


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Builds:
    """Two clean builds of the four editions, serial and parallel, each bundled; read-only to tests
    (a test that changes a project works on a copy)."""
    base, cli = tmp_path_factory.mktemp("release"), Cli()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        serial, parallel = release_copy(base / "serial"), release_copy(base / "parallel")
        cli(serial, *build_args("--jobs", "1"))
        cli(parallel, *build_args("--jobs", "2"))
        for root in (serial, parallel):
            cli(root, "bundle", "--include-drafts")
    return Builds(serial, parallel)


def copy_built(builds: Builds, target: Path) -> Path:
    """A copy of the serial build that a test may change."""
    return Path(shutil.copytree(builds.serial, target, symlinks=True))


def test_parallel_build_gives_the_same_bytes_as_serial(builds):
    serial = outputs(builds.serial)
    assert serial == outputs(builds.parallel)
    assert sorted(k for k in serial if k.endswith(".pdf")) == sorted(f"site/leaflets/{e}.pdf" for e in EDITIONS)


def test_noop_rebuild_renders_nothing_and_one_catalog_rebuilds_its_editions(builds, tmp_path, cli, fixed_date):
    project = copy_built(builds, tmp_path / "project")
    before = {p: p.stat().st_mtime_ns for p in (project / "output").rglob("*") if p.is_file()}
    report = json.loads(cli(project, *build_args()).output)
    assert report["editions"] == [] and sorted(report["unchanged"]) == sorted(EDITIONS)
    assert {p: p.stat().st_mtime_ns for p in (project / "output").rglob("*") if p.is_file()} == before
    catalog_path = project / "locales/fr/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(catalog_path))
    next(e for e in catalog if e.msgid == "Your privacy").msgstr = "Votre vie privée (modifié)"
    catalog.save()
    report = json.loads(cli(project, *build_args()).output)
    assert [e["edition"] for e in report["editions"]] == ["fr-FR"]
    assert "Votre vie privée (modifié)" in (project / "output/site/fr-FR/index.html").read_text()


def test_release_after_a_noop_still_refuses_drafts(builds, tmp_path, cli, fixed_date):
    project = copy_built(builds, tmp_path / "project")  # en-GB is built and current: nothing to render
    result = cli(project, "build", "--edition", "en-GB", "--format", "html,sheet", "--release", code=1)
    assert "edition en-GB is a draft" in result.output


def test_two_clean_builds_give_byte_identical_bundles(builds):
    first, second = builds.serial / BUNDLE, builds.parallel / BUNDLE
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("awareness-0.1.0/manifest.json"))
        sums = archive.read("awareness-0.1.0/SHA256SUMS").decode()
        moment = dt.datetime.fromtimestamp(int(FIXED_EPOCH), dt.timezone.utc)
        stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second // 2 * 2)
        assert all(i.date_time == stamp for i in archive.infolist())
        assert all((i.external_attr >> 16) & 0o777 == 0o644 for i in archive.infolist())
    assert names == sorted(names)
    assert "awareness-0.1.0/site/leaflets/ar-EG.pdf" in names
    assert [e["edition"] for e in manifest["editions"]] == sorted(EDITIONS)
    fr = next(e for e in manifest["editions"] if e["edition"] == "fr-FR")
    catalog = fr["catalog"]
    assert catalog["percent"] == round(100.0 * catalog["translated"] / catalog["needed"], 1) and catalog["needed"] > 200
    assert fr["draft"] and fr["contacts"]
    assert all(f["sha256"] in sums for f in fr["files"])


def test_shards_reassemble_into_the_single_machine_bundle(builds, tmp_path, cli, fixed_date):
    single = copy_built(builds, tmp_path / "single")
    shards = []
    for index in (1, 2):
        root = release_copy(tmp_path / f"shard{index}")
        report = json.loads(cli(root, *build_args("--shard", f"{index}/2")).output)
        assert len(report["editions"]) == 2
        shards.append(root / "output")
    combined = tmp_path / "combined.zip"
    cli(single, "bundle", "--include-drafts", "--input", str(shards[0]), "--input", str(shards[1]),
        "--out", str(combined))
    assert combined.read_bytes() == (builds.serial / BUNDLE).read_bytes()


def test_bundle_takes_only_release_editions_by_default(mini, cli):
    # the small project: its GB contacts were verified, so en-GB may be released
    result = cli(mini, "bundle", code=3)
    assert "run `awareness build` first" in result.output
    cli(mini, "build", "--edition", "en-GB", "--edition", "qps-GB", "--format", "html")
    result = cli(mini, "bundle")
    assert "qps-GB  left out: pseudo-locale" in result.output and "1 editions" in result.output
    with zipfile.ZipFile(mini / BUNDLE) as archive:
        manifest = json.loads(archive.read("awareness-0.1.0/manifest.json"))
    assert [e["edition"] for e in manifest["editions"]] == ["en-GB"]
    assert manifest["editions"][0]["contacts"][0]["verified_on"] == "2026-06-01"


def test_bad_shard_is_a_clear_error(project, cli):
    result = cli(project, "build", "--shard", "5/4", code=2)
    assert "--shard must look like 2/4" in result.output
    shutil.rmtree(project / "output", ignore_errors=True)
