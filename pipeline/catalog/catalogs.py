"""The catalog module: reading and writing PO files (gettext-compatible bytes), Plural-Forms, GNU msgfmt,
and what "translated" means. Everything else asks this module."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import polib

from ..core.errors import InputRefused, MissingTool, PipelineError
from ..core.models import Issue

Key = tuple[str | None, str]
Lookup = Callable[[str | None, str], "str | None"]
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


def entry_key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid)


# --- what "translated" means ----------------------------------------------------------------------

def msgstr_values(entry: polib.POEntry) -> tuple[str, ...]:
    """The entry's translation: its msgstr, or every plural form in order."""
    if entry.msgid_plural:
        return tuple(v for _, v in sorted(entry.msgstr_plural.items()))
    return (entry.msgstr,)


def has_text(entry: polib.POEntry) -> bool:
    """Some translation was written (it may be fuzzy or incomplete): worth keeping or suggesting."""
    return any(msgstr_values(entry))


def is_fuzzy(entry: polib.POEntry) -> bool:
    return "fuzzy" in entry.flags


def is_translated(entry: polib.POEntry) -> bool:
    """Usable in an edition: every form written and not fuzzy. Anything else falls back to English."""
    values = msgstr_values(entry)
    return bool(values) and all(values) and not is_fuzzy(entry)


def catalog_lookup(catalog: polib.POFile | None) -> Lookup:
    """(msgctxt, msgid) -> the translation an edition may use, or None."""
    table: dict[Key, str] = {}
    if catalog is not None:
        for entry in catalog:
            if not entry.obsolete and not entry.msgid_plural and is_translated(entry):
                table[entry_key(entry)] = entry.msgstr
    return lambda context, msgid: table.get((context, msgid))


# --- plural forms -------------------------------------------------------------------------------

def plural_forms(locale: str) -> str:
    """The Plural-Forms header for a locale, from Babel's CLDR rules."""
    from babel.messages.plurals import get_plural

    plural = get_plural(locale)
    return f"nplurals={plural.num_plurals}; plural={plural.plural_expr};"


def nplurals(catalog: polib.POFile) -> int:
    """How many plural forms the catalog's header declares (spaces allowed, as people write them by hand);
    the language's CLDR count when the header is missing."""
    match = _NPLURALS.search(catalog.metadata.get("Plural-Forms", ""))
    if match:
        return int(match.group(1))
    language = catalog.metadata.get("Language", "").strip()
    from babel.messages.plurals import get_plural

    try:
        return get_plural(language).num_plurals if language else 2
    except (ValueError, LookupError):
        return 2


# --- reading and writing ------------------------------------------------------------------------

def read_catalog(path: Path, rel: str, *, rewrite: bool = False) -> polib.POFile:
    """Read a PO/POT file as GNU gettext reads it; a file gettext rejects is refused with its lines.

    rewrite=True: the catalog will be written back; entries keep their text (msgcat's), so unchanged
    entries need not pass through msgcat again."""
    if not path.is_file():
        raise InputRefused("file not found", path=rel)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputRefused(f"cannot read the file: {exc.strerror}", path=rel) from None
    catalog = parse_catalog(data, rel, rewrite=rewrite)
    catalog.fpath = str(path)
    return catalog


def parse_catalog(data: bytes, rel: str, *, rewrite: bool = False) -> polib.POFile:
    """The catalog in `data`, read exactly as msgcat reads it; refused (with every problem msgcat names,
    file and line) when GNU gettext rejects it.

    msgcat reads the file and writes it in its own layout, which po_io reads; bytes msgcat produced on this
    machine (a marker in the user's cache, set by every write and read) are that layout already."""
    from . import po_io  # imported when a catalog is read: an English edition's build reads none

    msgcat = gettext_tool("msgcat")
    lines: dict | None = None  # the file's entry lines, when they differ from those of msgcat's output
    if po_io.known_canonical(data, msgcat):
        normal = data
    elif (cached := po_io.cached_reading(data, msgcat)) is not None:
        normal, lines = cached
    else:
        normal = _gettext_reading(data, rel, msgcat)
        if normal == data:
            po_io.remember_canonical(data, msgcat)
        else:
            lines = po_io.entry_lines(data.decode("utf-8", "surrogateescape"))
            po_io.remember_reading(data, msgcat, normal, lines)
    try:
        text = normal.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    catalog = po_io.parse(text, po_io.SourceText(True) if rewrite else None) if text is not None else None
    charset = _CHARSET.search(catalog.metadata.get("Content-Type", "")) if catalog is not None else None
    if text is None or charset and charset.group(1).lower().replace("_", "-") not in _UTF8_OR_ASCII:
        # gettext reads the file in the charset it declares; ours are all UTF-8 (Babel, Poedit, Weblate agree)
        line = _line_of(data, b"charset=") if text is not None else _first_bad_utf8_line(data)
        raise InputRefused(f"the file is not in UTF-8{f' (it declares {charset.group(1)})' if charset else ''}; "
                           "save it as UTF-8 (Poedit: Catalog > Properties)", path=rel, line=line)
    if catalog is None:  # msgcat wrote something po_io does not know: a bug, not the file's fault
        raise PipelineError(f"{rel}: cannot read msgcat's output of this file (gettext {_version(msgcat)}); "
                            "please report this with the file")
    if lines is not None:  # entries carry the lines of msgcat's output: give them the file's own
        for entry in catalog:
            entry.linenum = lines.get((bool(entry.obsolete), entry.msgctxt, entry.msgid))
    return catalog


