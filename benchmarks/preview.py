#!/usr/bin/env python3
"""Edit-to-preview time of `awareness serve`: save a catalog, wait until the served page shows the edit.

    python3 benchmarks/preview.py [--edition fr-FR] [--rounds 5]

Runs the real command on a copy of the project, saves a changed translation, and polls the page until the
new text is there (the browser's own reload follows the same signal). Prints each round and the median.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import polib
from project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
LOCALE = {"fr-FR": "fr", "de-DE": "de", "ja-JP": "ja", "ar-EG": "ar"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edition", default="fr-FR", choices=sorted(LOCALE))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    project = copy_project(Path(tempfile.mkdtemp()) / "project")
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "awareness"), "--project", str(project), "serve",
                               "--edition", args.edition, "--port", "0"], stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        url = None
        while url is None:
            match = re.search(r"(http://127\.0\.0\.1:\d+/)", server.stdout.readline())
            url = match.group(1) if match else None
        page = f"{url}site/{args.edition}/index.html"
        catalog_path = project / "locales" / LOCALE[args.edition] / "LC_MESSAGES" / "messages.po"
        time.sleep(8)  # let the first leaflet build finish, as a translator would before editing
        seconds = []
        for round_ in range(args.rounds):
            marker = f"edit {round_}"
            catalog = polib.pofile(str(catalog_path))
            entry = next(e for e in catalog if e.msgid == "Your privacy")
            entry.msgstr = f"{entry.msgstr.split(' [')[0]} [{marker}]"
            started = time.perf_counter()
            catalog.save()
            while marker not in urllib.request.urlopen(page).read().decode():
                time.sleep(0.02)
            seconds.append(time.perf_counter() - started)
            print(f"round {round_ + 1}: {seconds[-1]:.2f} s", flush=True)
            time.sleep(6)  # the leaflets of the previous edit are rebuilt in the background
        print(f"median edit-to-preview time, {args.edition}: {statistics.median(seconds):.2f} s")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
