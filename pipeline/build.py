"""Editions -> artifacts: plan what is out of date, build editions in a worker pool, write, record.

The flow of one edition: prepare its view (view.py, the only reads) -> render the site (site.py) ->
render the leaflets (leaflets.py) -> write -> record (records.py). The release gate is release.py's.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import resource
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .contacts.regions import INTERNATIONAL
from .core import release as gate  # `release` is build()'s flag
from .core.errors import InputRefused, PipelineError, UsageError
from .core.layout import Project
from .core.models import Edition, Issue
from .core.records import BuildState, EditionRecord, FileDigest, OutputRecord, load_times, save_merged, save_times
from .core.storage import clean_temporaries, machine_errors, write_atomic
from .edition.editions import select_editions
from .edition.incremental import Fingerprinter, file_digest
from .edition.view import BuildInputs, check_regions, load_inputs, prepare
from .publish.leaflets import FORMATS, render_leaflet

HTML = "html"
WORKER_EDITIONS = 20
KINDS = (HTML, *FORMATS)
# rough relative cost of an edition before it has been timed once (CJK fonts make big subsets)
# measured (28 editions, 2026-11-30): English 1.0, translated Latin/Cyrillic 1.2, Arabic and Devanagari 1.5, CJK 2.5
SCRIPT_COST = {"en": 1.0, "ja": 2.5, "zh": 2.5, "ko": 2.5, "hi": 1.5, "ar": 1.5}


@dataclass
class EditionResult:
    edition: Edition
    record: EditionRecord
    files: dict[Path, bytes] = field(default_factory=dict)  # made, not yet written
    written: list[Path] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    leaflet_pages: int = 0
    seconds: float = 0.0
    rss_kib: int = 0  # peak memory of the process that built it

    @property
    def draft(self) -> bool:
        return self.record.draft

    @property
    def draft_reasons(self) -> list[str]:
        return self.record.draft_reasons

    @property
    def failed(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


@dataclass
class BuildReport:
    results: list[EditionResult]
    skipped: list[str]
    unchanged: list[str] = field(default_factory=list)
    refused: list[Issue] = field(default_factory=list)  # release refusals of editions not rebuilt

    @property
    def issues(self) -> list[Issue]:
        return [i for r in self.results for i in r.issues] + self.refused

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)


def parse_kinds(fmt: str | None, configured: Iterable[str] = tuple(FORMATS)) -> set[str]:
    """`--format`: html, pdf (the configured leaflet formats), format names, or several with commas
    (`html,sheet`); default: the site and the configured formats."""
    if fmt is None:
        return {HTML, *configured}
    kinds: set[str] = set()
    for name in (part.strip() for part in fmt.split(",")):
        if name == "pdf":
            kinds |= set(configured)
        elif name in KINDS:
            kinds.add(name)
        else:
            raise UsageError(f"--format takes html, pdf or leaflet formats ({', '.join(FORMATS)}), separated by "
                             f"commas; got '{name}'")
    return kinds


def parse_shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard must look like 2/4 (1-based, at most the total), got '{text}'")
    return int(match.group(1)), int(match.group(2))


def edition_cost(edition: Edition) -> float:
    """What an edition costs relative to a Latin-script one (measured: CJK fonts make big subsets)."""
    return SCRIPT_COST.get(edition.language, 1.2)


def shards(editions: list[Edition], total: int) -> list[list[Edition]]:
    """Every edition on one of `total` shards, weighted by cost: the costliest first, each onto the shard with
    the least work so far, ties broken by a stable hash. Every CI machine computes the same split."""
    loads = [0.0] * total
    assigned: list[list[Edition]] = [[] for _ in range(total)]
    order = sorted(editions, key=lambda e: (-edition_cost(e), hashlib.sha256(e.id.encode()).hexdigest()))
    for edition in order:
        lightest = min(range(total), key=lambda i: (loads[i], i))
        loads[lightest] += edition_cost(edition)
        assigned[lightest].append(edition)
    return [sorted(share, key=lambda e: e.id) for share in assigned]


def shard_of(editions: list[Edition], shard: tuple[int, int]) -> list[Edition]:
    """Share I of N (1-based)."""
    index, total = shard
    return shards(editions, total)[index - 1]


def estimated_cost(edition: Edition, times: dict[str, float]) -> float:
    """Seconds it took last time, else a guess from its script: the pool starts the longest work first."""
    return times.get(edition.id) or edition_cost(edition)


def build_edition(inputs: BuildInputs, edition: Edition, kinds: frozenset[str], *, release_build: bool,
                  allow_unreviewed: bool, sizes: dict[str, int | None] | None = None,
                  preview: bool = False) -> EditionResult:
    """Prepare -> (gate) -> render leaflets -> render the site (which lists them), all in memory.

    `sizes`: file sizes of leaflets not rendered now but current on disk, for the site's list."""
    started = time.perf_counter()
    project = inputs.project
    formats = [k for k in KINDS if k in kinds and k != HTML]
    # preview marks are for the site only: leaflets always print the real text (the record is the same either way)
    view = prepare(inputs, edition, preview=preview and not formats)
    result = EditionResult(edition, view.record())
    where = project.rel(project.site_edition(edition.id))
    if release_build:
        refused = gate.blocking(gate.refusals(result.record), allow_unreviewed=allow_unreviewed)
        if refused:
            result.issues += [Issue(where, 0, "error", "release", str(r)) for r in refused]
            return result
    sizes = dict(sizes or {})
    for fmt in formats:
        leaflet = render_leaflet(view, fmt)
        path = project.leaflet(edition.id, fmt)
        result.leaflet_pages = max(result.leaflet_pages, leaflet.pages)
        severity = gate.fit_severity(release_build)
        result.issues += [Issue(project.rel(path), 0, severity, "fit", f"edition {edition.id}: {p}")
                          for p in leaflet.fit]
        if not (release_build and leaflet.fit):
            result.files[path] = leaflet.data
        result.record.outputs[fmt] = OutputRecord("", [project.rel(path)], list(leaflet.fit))
        sizes[fmt] = len(leaflet.data)
    if HTML in kinds:
        from .publish.site import render_site

        site_view = prepare(inputs, edition, preview=True) if preview and not view.preview else view
        pages = {project.site_edition(edition.id) / name: data
                 for name, data in render_site(site_view, sizes).items()}
        result.files.update(pages)
        result.record.outputs[HTML] = OutputRecord("", sorted(project.rel(p) for p in pages))
    result.seconds = time.perf_counter() - started
    result.rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


