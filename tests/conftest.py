"""Shared fixtures: temporary copies of the real project, and a small verified one."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.layout import Project

REPO = Path(__file__).resolve().parent.parent
# `make test` runs a small share of each property test's examples; the full counts run nightly
# (AWARENESS_FULL_TESTS=1), as the differential PO test does
FULL = os.environ.get("AWARENESS_FULL_TESTS") == "1"


def examples(full: int) -> int:
    """How many hypothesis examples a property test runs: `full` nightly, a fifth (at least 5) otherwise."""
    return full if FULL else max(5, full // 5)


# Builds render in this process unless a test asks for workers (--jobs 2): each worker process would warm up
# WeasyPrint and the fonts again, and the suite's cost is its CPU time, not its wall time
os.environ.setdefault("AWARENESS_JOBS", "1")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# a fixed build date: fixture contacts were verified on 2026-06-01, i.e. within 12 months of it
FIXED_EPOCH = "1795000000"  # 2026-11-18


def copy_project(target: Path, *, with_catalogs: bool = True) -> Path:
    shutil.copytree(REPO / "source_content", target / "source_content")
    shutil.copy(REPO / "awareness.toml", target / "awareness.toml")
    (target / "locales").mkdir()
    if with_catalogs:
        for po in (REPO / "locales").glob("*/LC_MESSAGES/messages.po"):
            dest = target / "locales" / po.relative_to(REPO / "locales")
            dest.parent.mkdir(parents=True)
            shutil.copy(po, dest)
    if with_catalogs and (REPO / "locales" / "messages.pot").exists():
        shutil.copy(REPO / "locales" / "messages.pot", target / "locales" / "messages.pot")
    return target


def built_copy(target: Path, formats: str, editions) -> tuple[Path, str]:
    """A copy of the real project with `editions` built in `formats`; returns the root and the CLI output."""
    root = copy_project(target)
    args = ["--project", str(root), "build", "--format", formats]
    for edition in editions:
        args += ["--edition", edition]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root, result.output


def po(root: Path, locale: str = "fr") -> Path:
    """A project's catalog of `locale`, where the pipeline keeps it."""
    return Project.at(root).catalog(locale)


def mini_copy(target: Path) -> Path:
    """A small project: the real templates and glossaries, two short documents, the verified GB region."""
    (target / "source_content").mkdir(parents=True)
    shutil.copytree(REPO / "source_content" / "templates", target / "source_content" / "templates")
    shutil.copytree(REPO / "source_content" / "glossary", target / "source_content" / "glossary")
    shutil.copytree(FIXTURES / "verified_regions", target / "source_content" / "regions")
    for name in ("page.md", "leaflet.md"):
        shutil.copy(FIXTURES / "mini" / name, target / "source_content" / name)
    shutil.copy(REPO / "awareness.toml", target / "awareness.toml")
    (target / "locales").mkdir()
    return target


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small project, extracted, at the fixed build date (its contacts count as verified)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    root = mini_copy(tmp_path / "mini")
    result = CliRunner().invoke(main, ["--project", str(root), "extract"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A temporary copy of this repository's real content, catalogs and settings."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def bare_project(tmp_path: Path) -> Path:
    """Real content without any catalogs or POT."""
    return copy_project(tmp_path / "project", with_catalogs=False)


@pytest.fixture
def verified_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Real content with one region (GB) whose contacts were verified live: release builds are possible."""
    root = copy_project(tmp_path / "verified", with_catalogs=False)
    shutil.rmtree(root / "source_content" / "regions")
    shutil.copytree(FIXTURES / "verified_regions", root / "source_content" / "regions")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    return root


class Cli:
    """Runs the real Click command in-process."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, root: Path, *args: str, code: int | None = 0):
        result = self.runner.invoke(main, ["--project", str(root), *args], catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, f"exit {result.exit_code}\n{result.output}"
        return result


@pytest.fixture
def cli() -> Cli:
    return Cli()


def awareness_bin() -> str:
    candidate = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin" / "awareness"
    found = shutil.which("awareness") or (str(candidate) if candidate.exists() else None)
    assert found, "the awareness command is not installed (make test installs it)"
    return found


def run_installed(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([awareness_bin(), "--project", str(root), *args], capture_output=True, text=True)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes, to prove that nothing changed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fill_catalog(path: Path, translate=lambda msgid: f"«{msgid}»") -> None:
    """Translate every entry of a catalog mechanically (markup and placeholders survive)."""
    catalog = polib.pofile(str(path))
    for entry in catalog:
        entry.msgstr = translate(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save()


# --- one build of the real project per test run --------------------------------------------------------

# every print format of these (Latin on letter paper, RTL, Devanagari, CJK, the 35%-longer pseudo-locale)
PRINT_EDITIONS = ("en-US", "ar-EG", "hi-IN", "ja-JP", "qps-US")
_PDFS: dict[Path, object] = {}


def shipped_language_editions() -> list[str]:
    """One edition for every translated language and region pair: the real catalogs in their real scripts."""
    from pipeline.contacts.regions import load_regions
    from pipeline.core.layout import Project

    regions = load_regions(Project.at(REPO))
    return sorted(f"{lang}-{code}" for code, region in regions.items() if code != "INT"
                  for lang in region.languages if lang != "en")


def _digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory) -> Path:
    """The real project built once per test run, for every test that only reads a build: the site of every
    edition (built in a process of its own, which must not import WeasyPrint), every print format of
    PRINT_EDITIONS and qps-DE, the sheet of every translated edition and of en-GB, de-DE's card.
    Tests never write into it: its bytes are compared at the end of the run."""
    root = copy_project(tmp_path_factory.mktemp("shared") / "project")
    result = subprocess.run([sys.executable, "-c", (
        "import sys; from pipeline.cli import main\n"
        f"try:\n    main(['--project', {str(root)!r}, 'build', '--format', 'html', '-q', '--jobs', '1'])\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "sys.exit(10 if 'weasyprint' in sys.modules else code)")], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr  # 10: the HTML build imported WeasyPrint
    sheets = sorted({*shipped_language_editions(), "en-GB"} - set(PRINT_EDITIONS))
    # qps-DE: the pseudo-locale on A4 too (test_pseudo_locale_fits_every_format)
    for formats, editions in (("pdf", (*PRINT_EDITIONS, "qps-DE")), ("sheet", sheets), ("card", ["de-DE"])):
        args = ["--project", str(root), "build", "--format", formats, "--jobs", "1"]  # CPU, not wall time, counts
        for edition in editions:
            args += ["--edition", edition]
        built = CliRunner().invoke(main, args, catch_exceptions=False)
        assert built.exit_code == 0, built.output
        assert "warning[fit]" not in built.output, built.output  # every panel of every format fits
    before = _digest(root / "output")
    yield root
    for pdf in _PDFS.values():
        pdf.close()
    _PDFS.clear()
    assert _digest(root / "output") == before, "a test wrote into the shared build: work on a copy instead"


def shared_pdf(path: Path) -> contextlib.AbstractContextManager:
    """`with shared_pdf(path) as pdf`: pdfplumber's reading of a PDF of the shared build, parsed once per test
    run and shared by the tests that read it (its pages keep their parsed objects); closed at the end of the run."""
    import pdfplumber

    path = Path(path)
    if path not in _PDFS:
        _PDFS[path] = pdfplumber.open(path)
    return contextlib.nullcontext(_PDFS[path])
