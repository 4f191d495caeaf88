"""The `awareness` command: a thin layer over the library; maps PipelineError to exit codes."""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .core.errors import EXIT_INTERRUPTED, EXIT_MACHINE, EXIT_PROBLEMS, PipelineError
from .core.layout import Project
from .core.storage import machine_problem

# When the command is done, the interpreter's last garbage collections walk every object still alive (0.02 s of
# `check` or `stats`; a build froze what it loaded already, see build._run): the process ends anyway and nothing of
# ours waits for a finalizer. Files are written and closed by then; the standard streams are flushed after this hook.
atexit.register(gc.freeze)


class AwarenessGroup(click.Group):
    """Turns every PipelineError into one line on stderr and the project's exit code."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PipelineError as exc:
            for problem in exc.problems:  # every problem of a refused file, compiler-style
                click.echo(str(problem), err=True)
            click.echo(f"awareness: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except OSError as exc:  # the machine refused (permissions, read-only or full disk): say where, what to do
            problem = machine_problem(exc)
            if problem is None:
                raise
            click.echo(f"awareness: error: {problem}", err=True)
            ctx.exit(EXIT_MACHINE)
        except KeyboardInterrupt:
            click.echo("awareness: interrupted; what was not finished is redone by the next run", err=True)
            ctx.exit(EXIT_INTERRUPTED)


def project_of(ctx: click.Context) -> Project:
    return ctx.find_root().obj


def print_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


@click.group(cls=AwarenessGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--project", "project_dir", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Content repository to work on (source_content/, locales/, output/).")
@click.version_option(__version__, prog_name="awareness")
@click.pass_context
def main(ctx: click.Context, project_dir: Path) -> None:
    """Translate CSAM-awareness content and build a site and leaflet per language and region.

    \b
    Typical round:
      awareness extract            # source_content/ -> locales/messages.pot
      awareness init fr            # new catalog locales/fr/LC_MESSAGES/messages.po
      awareness update             # bring every catalog in line with the POT
      awareness build              # output/site/<edition>/ and output/site/leaflets/<edition>.pdf

    Exit codes: 0 all well, 1 problems found, 2 usage error, 3 input refused, 4 the machine refused (permissions,
    read-only or full disk), 130 interrupted.
    """
    if not project_dir.is_dir():
        raise click.BadParameter(f"'{project_dir}' is not a folder", param_hint="--project")
    ctx.obj = Project.at(project_dir)


@main.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if locales/messages.pot is out of date.")
@click.pass_context
def extract(ctx: click.Context, check: bool) -> None:
    """Write locales/messages.pot from documents, templates and region data.

    \b
    Example:
      awareness extract
    """
    from .catalog.extract import extract as run

    result = run(project_of(ctx), write=not check)
    rel = project_of(ctx).rel(result.path)
    if check:
        click.echo(f"{rel}: {'out of date' if result.changed else 'up to date'} ({result.messages} messages)")
        if result.changed:
            ctx.exit(EXIT_PROBLEMS)
        return
    click.echo(f"{rel}: {'written' if result.changed else 'unchanged'} ({result.messages} messages)")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--region", default="GB", show_default=True, metavar="CODE",
              help="The region whose hotlines the project starts with (its file is yours to edit).")
@click.option("--name", default="Your organisation", show_default=True, help="The publisher's name.")
def new(folder: Path, region: str, name: str) -> None:
    """Start a content project of your own in FOLDER: settings, one region, the documents, templates,
    glossaries and translations, a README and a CI workflow.

    \b
    Example:
      awareness new ayuda-es --region ES --name "Fundación Ejemplo"
      cd ayuda-es && awareness build
    """
    from .catalog.extract import extract
    from .catalog.update import update_catalogs
    from .scaffold import new_project

    project = new_project(folder, region, name)
    extract(project)  # the POT and catalogs follow the one region the project keeps
    update_catalogs(project, None, write=True, fuzzy=True)
    click.echo(f"{folder}: new project for {region.upper()}; next: cd {folder} && awareness build")


@main.command()
@click.argument("locale")
@click.pass_context
def init(ctx: click.Context, locale: str) -> None:
    """Create the catalog for LOCALE from the POT.

    \b
    Example:
      awareness init pt_BR      # locales/pt_BR/LC_MESSAGES/messages.po
    """
    from .catalog.update import init_catalog

    path = init_catalog(project_of(ctx), locale)
    click.echo(f"{project_of(ctx).rel(path)}: created")


@main.command()
@click.argument("locales", nargs=-1)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the POT or any catalog is out of date.")
@click.option("--json", "as_json", is_flag=True, help="Print the change report as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="List the new, fuzzy, obsolete and revived messages.")
@click.option("--no-fuzzy", is_flag=True, help="Do not suggest close matches for changed messages.")
@click.pass_context
def update(ctx: click.Context, locales: tuple[str, ...], check: bool, as_json: bool, verbose: bool,
           no_fuzzy: bool) -> None:
    """Bring catalogs (all, or the LOCALES named) in line with the POT.

    Translations are kept, new messages added untranslated, changed ones marked fuzzy with the
    previous text and a close match, removed ones kept as obsolete and revived when they return.

    \b
    Example:
      awareness extract && awareness update fr de
      awareness update --check      # in CI
    """
    from .catalog.extract import extract as run_extract
    from .catalog.update import sync_platform_glossaries, update_catalogs

    project = project_of(ctx)
    stale_pot = False
    if check:
        stale_pot = run_extract(project, write=False).changed
        if stale_pot:
            click.echo(f"{project.rel(project.pot)}: out of date; run `awareness extract`")
    reports = update_catalogs(project, list(locales) or None, write=not check, fuzzy=not no_fuzzy)
    glossaries = sync_platform_glossaries(project, write=not check)
    if not as_json:
        for rel in glossaries:
            click.echo(f"{rel}: {'out of date; run `awareness update`' if check else 'written'}")
    if as_json:
        print_json([r.as_dict() for r in reports])
    else:
        for report in reports:
            line = report.summary()
            click.echo(line.replace("updated", "out of date") if check and report.changed else line)
            if verbose:
                for label, items in (("new", report.new), ("fuzzy", report.fuzzy),
                                     ("obsolete", report.obsolete), ("revived", report.revived)):
                    for msgid in items:
                        click.echo(f"  {label}: {msgid[:100]}")
    if check and (stale_pot or glossaries or any(r.out_of_date for r in reports)):
        ctx.exit(EXIT_PROBLEMS)


@main.command()
@click.argument("locale")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write to (default: output/markdown/<locale>/).")
@click.pass_context
def translate(ctx: click.Context, locale: str, out: Path | None) -> None:
    """Write the translated Markdown of every document, for a CMS or another site generator.

    Untranslated or fuzzy messages keep the English text of that block only.

    \b
    Example:
      awareness translate fr --out /tmp/fr
    """
    from .catalog.translate import translate_project

    project = project_of(ctx)
    for path in translate_project(project, locale, out):
        click.echo(project.rel(path))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print every figure of the dashboard as JSON.")
@click.option("--html", "as_html", is_flag=True, help="Write only the dashboard, output/status/index.html.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool, as_html: bool) -> None:
    """Per locale: reviewed, translated, fuzzy, untranslated and obsolete messages, words and percent.

    --json and --html also give the language x document matrix, check and glossary findings, and each
    edition's release readiness with the release gate's own reasons.

    \b
    Example:
      awareness stats
      awareness stats --html && xdg-open output/status/index.html
    """
    from .catalog.stats import project_stats
    from .edition.status import project_status
    from .publish.dashboard import write_dashboard

    project = project_of(ctx)
    if as_json or as_html:
        status = project_status(project, recorded_editions(project))
        if as_html:
            path = write_dashboard(project, status)
            click.echo(f"{project.rel(path)}: written")
        if as_json:
            print_json(status.as_dict())
        return
    rows = project_stats(project)
    header = (f"{'locale':<8} {'translated':>10} {'reviewed':>8} {'fuzzy':>6} {'untranslated':>12} {'obsolete':>8} "
              f"{'words':>7} {'done':>7}")
    click.echo(header)
    for r in rows:
        click.echo(f"{r.locale:<8} {r.translated:>10} {r.reviewed:>8} {r.fuzzy:>6} {r.untranslated:>12} "
                   f"{r.obsolete:>8} {r.words:>7} {r.percent:>6.1f}%")


def recorded_editions(project: Project) -> dict | None:
    """The last build's records (which know whether leaflets fit), or None to work the gates out afresh."""
    from .core.records import BuildState

    state = BuildState.load(project.state_file())
    return state.editions or None


