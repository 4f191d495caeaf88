"""The test suite's cost against one full build, measured in the same run (issue 19's yardstick).

`python3 benchmarks/suite.py` runs `awareness build --force --jobs 1` on a copy of the project, then pytest with
the `cpu_per_test` plugin, and prints the CPU seconds (own and children's) of each, their ratio and the costliest
test files and tests. `--full` runs the nightly counts (AWARENESS_FULL_TESTS=1).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], **kw) -> float:
    before = children_cpu()
    subprocess.run(cmd, check=True, **kw)
    return children_cpu() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the nightly counts (AWARENESS_FULL_TESTS=1)")
    parser.add_argument("--top", type=int, default=12, help="how many files and tests to name")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        project = copy_project(Path(work) / "project")
        build = [str(VENV / "awareness"), "--project", str(project), "build", "--force", "--jobs", "1", "-q"]
        timed(build)  # warm: fonts, compiled templates, the msgcat markers
        full_build = timed(build)
        env = dict(os.environ, PYTHONPATH=str(ROOT / "benchmarks"))
        env.pop("AWARENESS_FULL_TESTS", None)
        if args.full:
            env["AWARENESS_FULL_TESTS"] = "1"
        suite = timed([str(VENV / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "cpu_per_test",
                       "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), str(ROOT / "tests")],
                      cwd=work, env=env, stdout=subprocess.DEVNULL)
        per_test = json.loads((Path(work) / "cpu-per-test.json").read_text())
    files = collections.Counter()
    for test, seconds in per_test.items():
        files[test.split("::")[0]] += seconds
    print(f"one full build (--force --jobs 1): {full_build:6.1f} s CPU")
    print(f"pytest, {len(per_test) - 1} tests:          {suite:6.1f} s CPU  ({suite / full_build:.1f} x the build)")
    print("costliest files:")
    for name, seconds in files.most_common(args.top):
        print(f"  {seconds:6.1f} s  {name}")
    print("costliest tests (a module's shared fixture is paid by its first test):")
    for name, seconds in sorted(per_test.items(), key=lambda item: -item[1])[:args.top]:
        print(f"  {seconds:6.1f} s  {name}")


if __name__ == "__main__":
    sys.exit(main())