_CHARSET = re.compile(r"charset=\s*([^\s;]+)")
_UTF8_OR_ASCII = ("utf-8", "utf8", "charset", "ascii", "us-ascii")  # `CHARSET`: a template's placeholder


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: max(data.find(needle), 0)].count(b"\n") + 1


def _first_bad_utf8_line(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    return 1


def _version(msgcat: str) -> str:
    from . import po_io

    return po_io.msgcat_version(msgcat).rsplit(" ", 1)[-1]


_GETTEXT_LINE = re.compile(r"<stdin>:(\d+):(?:\d+:)? (.*)")


def _gettext_reading(data: bytes, rel: str, msgcat: str) -> bytes:
    """msgcat's output for `data`, or every problem it names, refused with the file's lines."""
    result = subprocess.run([msgcat, "--force-po", "-o", "-", "-"], input=data, capture_output=True)
    if result.returncode == 0:
        return result.stdout
    problems = []
    for line in result.stderr.decode("utf-8", "replace").splitlines():
        match = _GETTEXT_LINE.match(line)
        if match:
            number, reason = int(match.group(1)), match.group(2).strip()
            if "end-of-line within string" in reason or "end-of-file within string" in reason:
                number = min(number, data.count(b"\n") + 1) - (1 if "end-of-line" in reason else 0)
            if reason.startswith("warning:") or reason.startswith("..."):
                continue
            problems.append(Issue(rel, max(number, 1), "error", "gettext", reason))
        elif "doesn't contain a header entry with a charset" in line:
            first = next((i for i, raw in enumerate(data.split(b"\n"), 1) if not raw.isascii()), 1)
            problems.append(Issue(rel, first, "error", "gettext",
                                  "non-ASCII text but no charset in the header; add "
                                  '"Content-Type: text/plain; charset=UTF-8\\n" to the header entry'))
    if data.startswith(b"\xef\xbb\xbf") and problems and problems[0].line == 1:
        problems[0] = Issue(rel, 1, "error", "gettext", f"{problems[0].message} (the file starts with a byte-order "
                            "mark, which GNU gettext does not read: save it as UTF-8 without BOM)")
    if not problems:
        last = result.stderr.decode("utf-8", "replace").strip().splitlines()
        problems.append(Issue(rel, 1, "error", "gettext", last[-1] if last else "msgcat rejected the file"))
    if len(problems) == 1:  # one line: where and what
        raise InputRefused(f"not a valid PO file (GNU gettext rejects it): {problems[0].message}", path=rel,
                           line=problems[0].line)
    # every problem is printed above the summary; the summary alone (e.g. on serve's page) still names the first
    first = problems[0]
    raise InputRefused(f"not a valid PO file, GNU gettext rejects it (line {first.line}: {first.message}): "
                       f"refused: {len(problems)} problems", path=rel, problems=problems)


def new_catalog(metadata: dict[str, str], header: str = "") -> polib.POFile:
    catalog = polib.POFile(wrapwidth=0, encoding="utf-8")
    catalog.metadata = metadata
    catalog.header = header
    return catalog


def gettext_tool(name: str) -> str:
    """The path of a GNU gettext program, or a clear error telling how to install it."""
    found = shutil.which(name)
    if not found:
        raise MissingTool(name, "gettext", "GNU gettext, which reads and checks every catalog")
    return found


def _msgcat(text: bytes) -> bytes:
    result = subprocess.run([gettext_tool("msgcat"), "--force-po", "-o", "-", "-"], input=text, capture_output=True)
    if result.returncode != 0:
        raise PipelineError(f"msgcat refused the generated catalog: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def po_bytes(catalog: polib.POFile) -> bytes:
    """The catalog as GNU gettext writes it: msgcat normalises wrapping and escaping, so tools show no diffs.
    Entries read from a file already in that form, and unchanged since, are not formatted again."""
    from . import po_io

    data = po_io.write(catalog, _msgcat)
    po_io.remember_canonical(data, gettext_tool("msgcat"))
    return data


_MSGFMT_LINE = re.compile(r"(?:<stdin>|.*?):(\d+):(?:\d+:)? (.*)")


def msgfmt_problems(rel: str, *, path: Path | None = None, text: str | None = None,
                    check: bool = True) -> list[Issue]:
    """What GNU msgfmt reports about a file (or text), as issues with the file's lines.

    check=True adds `-c --check-format` (header, format strings, plurals); without it only syntax and
    duplicates are judged."""
    args = [gettext_tool("msgfmt"), *(["-c", "--check-format"] if check else []), "-o", "/dev/null",
            str(path) if path is not None else "-"]
    result = subprocess.run(args, input=text.encode("utf-8") if text is not None else None, capture_output=True)
    issues = []
    for line in result.stderr.decode("utf-8", "replace").splitlines():
        match = _MSGFMT_LINE.match(line)
        if match and "msgfmt: found" not in line:
            number, reason = int(match.group(1)), match.group(2).strip()
            if "end-of-line within string" in reason:
                number -= 1  # msgfmt counts the newline it stopped at
            issues.append(Issue(rel, number, "error", "msgfmt", reason))
    if result.returncode != 0 and not issues:
        last = result.stderr.decode("utf-8", "replace").strip().splitlines()
        issues.append(Issue(rel, 0, "error", "msgfmt", last[-1] if last else "msgfmt failed"))
    return issues