def print_issues(issues, as_json: bool) -> None:
    if as_json:
        print_json([i.as_dict() for i in issues])
        return
    for issue in issues:
        click.echo(str(issue))


@main.command()
@click.argument("locales", nargs=-1)
@click.option("--release", is_flag=True, help="Untranslated and fuzzy messages are errors, not warnings.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, not warnings.")
@click.pass_context
def check(ctx: click.Context, locales: tuple[str, ...], release: bool, as_json: bool, quiet: bool) -> None:
    """Check catalogs (all, or the LOCALES named): placeholders, markup and links, unsafe HTML,
    numbers, terminology, length limits, plural forms, msgfmt -c, untranslated and fuzzy.

    \b
    Example:
      awareness check fr de
      awareness check --release --json
    """
    from .catalog.checks import check_project

    issues = check_project(project_of(ctx), list(locales), release=release)
    print_issues([i for i in issues if i.severity == "error" or not quiet], as_json)
    errors = sum(1 for i in issues if i.severity == "error")
    if not as_json:
        warnings = sum(1 for i in issues if i.severity == "warning")
        click.echo(f"{errors} errors, {warnings} warnings", err=True)
    if errors:
        ctx.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--include-drafts", is_flag=True, help="Also bundle DRAFT-marked editions (for previews).")
