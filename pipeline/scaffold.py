"""`awareness new DIR`: a content project of the NGO's own, started from this package's reference content.

The reference project (this repository's `source_content/`, `locales/` and `awareness.toml`) ships inside
the installed package as `pipeline/starter/` (see setup.py); an editable install reads it from the
repository itself. The new project keeps one region (with every need) and the international contacts,
the documents, templates, glossaries and catalogs, and gets its own settings, README, .gitignore and CI.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .core.errors import UsageError
from .core.layout import LOCALES_DIR, REGIONS_DIR, SETTINGS_FILE, SOURCE_DIR, Project

STARTER = "starter"

GITIGNORE = """\
.venv/
output/
__pycache__/
.awareness.lock
*.mo
"""

CI_SCRIPT = """\
#!/usr/bin/env bash
# What CI checks on every change: catalogs in line with the sources, no check errors, every edition builds.
set -euo pipefail
cd "$(dirname "$0")"
awareness update --check
awareness check --quiet
awareness build
"""

WORKFLOW = """\
# Builds every edition on each push and on demand; the built site and leaflets are kept as an artifact.
name: build
on:
  push:
  workflow_dispatch:
permissions: {}
jobs:
  build:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262  # v4.4.0
        with:
          persist-credentials: false
      - name: System packages (gettext, fonts, PDF tools)
        run: sudo apt-get update && sudo apt-get install -y gettext poppler-utils fonts-noto-core fonts-noto-cjk fontconfig
      - name: The pipeline, as a package
        # pin the release you tested with, e.g. awareness-pipeline==0.1.0, or a path to a clone of it
        run: python3 -m pip install awareness-pipeline
      - run: bash ci.sh
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02  # v4.6.2
        with:
          name: editions
          path: output/
"""

README = """\
# {name}: awareness material

Awareness material about child sexual abuse material (CSAM) for {region}, built with awareness-pipeline.

```sh
awareness build            # every edition into output/site/: upload that folder; the PDFs are in output/site/leaflets/
awareness serve            # a live preview for translators and reviewers
bash ci.sh                 # what CI checks: catalogs up to date, no check errors, every edition builds
```

- `awareness.toml`: your name, web address, logo and colours (they reach the site and every leaflet).
- `source_content/regions/{code}.toml`: your region's hotlines and helplines. Check each contact live on the
  organisation's own site, then record it: `awareness contacts verify {code} CONTACT --how phone --by NAME`.
  Until every printed contact is checked, every edition is marked DRAFT.
- `source_content/*.md`: the text; `locales/`: translations. See the awareness-pipeline README for the rest.
"""


def starter_root() -> Path:
    """Where the reference project is: inside the installed package, or the repository of an editable install."""
    here = Path(__file__).resolve().parent
    for candidate in (here / STARTER, here.parent):
        if (candidate / SETTINGS_FILE).is_file() and (candidate / SOURCE_DIR).is_dir():
            return candidate
    raise UsageError("this installation has no reference project to start from; reinstall awareness-pipeline")


def new_project(target: Path, region: str = "GB", name: str = "Your organisation") -> Project:
    """Write a new content project into `target` (which must not exist or be empty); returns it."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} already exists and is not empty: choose a new folder")
    starter = starter_root()
    code = region.upper()
    region_file = starter / SOURCE_DIR / REGIONS_DIR / f"{code.lower()}.toml"
    if not region_file.is_file():
        known = sorted(p.stem.upper() for p in (starter / SOURCE_DIR / REGIONS_DIR).glob("*.toml")
                       if p.stem != "international")
        raise UsageError(f"no reference data for region '{region}' (known: {', '.join(known)}); start from the "
                         f"nearest one and edit its file")
    target.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(starter / SOURCE_DIR, target / SOURCE_DIR,
                        ignore=shutil.ignore_patterns(REGIONS_DIR, "__pycache__"))
        (target / SOURCE_DIR / REGIONS_DIR).mkdir()
        for source in (region_file, starter / SOURCE_DIR / REGIONS_DIR / "international.toml"):
            shutil.copy(source, target / SOURCE_DIR / REGIONS_DIR / source.name)
        shutil.copytree(starter / LOCALES_DIR, target / LOCALES_DIR, ignore=shutil.ignore_patterns("*.mo"))
        settings = (starter / SETTINGS_FILE).read_text(encoding="utf-8")
        settings = settings.replace('name = "Awareness Pipeline Project"', f'name = "{_toml_text(name)}"', 1)
        (target / SETTINGS_FILE).write_text(settings, encoding="utf-8")
        (target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        (target / "ci.sh").write_text(CI_SCRIPT, encoding="utf-8")
        (target / ".github" / "workflows").mkdir(parents=True)
        (target / ".github" / "workflows" / "build.yml").write_text(WORKFLOW, encoding="utf-8")
        region_name = _region_name(region_file)
        (target / "README.md").write_text(README.format(name=name, region=region_name, code=code), encoding="utf-8")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # nothing half-made is left behind
        raise
    return Project.at(target)


def _toml_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _region_name(path: Path) -> str:
    import tomllib

    return str(tomllib.loads(path.read_text(encoding="utf-8")).get("name", path.stem.upper()))
