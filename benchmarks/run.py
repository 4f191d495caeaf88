#!/usr/bin/env python3
"""Benchmarks: awareness-pipeline against its anchors, side by side in one run, on this machine.

    python3 benchmarks/run.py [--quick] [--slow-timeout SECONDS]

Workloads come from ../shared/bench/ (20,000-message Markdown corpus, 20,000-message catalogs).
Anchors run in their own venvs under benchmarks/ (translate-toolkit, mdpo); GNU gettext and pybabel
come from the system and the project venv. Results go to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"
WORK = ROOT / "benchmarks" / "work"
VENV = ROOT / ".venv" / "bin"
TT = ROOT / "benchmarks" / ".venv-tt" / "bin"
MDPO = ROOT / "benchmarks" / ".venv-mdpo" / "bin"
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1795000000", PYTHONHASHSEED="0")


def run(cmd: list[str], *, timeout: float | None = None, cwd: Path | None = None) -> tuple[float, int, bool]:
    """Wall seconds and peak RSS (KiB) of a whole process; (seconds, rss, finished)."""
    started = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=cwd, env=ENV, start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)  # the anchor itself, not only /usr/bin/time
        proc.communicate()
        return time.perf_counter() - started, 0, False
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stderr[-2000:]}")
    rss = int(stderr.strip().splitlines()[-1]) if stderr.strip() else 0
    return elapsed, rss, True


def median_of(n: int, cmd: list[str], before=None, **kw) -> tuple[float, int]:
    times, rss = [], 0
    for _ in range(n):
        if before:
            before()
        seconds, peak, _ = run(cmd, **kw)
        times.append(seconds)
        rss = max(rss, peak)
    return statistics.median(times), rss


def ensure_anchor_venvs() -> None:
    for folder, package in ((TT, "translate-toolkit[markdown]"), (MDPO, "mdpo")):
        if not (folder / "md2po").exists():
            subprocess.run([sys.executable, "-m", "venv", str(folder.parent)], check=True)
            subprocess.run([str(folder / "pip"), "install", "-q", package], check=True)


def fuzzy_count(path: Path) -> int:
    return len(re.findall(r"^#, .*\bfuzzy\b", path.read_text(encoding="utf-8"), re.M))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    os_name = next((line.split("=", 1)[1].strip('"') for line in Path("/etc/os-release").read_text().splitlines()
                    if line.startswith("PRETTY_NAME")), platform.platform())
    return (f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB RAM, {os_name}, "
            f"Python {platform.python_version()}")


def bench_extract(rows: list, quick: bool, slow_timeout: float) -> None:
    sizes = [(50, "5k"), (100, "10k"), (200, "20k")] if not quick else [(50, "5k")]
    for files, label in sizes:
        corpus = WORK / f"corpus-{label}"
        if not (corpus / "source_content").exists():
            raw = corpus / "raw"
            subprocess.run([sys.executable, str(SHARED_BENCH / "make_corpus.py"), str(raw), "--files", str(files),
                            "--blocks", str(files * 100)],
                           check=True, capture_output=True)
            (corpus / "source_content").mkdir()
            for path in sorted(raw.rglob("*.md")):  # our documents live flat in source_content/
                path.rename(corpus / "source_content" / f"{path.parent.name}-{path.name}")
            shutil.rmtree(raw)
        pot = corpus / "locales" / "messages.pot"
        seconds, rss = median_of(3, [str(VENV / "awareness"), "--project", str(corpus), "extract"],
                                 before=lambda: pot.unlink(missing_ok=True))
        count = pot.read_text(encoding="utf-8").count("\nmsgid ") - 1
        rows.append(("extract", f"awareness extract, {label} corpus ({count} messages)", seconds, rss))
        if label == "20k" or quick:
            out = WORK / "tt.pot"
            tt, tt_rss = median_of(3, [str(TT / "md2po"), "-P", "--multifile=single", "-i",
                                       str(corpus / "source_content"), "-o", str(out)],
                                   before=lambda: shutil.rmtree(out, ignore_errors=True))
            rows.append(("extract", f"translate-toolkit md2po, {label} corpus", tt, tt_rss))
        if label == "5k":
            out = WORK / "mdpo.pot"
            out.unlink(missing_ok=True)
            md, md_rss, done = run(["sh", "-c", f"'{MDPO / 'md2po'}' '{corpus / 'source_content'}/*.md' > '{out}'"],
                                   timeout=slow_timeout)
            rows.append(("extract", f"mdpo md2po, {label} corpus"
                         + ("" if done else f": did not finish in {slow_timeout:.0f} s"), md if done else None, md_rss))


def bench_update(rows: list, slow_timeout: float) -> None:
    catalogs = WORK / "catalogs"
    if not catalogs.exists():
        subprocess.run([str(VENV / "python"), str(SHARED_BENCH / "make_catalogs.py"), str(catalogs)], check=True,
                       capture_output=True, env=dict(ENV, PATH=f"{VENV}:{os.environ['PATH']}"))
    project = WORK / "update-project"
    po = project / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
    # The steady state of a project: the catalog as the pipeline last wrote it (after the previous update
    # against the old template). Every tool below starts from these same bytes.
    po.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(catalogs / "old.pot", project / "locales" / "messages.pot")
    shutil.copy(catalogs / "old.po", po)
    subprocess.run([str(VENV / "awareness"), "--project", str(project), "update", "fr", "--no-fuzzy"], check=True,
                   capture_output=True, env=ENV)
    start = WORK / "old-as-written.po"
    shutil.copy(po, start)

    def reset() -> None:
        shutil.copy(catalogs / "new.pot", project / "locales" / "messages.pot")
        shutil.copy(start, po)

    def cold_reset() -> None:  # the file was last written by another tool: nothing of it is trusted
        reset()
        shutil.rmtree(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "awareness-pipeline",
                      ignore_errors=True)

    for label, extra, before in (("fuzzy on", [], reset), ("fuzzy off", ["--no-fuzzy"], reset),
                                 ("fuzzy off, catalog last written by another tool", ["--no-fuzzy"], cold_reset)):
        seconds, rss = median_of(3, [str(VENV / "awareness"), "--project", str(project), "update", "fr", *extra],
                                 before=before)
        rows.append(("update", f"awareness update, {label} ({fuzzy_count(po)} fuzzy)", seconds, rss))
    reset()
    subprocess.run([str(VENV / "awareness"), "--project", str(project), "update", "fr", "--no-fuzzy"], check=True,
                   capture_output=True, env=ENV)  # leave the cache as a user's would be
    out = WORK / "msgmerge.po"
    seconds, rss, done = run(["msgmerge", "-q", "--previous", "-o", str(out), str(start),
                              str(catalogs / "new.pot")], timeout=slow_timeout)
    rows.append(("update", f"GNU msgmerge --previous, fuzzy on ({fuzzy_count(out) if done else '?'} fuzzy)"
                 + ("" if done else f": did not finish in {slow_timeout:.0f} s"), seconds if done else None, rss))
    seconds, rss = median_of(3, ["msgmerge", "-q", "--no-fuzzy-matching", "--previous", "-o", str(out),
                                 str(start), str(catalogs / "new.pot")])
    rows.append(("update", "GNU msgmerge --no-fuzzy-matching", seconds, rss))
    target = WORK / "pybabel.po"
    for label, extra, n in (("fuzzy on", ["--previous"], 1), ("fuzzy off", ["-N"], 3)):
        def babel_reset() -> None:
            shutil.copy(start, target)
        babel_reset()
        if n == 1:
            seconds, rss, done = run([str(VENV / "pybabel"), "-q", "update", "-i", str(catalogs / "new.pot"), "-o",
                                      str(target), "-l", "fr", *extra], timeout=slow_timeout)
        else:
            seconds, rss = median_of(n, [str(VENV / "pybabel"), "-q", "update", "-i", str(catalogs / "new.pot"),
                                         "-o", str(target), "-l", "fr", *extra], before=babel_reset)
            done = True
        rows.append(("update", f"pybabel update {' '.join(extra)}, {label}"
                     + (f" ({fuzzy_count(target)} fuzzy)" if done and n == 1 else "")
                     + ("" if done else f": did not finish in {slow_timeout:.0f} s"), seconds if done else None, rss))


def bench_build(rows: list, sizes: list) -> None:
    project = WORK / "build-project"
    if project.exists():
        shutil.rmtree(project)
    copy_project(project)
    awareness = [str(VENV / "awareness"), "--project", str(project)]
    edition = "en-GB"
    ours, _ = median_of(5, [*awareness, "build", "--edition", edition, "--format", "sheet", "--force", "-q"])
    html = WORK / "leaflet-en-GB.html"
    code = ("import sys; sys.path.insert(0, %r); from pathlib import Path; from pipeline.core.layout import Project; "
            "from pipeline.build import final_leaflet_html; "
            "Path(%r).write_text(final_leaflet_html(Project.at(%r), %r), encoding='utf-8')"
            % (str(ROOT), str(html), str(project), edition))
    subprocess.run([str(VENV / "python"), "-c", code], check=True, env=ENV)
    direct_code = ("import weasyprint, sys; html = open(%r, encoding='utf-8').read(); "
                   "weasyprint.HTML(string=html, base_url=%r).write_pdf(%r, pdf_variant='pdf/ua-1')"
                   % (str(html), project.as_uri() + "/", str(WORK / "direct.pdf")))
    direct, _ = median_of(5, [str(VENV / "python"), "-c", direct_code])
    rows.append(("build", f"awareness build --edition {edition} --format sheet (whole process)", ours, None))
    rows.append(("build", "WeasyPrint rendering the same final HTML (whole process)", direct, None))
    rows.append(("build", f"overhead of awareness over bare WeasyPrint: {100 * (ours - direct) / direct:+.0f}%",
                 None, None))
    warm = subprocess.run([str(VENV / "python"), "-c", WARM_COMPARISON, str(project), edition], check=True,
                          capture_output=True, text=True, env=ENV).stdout.split()
    ours_warm, bare_warm = float(warm[0]), float(warm[1])
    rows.append(("build", f"same, in one warm process (median of 10): awareness {ours_warm:.3f} s vs WeasyPrint "
                 f"{bare_warm:.3f} s, overhead {100 * (ours_warm - bare_warm) / bare_warm:+.0f}%", None, None))
    serial, _ = median_of(1, [*awareness, "build", "--force", "-q", "--jobs", "1"])
    parallel, _ = median_of(1, [*awareness, "build", "--force", "-q", "--jobs", "2"])
    editions = len(list((project / "output" / "site" / "leaflets").glob("*.card.pdf")))
    rows.append(("build", f"all {editions} editions, --jobs 1", serial, None))
    rows.append(("build", f"all {editions} editions, --jobs 2 (efficiency {100 * serial / (2 * parallel):.0f}%)",
                 parallel, None))
    noop, _ = median_of(5, [*awareness, "build", "-q"])
    rows.append(("build", "no-op rebuild of all editions (whole process)", noop, None))
    catalog = project / "locales" / "fr" / "LC_MESSAGES" / "messages.po"

    def touch_catalog() -> None:
        text = catalog.read_text(encoding="utf-8")
        marker = "# benchmark edit\n"
        catalog.write_text(text.replace(marker, "") if marker in text else marker + text, encoding="utf-8")

    changed, _ = median_of(3, [*awareness, "build", "-q"], before=touch_catalog)
    rows.append(("build", "rebuild after one catalog changed (fr: fr-FR, fr-CA)", changed, None))
    for pdf in ("en-GB", "fr-FR", "ar-EG", "hi-IN", "ja-JP"):
        for suffix in ("", ".trifold", ".card", ".poster"):
            path = project / "output" / "leaflets" / f"{pdf}{suffix}.pdf"
            sizes.append((f"output/site/leaflets/{pdf}{suffix}.pdf", path.stat().st_size))
    pages = sorted((project / "output" / "site").rglob("*.html"), key=lambda p: p.stat().st_size)
    sizes.append((f"largest HTML page ({pages[-1].relative_to(project / 'output').as_posix()})",
                  pages[-1].stat().st_size))


WARM_COMPARISON = """
import statistics, sys, time
import weasyprint
from pipeline.build import build_edition, final_leaflet_html
from pipeline.edition.editions import select_editions
from pipeline.core.layout import Project
from pipeline.edition.view import load_inputs
project = Project.at(sys.argv[1])
inputs, _ = load_inputs(project)
edition = select_editions(project, inputs.regions, [sys.argv[2]])[0][0]
html = final_leaflet_html(project, sys.argv[2])
def ours():
    build_edition(inputs, edition, frozenset({"sheet"}), release_build=False, allow_unreviewed=False)
