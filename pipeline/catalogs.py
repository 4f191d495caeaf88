"""The catalog module: reading and writing PO files (gettext-compatible bytes), Plural-Forms, GNU msgfmt,
and what "translated" means. Everything else asks this module."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import polib

from . import po_io
from .errors import InputRefused, PipelineError
from .models import Issue

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
    """Parse a PO/POT file; a syntax error refuses the file with its line.

    rewrite=True: the catalog will be written back; when the file is known to be in msgcat's form, unchanged
    entries keep their text and only changed ones pass through msgcat again."""
    if not path.is_file():
        raise InputRefused("file not found", path=rel)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        text = None
    if text is not None:
        source = po_io.SourceText(po_io.known_canonical(data, gettext_tool("msgcat"))) if rewrite else None
        fast = po_io.parse(text, source)
        if fast is not None:
            fast.fpath = str(path)
            return fast
    try:
        return polib.pofile(str(path), wrapwidth=0, encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise InputRefused(f"not a valid PO file: {exc}", path=rel, line=int(match.group(1)) if match else None) from None


def new_catalog(metadata: dict[str, str], header: str = "") -> polib.POFile:
    catalog = polib.POFile(wrapwidth=0, encoding="utf-8")
    catalog.metadata = metadata
    catalog.header = header
    return catalog


def gettext_tool(name: str) -> str:
    """The path of a GNU gettext program, or a clear error telling how to install it."""
    found = shutil.which(name)
    if not found:
        raise PipelineError(f"GNU gettext is not installed ({name} not found); install it with: apt-get install gettext")
    return found


def _msgcat(text: bytes) -> bytes:
    result = subprocess.run([gettext_tool("msgcat"), "--force-po", "-o", "-", "-"], input=text, capture_output=True)
    if result.returncode != 0:
        raise PipelineError(f"msgcat refused the generated catalog: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def po_bytes(catalog: polib.POFile) -> bytes:
    """The catalog as GNU gettext writes it: msgcat normalises wrapping and escaping, so tools show no diffs.
    Entries read from a file already in that form, and unchanged since, are not formatted again."""
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
