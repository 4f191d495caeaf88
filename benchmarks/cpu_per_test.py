"""A pytest plugin that records the CPU seconds (this process and its reaped children) of every test phase.

`PYTHONPATH=benchmarks python -m pytest -p cpu_per_test` writes `cpu-per-test.json` into the current folder;
`benchmarks/suite.py` uses it to name the costliest tests and files.
"""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest

_RESULTS: dict[str, float] = {}


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = _cpu()
    yield
    _RESULTS[item.nodeid] = _RESULTS.get(item.nodeid, 0.0) + _cpu() - start


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session):
    start = _cpu()
    yield
    _RESULTS["<collection>"] = _cpu() - start


def pytest_sessionfinish(session, exitstatus):
    Path("cpu-per-test.json").write_text(json.dumps(_RESULTS, indent=1, sort_keys=True))