@click.option("--allow-unreviewed", is_flag=True, help="Also bundle editions whose translation awaits review.")
@click.option("--input", "inputs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="An output folder to take editions from (repeatable, e.g. one per CI shard). Default: output/.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Archive to write (default: output/awareness-<version>.zip).")
@click.option("--edition", "editions", multiple=True, metavar="ID",
              help="Only this built edition, e.g. es-ES (repeatable). Default: every built edition.")
@click.pass_context
def bundle(ctx: click.Context, include_drafts: bool, allow_unreviewed: bool, inputs: tuple[Path, ...],
           out: Path | None, editions: tuple[str, ...]) -> None:
    """Package what has been built (it does not build) into a reproducible zip with manifest.json and
    SHA256SUMS: every release edition, or with --include-drafts the drafts too.

    \b
    Example:
      awareness build && awareness bundle --include-drafts
      awareness bundle --input shard1/output --input shard2/output
      awareness bundle --edition es-ES
    """
    from .bundle import make_bundle

    project = project_of(ctx)
    result = make_bundle(project, inputs=list(inputs) or None, include_drafts=include_drafts,
                         allow_unreviewed=allow_unreviewed, out=out, editions=list(editions) or None)
    for edition_id, why in result.left_out:
        click.echo(f"{edition_id:<7} left out: {why}")
    if result.broken_links:
        page, link = result.broken_links[0]
        click.echo(f"{project.rel(result.path)}: warning[links]: {len(result.broken_links)} links of its pages point "
                   f"outside the archive (e.g. {page} -> {link}): an edition they link is not in this bundle; "
                   f"bundle the editions of a region together, or build only the editions you bundle")
    click.echo(f"{project.rel(result.path)}: {len(result.editions)} editions, {result.size // 1024} KiB")


@main.command()
@click.argument("locale")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the package (default: output/export/<export-id>/).")
@click.option("--format", "fmt", type=click.Choice(["po", "xliff"]), default="po", show_default=True,
              help="The translation file: PO (Poedit, Weblate) or XLIFF 1.1 (agencies' CAT tools).")
@click.pass_context
def export(ctx: click.Context, locale: str, out: Path | None, fmt: str) -> None:
    """Write a translator package for LOCALE: the up-to-date catalog with an export id, the glossary
    (CSV and TBX) and instructions. A snapshot of what was sent is kept in locales/<locale>/exports/
    (commit it) so the returned file can be merged three-way.

    \b
    Example:
      awareness export fr --out /tmp/for-translator
      awareness export de --format xliff
    """
    from .roundtrip.export import export_package

    project = project_of(ctx)
    result = export_package(project, locale, out, fmt)
    for path in result.files:
        click.echo(project.rel(path))
    click.echo(f"export id {result.export_id}; snapshot {project.rel(result.snapshot)} (commit it)")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--locale", help="The files' language, when their Language header is missing.")
@click.option("--dry-run", is_flag=True, help="Report what would be merged; write nothing.")
@click.option("--review", is_flag=True,
              help="The file comes from a reviewer: translations the reviewer changed, or whose '(review)' note "
                   "they removed, are marked reviewed; entries returned untouched keep their state.")
@click.option("--confirm-all", is_flag=True,
              help="With --review: also confirm every translation returned unchanged (the reviewer read them all).")
@click.option("--prefer-returned", is_flag=True,
              help="Where the catalog changed since the export, this file's translation wins (still checked).")
@click.option("--machine-translated", is_flag=True, help="The translations were machine-made: mark them for review.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def merge(ctx: click.Context, files: tuple[Path, ...], locale: str | None, dry_run: bool, review: bool,
          confirm_all: bool, prefer_returned: bool, machine_translated: bool, as_json: bool) -> None:
    """Merge translators' returned FILES (PO, or XLIFF .xlf) into the catalogs, entry by entry, after
    checking each.

    Entries that fail a check are rejected and reported; the rest are merged. Work on a sentence that
    changed since the export is kept as a fuzzy suggestion on the new sentence. A translation that
    changed in the catalog since the export is a conflict (kept as is, unless --prefer-returned).
    Exit 0 all merged, 1 some entries rejected, in conflict or without a place, 3 a file refused
    (nothing written).

    \b
    Example:
      awareness merge ~/Downloads/messages-fr.po
      awareness merge --review reviewed-by-amira.po
      awareness merge --dry-run --locale de returned.xlf
    """
    from .core.clock import build_date
    from .roundtrip.merge import MergeOptions, merge_file

    project = project_of(ctx)
    if confirm_all and not review:
        raise click.UsageError("--confirm-all goes with --review")
    options = MergeOptions(prefer_returned=prefer_returned, machine=machine_translated,
                           review_day=build_date().date() if review else None, confirm_all=confirm_all)
    reports = [merge_file(project, Path(f), locale=locale, dry_run=dry_run, options=options) for f in files]
    if as_json:
        print_json([r.as_dict() for r in reports])
    else:
        for r in reports:
            print_merge_report(r, dry_run)
    if not all(r.clean for r in reports):
        ctx.exit(EXIT_PROBLEMS)


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return f'"{text[:limit]}{"…" if len(text) > limit else ""}"'


def _entry(item: dict, limit: int = 70) -> str:
    """An entry for a report line: its msgid, and its msgctxt when it has one (two entries may share an msgid)."""
    context = f" (context {_quote(item['msgctxt'], 30)})" if item.get("msgctxt") else ""
    return _quote(item["msgid"], limit) + context


def print_merge_report(r, dry_run: bool) -> None:
    for note in r.notes:
        click.echo(f"{r.file}: warning[snapshot]: {note}")
    for item in r.rejected:
        for issue in item["problems"]:
            click.echo(str(issue))
    for c in r.conflicts:
        where = f"{r.file}:{c['line']}"
        if "now" in c:
            click.echo(f"{where}: warning[conflict]: {_entry(c)} changed to {_quote(c['now'])} since the "
                       f"export, and the catalog already translates the new sentence: kept {_quote(c['catalog'])}; "
                       f"yours: {_quote(c['returned'])}")
        else:
            click.echo(f"{where}: warning[conflict]: {_entry(c)} changed in the catalog since the export: "
                       f"kept {_quote(c['catalog'])}; yours: {_quote(c['returned'])}")
        for issue in c["problems"]:
            click.echo(f"  {issue}")
    for c in r.carried:
        click.echo(f"{r.file}:{c['line']}: info[carried]: the English changed to {_quote(c['now'])}; your translation "
                   f"is kept there as a fuzzy suggestion ({r.catalog}:{c['catalog_line']})")
    for s in r.stale:
        click.echo(f"{r.file}:{s['line']}: warning[stale]: {_entry(s, 200)} is no longer in the source and "
                   f"no similar sentence was found; your translation was not merged: {_quote(s['returned'], 200)}")
    for e in r.english:
        click.echo(f"{r.file}:{e['line']}: warning[untranslated]: {_entry(e)} came back as the English source; "
                   f"not merged (the catalog keeps its text)")
    for c in r.contexts:
        contexts = ", ".join(_quote(x, 30) if x else "no context" for x in c["contexts"])
        click.echo(f"{r.file}:{c['line']}: warning[context]: {_quote(c['msgid'])} came back with one text for "
                   f"{contexts}, where the catalog has different ones: not merged; translate each for its "
                   f"place ({_quote(c['returned'])})")
    if r.source_copies:
        click.echo(f"{r.file}: info[untranslated]: {r.source_copies} units came back with the English source as "
                   f"their target (not translated in the CAT tool): the catalog keeps what it has for them")
    for m in r.merged:
        click.echo(f"{r.file}:{m['line']}: info[merged]: {_entry(m)}")
    verb = "would merge" if dry_run else "merged"
    reviewed = f", reviewed {len(r.reviewed)}" if r.reviewed or r.left_unreviewed else ""
    reviewed += f", left unreviewed {r.left_unreviewed}" if r.left_unreviewed else ""
    english = f", left in English {len(r.english)}" if r.english else ""
    click.echo(f"{r.file} -> {r.catalog} ({r.mode}): {verb} {len(r.merged)}, carried {len(r.carried)}, "
               f"unchanged {r.unchanged}, rejected {len(r.rejected)}, conflicts {len(r.conflicts)}, "
               f"stale {len(r.stale)}{english}{reviewed}")


class ContactsGroup(click.Group):
    """`contacts [REGION]...` lists those regions; `contacts verify|check ...` runs a subcommand. Before a
    subcommand's name, words that are not options are the listing's regions (the group's options are flags)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        regions: list[str] = []
        kept: list[str] = []
        for index, token in enumerate(args):
            if token in self.commands:
                kept += args[index:]
                break
            (kept if token.startswith("-") else regions).append(token)
        ctx.meta["contact_regions"] = [r.upper() for r in regions]
        return super().parse_args(ctx, kept)


@main.group(cls=ContactsGroup, invoke_without_command=True)
@click.option("--due", is_flag=True, help="Only contacts that need a live check (not confirmed, or older than 12 months).")
@click.option("--coverage", is_flag=True, help="The region x need matrix: which contact answers each need.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def contacts(ctx: click.Context, due: bool, coverage: bool, as_json: bool) -> None:
    """List every hotline and helpline with its source, status and last live check; [REGION]... only those.

    \b
    Example:
      awareness contacts --due
      awareness contacts --due ES
      awareness contacts --coverage
      awareness contacts verify GB childline --on 2026-11-27
    """
    if ctx.invoked_subcommand:
        return
    from .contacts.livecheck import evidence_line, last_checks
    from .contacts.regions import contact_rows, load_regions
    from .core.clock import build_date

    regions = load_regions(project_of(ctx))
    if coverage:
        print_coverage(regions, as_json)
        return
    wanted = ctx.meta.get("contact_regions", [])
    unknown = [r for r in wanted if r not in regions]
    if unknown:
        from .core.errors import UsageError

        raise UsageError(f"unknown region '{unknown[0]}' (known: {', '.join(sorted(regions))})")
    rows = contact_rows(regions, build_date().date())
    if wanted:  # with the international contacts their editions print too
        rows = [r for r in rows if r.region in wanted or r.region == "INT"]
    if due:
        rows = [r for r in rows if r.due]
    evidence = last_checks(project_of(ctx))  # what `contacts check` saw last time, beside each contact
    if as_json:
        print_json([dict(r.as_dict(), last_check=_last_check(evidence.get((r.region, r.id)))) for r in rows])
        return
    for r in rows:
        checked = f"verified {r.verified_on}" if r.verified_on else "never verified live"
        flag = "DUE " if r.due else "ok  "
        click.echo(f"{flag}{r.region}/{r.id} [{r.kind}] {r.name}: {r.status}, {checked}")
        click.echo(f"      check: {r.url or r.source}   source: {r.source}   {' / '.join(r.phones)}".rstrip())
        click.echo(f"      {evidence_line(evidence.get((r.region, r.id)))}")
    click.echo(f"{len(rows)} contacts{' due for a live check' if due else ''}")


def _last_check(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {"checked_at": row.get("checked_at"), "all_seen": not row.get("problems"),
            "problems": row.get("problems", []), "pages": [{k: p.get(k) for k in ("url", "status", "final_url",
                                                                                   "numbers_seen", "numbers_missing",
                                                                                   "changed")}
                                                          for p in row.get("pages", [])]}


def print_coverage(regions, as_json: bool) -> None:
    from .contacts.needs import NEEDS, coverage_matrix
    from .core.release import uncovered_reason

    rows = coverage_matrix(regions)
    if as_json:
        print_json([r.as_dict() for r in rows])
        return
    width = 16
    click.echo("region " + " ".join(f"{need:<{width}}" for need in NEEDS))
    for code in sorted({r.region for r in rows}):
        cells = {r.need: r for r in rows if r.region == code}

        def cell(row) -> str:
            if not row.routes:
                return "—"
            more = f" +{len(row.routes) - 1}" if len(row.routes) > 1 else ""
            mark = " *" if row.fallback else ""
            return row.routes[0][: width - len(more) - len(mark)] + more + mark

        click.echo(f"{code:<6} " + " ".join(f"{cell(cells[need]):<{width}}" for need in NEEDS))
    click.echo("* not a service of the region: run from abroad, or international; — no route")
    for row in rows:
        if row.routes:
            continue
        if not row.required:
            click.echo(f"{row.path}: {row.region}: no sourced service for '{row.need}' ({NEEDS[row.need]}); "
                       f"shown where one exists, not a draft reason")
            continue
        click.echo(f"{row.path}: {row.region} editions are drafts: {uncovered_reason(row.need)}")


@contacts.command()
@click.argument("region")
@click.argument("contact")
@click.option("--on", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of the live check (default: today).")
@click.option("--how", type=click.Choice(["phone", "site"]), default=None,
              help="phone: you called the number; site: you found it on the organisation's own site.")
@click.option("--by", "by", default=None, metavar="NAME", help="Who made the check (recorded in the region file).")
@click.option("--number", default=None, metavar="NUMBER",
              help="The number you checked, as printed, when the contact has several (each is checked on its own).")
@click.pass_context
def verify(ctx: click.Context, region: str, contact: str, day: dt.datetime | None, how: str | None, by: str | None,
           number: str | None) -> None:
    """Record that CONTACT of REGION was checked live: by a call, or on the organisation's own site.

    \b
    Example:
      awareness contacts verify US ncmec-cybertipline --how site --by "A. Rivera" --on 2026-11-27
      awareness contacts verify DE nummer-gegen-kummer --number "116 111" --how phone --by "A. Rivera"
    """
    from .contacts.regions import record_verification

    when = day.date() if day else dt.date.today()
    path, done = record_verification(project_of(ctx), region, contact, when, how=how or "", by=by or "",
                                     number=number)
    click.echo(f"{project_of(ctx).rel(path)}: {region.upper()}/{contact} {done}, verified on {when.isoformat()}")


@contacts.command("check")
@click.argument("regions", nargs=-1, metavar="[REGION]...")
@click.option("--json", "as_json", is_flag=True, help="Print one object per contact as JSON.")
@click.option("--timeout", type=click.FloatRange(min=0.5, max=300), default=None, metavar="S",
              help="Seconds to wait for one page (default: 20).")
@click.option("--plan", is_flag=True, help="Make no request: list the hosts and pages, and how long a check takes.")
@click.pass_context
def contacts_check(ctx: click.Context, regions: tuple[str, ...], as_json: bool, timeout: float | None,
                   plan: bool) -> None:
    """Check every printable contact live (of the REGIONs named, or all): fetch its pages, look for each
    printed number, see where redirects lead and whether a report page still takes reports.

    It never edits region data: it writes output/contacts-check/report.json and report.html, with the
    `awareness contacts verify` command to run once a person has looked. Politely: robots.txt, one request
    per second per host, four hosts at a time, a user agent naming the publisher ([publisher] url).
    Exit 0 all seen, 1 findings (a page gone, a number not on its page, a report page moved).

    \b
    Example:
      awareness contacts check GB
      awareness contacts check --plan
    """
    from dataclasses import replace

    from .contacts import livecheck

    project = project_of(ctx)
    politeness = replace(livecheck.POLITENESS, timeout=timeout or livecheck.POLITENESS.timeout)
    if plan:
        from .contacts.regions import load_regions

        click.echo(livecheck.describe_plan(livecheck.plan_check(load_regions(project), regions), politeness))
        return

    def progress(fetched) -> None:  # called one page at a time
        click.echo(f"  {fetched.status or '---'} {fetched.url}", err=True)

    result = livecheck.check_contacts(project, regions, politeness=politeness,
                                      progress=None if as_json else progress)
    if as_json:
        print_json(result.rows)
    else:
        for row in result.rows:
            mark = "FIND" if row["problems"] else "ok  "
            click.echo(f"{mark} {row['region']}/{row['id']} {row['name']}: {livecheck.evidence_line(row)}")
            for problem in row["problems"][1:]:
                click.echo(f"       {problem}")
            for note in row["notes"]:
                click.echo(f"       note: {note}")
            if not row["problems"]:
                click.echo(f"       after looking yourself: {row['verify']}")
        seen = sum(1 for r in result.rows if not r["problems"])
        click.echo(f"{project.rel(result.html_path)}: {len(result.rows)} contacts, {seen} all seen, "
                   f"{len(result.rows) - seen} with findings")
    if project.status_page.is_file():  # the dashboard shows the evidence too: keep it in step with the report
        from .edition.status import project_status
        from .publish.dashboard import write_dashboard

        try:
            write_dashboard(project, project_status(project, recorded_editions(project)))
        except PipelineError as exc:
            click.echo(f"awareness: warning: {project.rel(project.status_page)} not refreshed: {exc}", err=True)
    if not result.ok:
        ctx.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--edition", "editions", multiple=True, metavar="ID",
              help="Build only this edition, e.g. fr-CA (repeatable). Default: every edition with a catalog.")
@click.option("--format", "fmt", metavar="html|pdf|FORMAT[,...]", default=None,
              help="Build only the site (html), only the leaflets (pdf), or some formats, e.g. html,sheet.")
@click.option("--release", is_flag=True,
              help="Refuse draft editions (incomplete translation, unverified contacts, overflowing leaflet).")
@click.option("--allow-unreviewed", is_flag=True,
              help="With --release: accept catalogs still awaiting native-speaker review.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, envvar="AWARENESS_JOBS",
              help="Editions rendered in parallel (default: the number of cores, or AWARENESS_JOBS).")
@click.option("--shard", metavar="I/N", help="Build only share I of N of the editions (for CI machines), e.g. 2/4.")
@click.option("--force", is_flag=True, help="Rebuild even outputs whose inputs did not change.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of one line per edition.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.pass_context
def build(ctx: click.Context, editions: tuple[str, ...], fmt: str | None, release: bool, allow_unreviewed: bool,
          jobs: int | None, shard: str | None, force: bool, as_json: bool, quiet: bool) -> None:
    """Build the HTML site and the PDF leaflet of each edition (language x region).

    Output: output/site/<edition>/ and output/site/leaflets/<edition>.pdf. Drafts carry a DRAFT mark.

    \b
    Example:
      awareness build --edition en-US --edition ar-EG
      awareness build --release          # refuses drafts
    """
    from .build import build as run
    from .build import parse_shard
    from .progress import BuildProgress

    project = project_of(ctx)
    printer = BuildProgress(enabled=not (quiet or as_json))
    with printer:
        report = run(project, editions=list(editions), formats=fmt, release=release,
                     allow_unreviewed=allow_unreviewed, jobs=jobs, shard=parse_shard(shard) if shard else None,
                     force=force, progress=printer.edition_done, planned=printer.planned)
    for issue in report.issues:
        click.echo(str(issue), err=True)
    if as_json:
        print_json({"editions": [{"edition": r.edition.id, "draft": r.draft, "draft_reasons": r.draft_reasons,
                                  "failed": r.failed, "files": [project.rel(p) for p in r.written],
                                  "seconds": round(r.seconds, 3), "rss_kib": r.rss_kib}
                                 for r in report.results],
                    "unchanged": report.unchanged, "skipped": report.skipped,
                    "issues": [i.as_dict() for i in report.issues]})
    elif not quiet:
        for edition_id in report.skipped:
            click.echo(f"{edition_id:<7} skipped: no catalog yet (awareness init {edition_id.split('-')[0]})")
        built = sum(1 for r in report.results if not r.failed)
        click.echo(f"{built} of {len(report.results)} editions built, {len(report.unchanged)} unchanged, "
                   f"into {project.rel(project.output)}/ ({printer.elapsed:.1f}s)")
    if not report.ok:
        ctx.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--edition", "editions", multiple=True, metavar="ID",
              help="Preview only this edition, e.g. fr-CA (repeatable). Default: every edition.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.pass_context
def serve(ctx: click.Context, editions: tuple[str, ...], port: int) -> None:
    """Preview editions in a browser while you translate: pages mark untranslated, fuzzy and
    unreviewed text, leaflet pages are shown as images, and the open page reloads itself when a
    catalog, document, region file, template or setting is saved. Listens on 127.0.0.1 only.

    \b
    Example:
      awareness serve --edition fr-FR --edition fr-CA
    """
    from .serve import serve as run

    try:
        run(project_of(ctx), list(editions), port, log=click.echo)
    except KeyboardInterrupt:  # during the first build
        click.echo("stopped")
    # A leaflet or watcher thread may be in the middle of a build (and of an import) when Ctrl-C comes; letting
    # the interpreter finalize around it can hang on the import lock. The server is closed: leave at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