def bare():
    weasyprint.HTML(string=html, base_url=project.root.as_uri() + "/").write_pdf(pdf_variant="pdf/ua-1")
times = {ours: [], bare: []}
for f in (ours, bare):
    f()  # warm up
for _ in range(10):
    for f in (ours, bare):
        started = time.perf_counter(); f(); times[f].append(time.perf_counter() - started)
print(statistics.median(times[ours]), statistics.median(times[bare]))
"""


def scale_table() -> list[str]:
    """The rows `benchmarks/scale.py --json benchmarks/scale-results.json` measured (28 real editions, then the
    synthetic project)."""
    path = ROOT / "benchmarks" / "scale-results.json"
    if not path.exists():
        return []
    rows = json.loads(path.read_text())
    head = ("| editions | build s (2 processes) | s per edition | s per cost unit | worker peak MiB | largest edition "
            "page KiB | largest chooser KiB | site MiB | leaflets MiB | bundle MiB | bundle s | shards 4 / 16 "
            "(slowest / mean) |")
    lines = ["## scale (`benchmarks/scale.py`: 28 real editions, then synthetic projects of 5 languages a region)", "",
             head, "|" + " ---: |" * (head.count("|") - 1)]
    for r in rows:
        balance = f"{r['balance_4']:.3f} / {r['balance_16']:.3f}" if "balance_4" in r else ""
        lines.append(f"| {r['editions']} | {r['seconds']} | {r['per_edition']} | {r['per_cost_unit']} | "
                     f"{r['worker_rss_mib']} | {r['largest_page_kb']} | {r['largest_chooser_kb']} | {r['site_mb']} | "
                     f"{r['leaflets_mb']} | {r['bundle_mb']} | {r['bundle_seconds']} | {balance} |")
    return lines + [""]


def write_results(rows: list, sizes: list, seconds: float, quick: bool) -> None:
    lines = ["# Benchmark results", "",
             f"Produced by `python3 benchmarks/run.py{' --quick' if quick else ''}` on {time.strftime('%Y-%m-%d')} "
             f"(the last run took {seconds / 60:.1f} min; `--sections` reruns some sections and keeps the others' rows).",
             "", f"Machine: {machine()}.", "",
             "Whole-process wall time; median of 3 (5 for single-edition builds, 1 for the slow anchors and the "
             "all-edition builds). Peak RSS from `/usr/bin/time`.", ""]
    for section in ("extract", "update", "build"):
        lines += [f"## {section}", "", "| what | seconds | peak RSS |", "| --- | ---: | ---: |"]
        for kind, label, value, rss in rows:
            if kind == section:
                shown = f"{value:.2f}" if value is not None else ""
                lines.append(f"| {label} | {shown} | {f'{rss // 1024} MiB' if rss else ''} |")
        lines.append("")
    lines += ["## output sizes", "", "| file | KiB |", "| --- | ---: |"]
    lines += [f"| {name} | {size / 1024:.0f} |" for name, size in sizes]
    lines.append("")
    lines += scale_table()
    (ROOT / "benchmarks" / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5k corpus only, skip the slow anchors")
    parser.add_argument("--slow-timeout", type=float, default=600.0, help="cap for msgmerge/pybabel fuzzy runs")
    parser.add_argument("--sections", default="extract,update,build",
                        help="comma-separated sections to run again; the others keep the last run's rows")
    args = parser.parse_args()
    wanted = set(args.sections.split(","))
    if not shutil.which("msgmerge") or not (VENV / "awareness").exists():
        raise SystemExit("run `make build` first (it installs gettext and the project venv)")
    WORK.mkdir(parents=True, exist_ok=True)
    ensure_anchor_venvs()
    started = time.perf_counter()
    saved = WORK / "rows.json"
    previous = json.loads(saved.read_text()) if saved.exists() else {"rows": [], "sizes": []}
    rows: list = [tuple(r) for r in previous["rows"] if r[0] not in wanted]
    sizes: list = [] if "build" in wanted else [tuple(s) for s in previous["sizes"]]
    if "extract" in wanted:
        bench_extract(rows, args.quick, 30.0 if args.quick else args.slow_timeout)
    if "update" in wanted:
        bench_update(rows, 30.0 if args.quick else args.slow_timeout)
    if "build" in wanted:
        bench_build(rows, sizes)
    saved.write_text(json.dumps({"rows": rows, "sizes": sizes}))
    write_results(rows, sizes, time.perf_counter() - started, args.quick)
    print((ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
