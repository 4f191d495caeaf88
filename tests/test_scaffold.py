"""`awareness new`: an NGO's own project that builds and passes its own CI command; the package carries the
reference project, so a plain `pip install .` can start one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO, awareness_bin, tree_bytes


def new(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([awareness_bin(), "new", *args], capture_output=True, text=True, cwd=tmp_path)


def test_a_new_project_builds_and_passes_its_own_ci(tmp_path):
    result = new(tmp_path, "ayuda", "--region", "ES", "--name", 'Fundación "Ejemplo"')
    assert result.returncode == 0, result.stderr
    root = tmp_path / "ayuda"
    assert sorted(p.name for p in (root / "source_content" / "regions").iterdir()) == ["es.toml", "international.toml"]
    for name in ("README.md", ".gitignore", "ci.sh", ".github/workflows/build.yml", "awareness.toml"):
        assert (root / name).is_file(), name
    assert 'name = "Fundación \\"Ejemplo\\""' in (root / "awareness.toml").read_text()
    env = dict(os.environ, PATH=f"{Path(awareness_bin()).parent}{os.pathsep}{os.environ['PATH']}")
    ci = subprocess.run(["bash", "ci.sh"], cwd=root, capture_output=True, text=True, env=env)
    assert ci.returncode == 0, ci.stdout + ci.stderr
    site = root / "output" / "site"
    assert (site / "es-ES" / "index.html").is_file() and (site / "leaflets" / "es-ES.card.pdf").is_file()
    assert not (site / "en-GB").exists()  # only its own region's editions
    assert "Fundación" in (site / "es-ES" / "index.html").read_text()


def test_new_refuses_a_folder_in_use_and_an_unknown_region(tmp_path):
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine")
    before = tree_bytes(tmp_path)
    result = new(tmp_path, "used")
    assert result.returncode == 2 and "already exists and is not empty" in result.stderr
    result = new(tmp_path, "fresh", "--region", "ZZ")
    assert result.returncode == 2 and "no reference data for region 'ZZ'" in result.stderr
    assert "Traceback" not in result.stderr and tree_bytes(tmp_path) == before and not (tmp_path / "fresh").exists()


def test_the_package_carries_the_reference_project(tmp_path):
    clone = tmp_path / "clone"  # what a clone holds; the build writes its build/ folder there, not here
    for name in ("pyproject.toml", "setup.py", "README.md", "awareness.toml"):
        shutil.copy(REPO / name, clone / name) if clone.is_dir() else (clone.mkdir(), shutil.copy(REPO / name, clone))
    for name in ("pipeline", "source_content", "locales"):
        shutil.copytree(REPO / name, clone / name, ignore=shutil.ignore_patterns("__pycache__", "starter"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(clone)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("awareness_pipeline-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("pipeline/starter/awareness.toml", "pipeline/starter/source_content/templates/base.html",
                 "pipeline/starter/source_content/templates/static/site.css",
                 "pipeline/starter/source_content/regions/international.toml",
                 "pipeline/starter/locales/messages.pot", "pipeline/scaffold.py"):
        assert name in names, name