# Worker processes get the inputs by fork; WeasyPrint is imported before forking so each worker
# does not pay its import again (the anchors measured 65% efficiency without, 78% with).
_WORKER: dict = {}


Job = tuple[Edition, frozenset[str], dict[str, int | None]]


def _quiet_worker() -> None:
    """Ctrl-C is the parent's to handle: it stops the pool, and says so once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool(processes: int):
    """A fork pool whose workers end quietly when their parent has died (kill -9): handing in a result then
    fails with BrokenPipeError, which would print a traceback per worker. (Dying of SIGPIPE instead could
    leave the result queue's lock held, and the other workers hanging.)"""
    import multiprocessing
    import multiprocessing.pool

    context = multiprocessing.get_context("fork")

    class QuietProcess(context.Process):  # type: ignore[name-defined,misc]
        def run(self) -> None:
            try:
                super().run()
            except (BrokenPipeError, ConnectionResetError):
                os._exit(0)

    class QuietPool(multiprocessing.pool.Pool):
        @staticmethod
        def Process(ctx, *args, **kwds):  # noqa: N802 - the stdlib's name
            return QuietProcess(*args, **kwds)

    # a worker is replaced after a number of editions: the renderer's caches grow with every leaflet, and a
    # thousand-edition build must not need more memory per worker than a small one (forking is cheap)
    return QuietPool(processes, initializer=_quiet_worker, maxtasksperchild=WORKER_EDITIONS, context=context)


def _build_one(job: Job) -> EditionResult:
    edition, kinds, sizes = job
    return build_edition(_WORKER["inputs"], edition, kinds, sizes=sizes, **_WORKER["options"])


def _run(inputs: BuildInputs, jobs_list: list[Job], jobs: int, options: dict):
    _WORKER.update(inputs=inputs, options=options)
    if any(kind != HTML for _, kinds, _ in jobs_list for kind in kinds):
        from .render.render_pdf import _weasyprint

        _weasyprint()  # only when leaflets are made: an HTML build never pays for WeasyPrint
    parallel = jobs > 1 and len(jobs_list) > 1
    if parallel:
        inputs.documents, inputs.segments  # load once in the parent, share through fork
    # What is loaded by now (modules, the renderer, the build's inputs) lives as long as the process: the
    # collector need not walk it again in every full collection (0.05 s of a one-edition build), and workers
    # forked from here share its memory pages instead of copying them (Python's advice for gc.freeze). Once
    # a process: a preview server that builds again and again must not keep each build's garbage for ever.
    if not gc.get_freeze_count():
        gc.freeze()
    if not parallel:
        for job in jobs_list:
            yield _build_one(job)
        return
    with _pool(min(jobs, len(jobs_list))) as pool:
        yield from pool.imap_unordered(_build_one, jobs_list, chunksize=1)


def file_matches(path: Path, digest: FileDigest | None, inside: Path) -> bool:
    """The file is there, inside `inside` (no symlink out), with the size and hash it was written with."""
    if digest is None or path.is_symlink() or not path.is_file():
        return False
    if not path.resolve().is_relative_to(inside.resolve()):
        return False
    if path.stat().st_size != digest.size:
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == digest.sha256


def output_matches(output: OutputRecord, where: Callable[[str], Path], inside: Path) -> bool:
    """Every file of the output is on disk as the build wrote it (a truncated or edited file is not)."""
    return bool(output.files) and all(file_matches(where(f), output.digests.get(f), inside) for f in output.files)


def is_current(project: Project, outputs: dict[str, OutputRecord], kind: str, fingerprint: str) -> bool:
    """The output was made from exactly these inputs, and its files are still there, byte for byte."""
    output = outputs.get(kind)
    return (output is not None and output.inputs == fingerprint
            and output_matches(output, lambda rel: project.root / rel, project.output))


def own_fingerprints(fingerprints: Fingerprinter, inputs: BuildInputs, edition: Edition, configured: list[str],
                     current: Callable[[str, str], bool], kinds: Iterable[str], *,
                     machine: bool = True) -> tuple[dict[str, str], set[str]]:
    """The fingerprint of each output of an edition, and which of them are current (`current(kind, print)`).
    The site lists the leaflets with their sizes: its fingerprint covers which leaflets are current or made now.
    machine=False: of the sources alone (see Fingerprinter.of)."""
    own = {k: fingerprints.of(edition, k, region_paths(inputs, edition), machine=machine)
           for k in configured + [HTML]}
    fresh = {k for k in configured if current(k, own[k])}
    states = [f"{k}={own[k] if k in fresh or k in kinds else 'stale'}" for k in configured]
    own[HTML] = fingerprints.combine(own[HTML], states)
    if current(HTML, own[HTML]):
        fresh.add(HTML)
    return own, fresh


def site_editions(project: Project, inputs: BuildInputs, state: BuildState, building: list[Edition]) -> list[Edition]:
    """The editions whose site will be in the output after this build: those built now, and those whose pages
    are on disk as recorded. Pages, choosers and the sitemap link only these: a link needs the file to be there,
    not to be current (whether it is current is each output's own check, which hashes it)."""
    ids = {e.id for e in building}
    for edition in inputs.editions:
        record = state.editions.get(edition.id)
        html = record.outputs.get(HTML) if record else None
        if html is not None and html.files and all((project.root / f).is_file() for f in html.files):
            ids.add(edition.id)
    return [e for e in inputs.editions if e.id in ids]


def fingerprinter(inputs: BuildInputs) -> Fingerprinter:
    """The fingerprints of this build's inputs (build and bundle must compute them alike)."""
    return Fingerprinter(inputs.project, inputs.site_editions, inputs.today.isoformat(), inputs.settings.logo)


def shared_fingerprint(project: Project, inputs: BuildInputs, fingerprints: Fingerprinter) -> str:
    """What the site files of no edition (assets, choosers, sitemap) are made from: every catalog and region."""
    parts = [*fingerprints.shared, "kind=shared", "editions=" + ",".join(e.id for e in inputs.site_editions)]
    parts += [f"{project.rel(p)}={file_digest(p)}" for p in project.region_files()]
    parts += [f"catalog {locale}={file_digest(project.catalog(locale))}" for locale in project.catalog_locales()]
    return fingerprints.combine("", parts)


def write_outputs(project: Project, files: dict[Path, bytes]) -> dict[str, FileDigest]:
    """Write files (each atomically); their sizes and hashes by project-relative path, for the record."""
    digests = {}
    for path, data in files.items():
        write_atomic(path, data)
        digests[project.rel(path)] = FileDigest.of(data)
    return digests


def region_paths(inputs: BuildInputs, edition: Edition) -> list[str]:
    paths = [inputs.regions[edition.region].path]
    if INTERNATIONAL in inputs.regions:
        paths.append(inputs.regions[INTERNATIONAL].path)
    return paths


def build(project: Project, *, editions: Iterable[str] = (), formats: str | None = None, release: bool = False,
          allow_unreviewed: bool = False, jobs: int | None = None, shard: tuple[int, int] | None = None,
          force: bool = False, progress: Callable[[EditionResult], None] | None = None,
          planned: Callable[[int], None] | None = None, preview: bool = False) -> BuildReport:
    """Build the chosen editions (default: all with catalogs); only outputs whose inputs changed are redone.

    Safe to interrupt at any point: each output's record carries its files' sizes and hashes, so a file written
    by a build that never recorded it does not match, and is made again."""
    with machine_errors():
        return _build(project, editions=editions, formats=formats, release=release,
                      allow_unreviewed=allow_unreviewed, jobs=jobs, shard=shard, force=force, progress=progress,
                      planned=planned, preview=preview)


def _build(project: Project, *, editions: Iterable[str], formats: str | None, release: bool, allow_unreviewed: bool,
           jobs: int | None, shard: tuple[int, int] | None, force: bool,
           progress: Callable[[EditionResult], None] | None, planned: Callable[[int], None] | None,
           preview: bool) -> BuildReport:
    wanted_ids = list(editions)
    inputs, skipped = load_inputs(project, some=bool(wanted_ids))
    # explicit ids are checked first: an unknown edition or missing catalog refuses the whole build
    chosen = select_editions(project, inputs.regions, wanted_ids)[0] if wanted_ids else inputs.editions
    skipped = [] if wanted_ids else skipped
    whole = chosen  # every shard's editions: the one site CI's shards make together
    if shard:
        chosen = shard_of(chosen, shard)
    kinds = parse_kinds(formats, inputs.settings.formats)
    state_file = project.state_file()
    state, problem = BuildState.read(state_file)
    warnings: list[Issue] = []
    if problem:
        warnings.append(Issue(project.rel(state_file), 0, "warning", "state",
                              f"build state discarded ({problem}); every output is built again"))
    if shard:  # shards of one CI build each make part of one site, which links all of its editions
        inputs.site_editions = [e for e in inputs.editions if e in whole]
    else:
        inputs.site_editions = site_editions(project, inputs, state, chosen if HTML in kinds else [])
    # the regions this build reads, before anything is written: the chosen editions', and for the site those of
    # every edition it links (pages relinked, choosers)
    check_regions(inputs, [*chosen, *(inputs.site_editions if HTML in kinds else [])])
    clean_temporaries(project.output)  # what a killed build was writing
    fingerprints = fingerprinter(inputs)
    todo: list[Job] = []
    unchanged: list[str] = []
    refused: list[Issue] = []
    prints: dict[str, dict[str, str]] = {}
    source_prints: dict[str, dict[str, str]] = {}
    configured = [k for k in KINDS if k != HTML and k in inputs.settings.formats]
    # a partial build that adds an edition relinks the pages of its region's editions already in the output
    # (their switcher gains it): only their pages, and only when they are not current
    chosen_ids = {e.id for e in chosen}
    relinked = [e for e in inputs.site_editions if e.id not in chosen_ids] if (
        HTML in kinds and not release and not shard) else []
    for edition in [*chosen, *relinked]:
        mine = kinds if edition.id in chosen_ids else {HTML}
        recorded = state.editions.get(edition.id)
        outputs = recorded.outputs if recorded else {}
        own, fresh = own_fingerprints(fingerprints, inputs, edition, configured,
                                      lambda kind, fp, outputs=outputs: is_current(project, outputs, kind, fp), mine)
        # the same of the sources alone, for bundle: the site's covers the leaflets' states just found
        sources, _ = own_fingerprints(fingerprints, inputs, edition, configured,
                                      lambda kind, fp, fresh=fresh: kind in fresh, mine, machine=False)
        prints[edition.id] = {k: own[k] for k in mine}
        source_prints[edition.id] = {k: sources[k] for k in mine}
        stale = {k for k in mine if force or k not in fresh}
        sizes = {k: outputs[k].digests[outputs[k].files[0]].size for k in configured if k not in stale and k in fresh}
        if edition.id not in chosen_ids:  # relinked: only its pages, and only when they are not current
            if stale:
                todo.append((edition, frozenset(stale), sizes))
            continue
        if release and not stale and recorded is not None:
            # nothing to render, but the gate is asked again, on facts worked out now (never the stored ones):
            # a refusal is never skipped
            facts = prepare(inputs, edition).record()
            facts.outputs = recorded.outputs
            found = gate.blocking(gate.refusals(facts), allow_unreviewed=allow_unreviewed)
            if any(r.kind != gate.FIT for r in found):
                stale = set(kinds)  # draft, checks, review: re-run with fresh facts, and say why
            else:  # the recorded overflow of unchanged leaflets: report it as the render would
                refused += [Issue(output.files[0], 0, "error", "fit", f"edition {edition.id}: {fault}")
                            for output in recorded.outputs.values() for fault in output.fit]
        if stale:
            todo.append((edition, frozenset(stale), sizes))
        else:
            unchanged.append(edition.id)
    times = load_times(project.times_file)
    todo.sort(key=lambda job: (-estimated_cost(job[0], times), job[0].id))
    options = {"release_build": release, "allow_unreviewed": allow_unreviewed, "preview": preview}
    if planned:
        planned(len(todo))
    results = []
    unsaved: list[EditionRecord] = []
    last_save, save_cost = time.monotonic(), 0.0
    for result in _run(inputs, todo, jobs or os.cpu_count() or 1, options):
        if not result.failed:
            digests = write_outputs(project, result.files)
            result.written = sorted(result.files)
            result.files = {}  # the bytes are on disk now; a thousand editions' PDFs need not stay in memory
            for kind, output in result.record.outputs.items():
                output.inputs = prints[result.edition.id][kind]
                output.sources = source_prints[result.edition.id][kind]
                output.files = [f for f in output.files if f in digests]  # only what is on disk is vouched for
                output.digests = {f: digests[f] for f in output.files}
            state.record(result.record)
            unsaved.append(result.record)
            if result.written:
                times[result.edition.id] = result.seconds
            # record what is on disk now and then, so an interrupted build keeps most of its work; the state
            # of a big build is large, so it is saved at most once in twenty times what a save costs
            if time.monotonic() - last_save >= max(0.5, 20 * save_cost):
                began = time.monotonic()
                save_merged(state_file, unsaved)
                unsaved, last_save, save_cost = [], time.monotonic(), time.monotonic() - began
        if progress:
            progress(result)
        results.append(result)
    shared = None
    if HTML in kinds:
        shared_print = shared_fingerprint(project, inputs, fingerprints)
        recorded_shared = {"shared": state.shared} if state.shared else {}
        if force or not is_current(project, recorded_shared, "shared", shared_print):
            from .publish.site import shared_files

            files = shared_files(inputs)
            digests = write_outputs(project, files)
            shared = OutputRecord(shared_print, sorted(digests), digests=digests)
    if unsaved or shared is not None:
        state = save_merged(state_file, unsaved, shared)
    if todo:
        save_times(project.times_file, times)
    try:
        write_dashboard_if_stale(project, state, fingerprints)
    except InputRefused as exc:
        # a build of some editions validates only the regions it reads: another region file that is refused
        # keeps the dashboard (every edition's readiness) from being refreshed, not these editions from being built
        if not wanted_ids or not (exc.path or "").startswith(project.rel(project.regions) + "/"):
            raise
        warnings += [Issue(p.path, p.line, "warning", p.check, p.message) for p in exc.problems]
        warnings.append(Issue(project.rel(project.status_page), 0, "warning", "dashboard", f"not refreshed: {exc}"))
    results.sort(key=lambda r: r.edition.id)
    return BuildReport(results, skipped, unchanged, warnings + refused)


def write_dashboard_if_stale(project: Project, state: BuildState, fingerprints: Fingerprinter) -> None:
    """The status page, redone only when a catalog, a source or a build record changed since it was made."""
    parts = [*fingerprints.shared, *(f"{p}={file_digest(project.catalog(p))}" for p in project.catalog_locales())]
    parts += [f"{path.name}={file_digest(path)}" for path in project.region_files()]
    if project.state_file().is_file():
        parts.append(f"state={file_digest(project.state_file())}")
    stamp = f"<!-- inputs {Fingerprinter.combine('', parts)} -->"
    page = project.status_page
    if page.is_file() and page.read_text(encoding="utf-8").endswith(stamp + "\n"):
        return
    from .edition.status import project_status
    from .publish.dashboard import write_dashboard

    write_dashboard(project, project_status(project, state.editions), stamp)


def final_leaflet_html(project: Project, edition_id: str, fmt: str = "sheet") -> str:
    """The exact HTML that WeasyPrint renders for an edition's leaflet (for benchmarks and debugging)."""
    from .edition.view import edition_view
    from .publish.leaflets import leaflet_html

    if fmt not in FORMATS:
        raise PipelineError(f"unknown leaflet format '{fmt}'")
    return leaflet_html(edition_view(project, edition_id), fmt)[0]
