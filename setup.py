"""Packaging: the reference project ships inside the package, so `awareness new` works from a plain install.

pyproject.toml holds the metadata; this only adds a build step that copies this repository's
`source_content/`, `locales/` and `awareness.toml` into `pipeline/starter/` of the built package."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
STARTER = ("source_content", "locales", "awareness.toml")


class BuildWithStarter(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the repository itself
            return
        target = Path(self.build_lib) / "pipeline" / "starter"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name in STARTER:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
            else:
                shutil.copy(source, target / name)


setup(cmdclass={"build_py": BuildWithStarter})
