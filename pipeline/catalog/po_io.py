"""PO text in GNU gettext's own layout: a strict reader of what msgcat writes, and a writer that reuses it.

GNU gettext is the judge of what a PO file says. `catalogs.parse_catalog` has msgcat read every file and
refuses what msgcat rejects; this module then reads msgcat's output, whose layout is fixed: entries separated
by one empty line, comments in the order `#`, `#.`, `#:`, `#,`, then `#|`, msgctxt, msgid, msgid_plural,
msgstr, obsolete lines prefixed `#~ `. Anything else in that text makes `parse` return None: it is never
guessed at. msgcat runs once per file content: bytes msgcat itself produced are known by a marker in the
user's cache (`known_canonical`), and msgcat's reading of any other file is kept there too (`cached_reading`).

- `parse` builds the `polib.POEntry` objects of the catalog with exactly msgcat's reading (every escape,
  flags as msgcat keeps them, comments on the entry msgcat attaches them to); `entry_lines` finds each
  entry's line in the file itself, for files msgcat rewrote.
- `render` writes entries back without losing a field (polib's writer drops `#.` and `#:` on obsolete entries
  and writes `\\a` as a raw byte); msgcat then wraps and escapes them its way.
- Each parsed entry remembers its block of text and a signature of its fields. When a catalog is written,
  entries whose fields did not change are copied as they were: msgcat would write the same block again,
  because it is msgcat's own writing of the same fields. Only changed and new entries go through msgcat.
  Any mismatch falls back to msgcat over the whole catalog.

tests/test_po_gettext_diff.py compares the reading with msgcat's on thousands of generated valid and invalid
files, and both writing paths byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polib

from ..core.storage import user_cache

CACHE_LIMIT = 4000


class _Unsupported(Exception):
    """Text that is not in msgcat's layout."""


def signature(entry: polib.POEntry) -> tuple:
    """Every field `render` writes for an entry: equal signatures give equal text."""
    return (entry.obsolete, entry.msgctxt, entry.msgid, entry.msgid_plural, entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())), tuple(entry.flags), entry.comment, entry.tcomment,
            tuple(entry.occurrences), entry.previous_msgctxt, entry.previous_msgid, entry.previous_msgid_plural,
            getattr(entry, "_lone", None))


@dataclass(frozen=True)
class SourceText:
    """The text a catalog was parsed from: its entries' text may be reused when it is msgcat's output."""

    canonical: bool


def _cache_dir() -> Path:
    return user_cache("po-canonical")


@cache
def msgcat_version(msgcat: str) -> str:
    result = subprocess.run([msgcat, "--version"], capture_output=True, text=True)
    return result.stdout.split("\n", 1)[0]


def _key(data: bytes, msgcat: str) -> str:
    # the gettext version is part of the key: another version may wrap differently
    return hashlib.sha256(msgcat_version(msgcat).encode() + b"\0" + data).hexdigest()


def known_canonical(data: bytes, msgcat: str) -> bool:
    """True when msgcat on this machine produced exactly these bytes (so it accepts them and would leave
    them unchanged)."""
    return (_cache_dir() / _key(data, msgcat)).exists()


def remember_canonical(data: bytes, msgcat: str) -> None:
    """Record bytes msgcat produced; a content-addressed marker, so any edit by another tool misses."""
    folder = _cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / _key(data, msgcat)).touch()
        markers = list(folder.iterdir())
        if len(markers) > CACHE_LIMIT:  # keep the newest; a miss only costs a msgcat pass
            markers.sort(key=lambda p: p.stat().st_mtime)
            for old in markers[: len(markers) - CACHE_LIMIT // 2]:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: everything still works, only slower


READINGS_KEPT = 32  # msgcat's readings of files it did not write itself, newest first


def _readings_dir() -> Path:
    return user_cache("po-readings")


def cached_reading(data: bytes, msgcat: str) -> tuple[bytes, dict] | None:
    """msgcat's output for `data` and the file's entry lines, as `remember_reading` stored them; None when
    not stored or unreadable (a damaged cache file is deleted: it only costs a msgcat pass)."""
    path = _readings_dir() / _key(data, msgcat)
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    try:
        head, _, normal = stored.partition(b"\n")
        meta = json.loads(head)
        if meta["sha256"] != hashlib.sha256(normal).hexdigest():
            raise ValueError("truncated")
        lines = {(bool(o), c, m): int(n) for o, c, m, n in meta["lines"]}
    except (ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return None
    return normal, lines


def remember_reading(data: bytes, msgcat: str, normal: bytes, lines: dict) -> None:
    """Keep msgcat's reading of a file it did not write, so reading the same bytes again costs no msgcat."""
    folder = _readings_dir()
    meta = {"sha256": hashlib.sha256(normal).hexdigest(), "lines": [[*key, n] for key, n in lines.items()]}
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".reading.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps(meta, ensure_ascii=True).encode() + b"\n" + normal)
        os.replace(tmp, folder / _key(data, msgcat))
        tmp = None
        kept = sorted((p for p in folder.iterdir() if not p.name.startswith(".")),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[READINGS_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full home: everything still works, only slower
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


# --- strings ----------------------------------------------------------------------------------------

_UNESCAPES = {"n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "\\": "\\", '"': '"'}
_ESCAPE_SEQUENCE = re.compile(r'\\(.)', re.S)
_ESCAPES = {v: "\\" + k for k, v in _UNESCAPES.items()}
_NEEDS_ESCAPE = re.compile('[\n\t\b\r\f\v\a\\\\"]')


def _unescape_sequence(match: re.Match) -> str:
    try:
        return _UNESCAPES[match.group(1)]
    except KeyError:
        raise _Unsupported(match.group(0)) from None  # msgcat writes no other escape


def _unquote(token: str) -> str:
    """A quoted string as msgcat writes it -> its value."""
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise _Unsupported(token)
    inner = token[1:-1]
    if "\\" not in inner:
        if '"' in inner:
            raise _Unsupported(token)
        return inner
    if '"' in _ESCAPE_SEQUENCE.sub("", inner):
        raise _Unsupported(token)
    return _ESCAPE_SEQUENCE.sub(_unescape_sequence, inner)


def quote(value: str) -> str:
    """A string as a PO string literal (msgcat reads it back as `value`)."""
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], value) + '"'


# --- reading ----------------------------------------------------------------------------------------

def parse(text: str, source: SourceText | None = None) -> polib.POFile | None:
    """The catalog in `text`, which msgcat wrote; None when the text is not in msgcat's layout."""
    try:
        return _parse(text, source)
    except _Unsupported:
        return None


def _parse(text: str, source: SourceText | None) -> polib.POFile:
    catalog = polib.POFile(wrapwidth=0, encoding="utf-8")
    if text == "":
        return catalog
    if not text.endswith("\n") or "\n\n\n" in text or text.startswith("\n"):  # (a comment may hold \r)
        raise _Unsupported(0)
    reuse = source is not None and source.canonical
    line = 1
    header_seen = False
    for chunk in text[:-1].split("\n\n"):  # msgcat separates entries by exactly one empty line
        block = chunk.split("\n")
        entry = _entry(block, line)
        line += len(block) + 1
        if not header_seen and entry.msgid == "" and not entry.obsolete and entry.msgctxt is None:
            header_seen = True
            _install_header(catalog, entry)
            continue
        if reuse:
            entry._raw = (source, chunk + "\n", signature(entry))
        list.append(catalog, entry)
    return catalog


def _install_header(catalog: polib.POFile, entry: polib.POEntry) -> None:
    """The header entry as polib keeps it: comment, fuzzy flag, and the metadata as a dict."""
    catalog.header = entry.tcomment
    catalog.metadata_is_fuzzy = entry.flags
    key = None
    for line in entry.msgstr.splitlines():
        try:
            key, value = line.split(":", 1)
            catalog.metadata[key] = value.strip()
        except (ValueError, KeyError):
            if key is not None:
                catalog.metadata[key] += "\n" + line.strip()


_new_entry = polib.POEntry.__new__
_REFERENCE = re.compile(r"(.*):([0-9]+)\Z", re.S)
_KEYWORDS = ("msgctxt", "msgid", "msgid_plural")
_PLURAL = re.compile(r"msgstr\[([0-9]+)\]\Z")


def _reference(item: str) -> tuple[str, str]:
    match = _REFERENCE.match(item)
    # gettext reads `file:N` as a file and a line number; msgcat writes the number without leading zeros
    return (match.group(1), match.group(2)) if match and match.group(1) else (item, "")


def _entry(block: list[str], first_line: int) -> polib.POEntry:
    """One block of lines msgcat wrote -> the POEntry with msgcat's reading of it."""
    tcomment: list[str] = []
    comment: list[str] = []
    occurrences: list[tuple[str, str]] = []
    flags: list[str] = []
    fields: dict[str, str] = {}
    previous: dict[str, str] = {}
    plural: dict[int, str] = {}
    target: dict | None = None  # where continuation lines go
    key: object = None
    obsolete: bool | None = None  # None until the first keyword line
    stage = 0  # 0 comments, 1 previous, 2 keywords: msgcat's order
    for line in block:
        if line.startswith("#~"):
            if line.startswith("#~| "):
                prefix, line, is_previous = True, line[4:], True
            elif line.startswith("#~ "):
                prefix, line, is_previous = True, line[3:], False
            else:
                raise _Unsupported(line)
        elif line.startswith("#| "):
            prefix, line, is_previous = False, line[3:], True
        elif line.startswith("#"):
            if stage:
                raise _Unsupported(line)
            kind = line[1:2]
            if kind == "" or kind == " ":
                if comment or occurrences or flags:
                    raise _Unsupported(line)
                tcomment.append(line[2:])
            elif kind == ".":
                if occurrences or flags or line[2:3] not in ("", " "):
                    raise _Unsupported(line)
                comment.append(line[3:])
            elif kind == ":":
                if flags or line[2:3] != " ":
                    raise _Unsupported(line)
                occurrences.extend(_reference(item) for item in line[3:].split(" ") if item)
            elif kind == ",":
                if flags or line[2:3] != " ":
                    raise _Unsupported(line)
                flags.extend(line[3:].split(", "))
            else:
                raise _Unsupported(line)
            continue
        else:
            prefix, is_previous = False, False
        if is_previous:
            if stage > 1 or obsolete is not None and obsolete != prefix:
                raise _Unsupported(line)
            obsolete, stage = prefix, 1
            if line.startswith('"'):
                if target is not previous:
                    raise _Unsupported(line)
                previous[key] += _unquote(line)
                continue
            word, _, rest = line.partition(" ")
            if word not in _KEYWORDS or word in previous:
                raise _Unsupported(line)
            previous[word] = _unquote(rest)
            target, key = previous, word
            continue
        if obsolete is not None and obsolete != prefix:
            raise _Unsupported(line)
        obsolete, stage = prefix, 2
        if line.startswith('"'):
            if target is None or target is previous:
                raise _Unsupported(line)
            target[key] += _unquote(line)
            continue
        word, _, rest = line.partition(" ")
        if word in _KEYWORDS or word == "msgstr":
            if word in fields:
                raise _Unsupported(line)
            fields[word] = _unquote(rest)
            target, key = fields, word
        else:
            match = _PLURAL.match(word)
            if match is None:
                raise _Unsupported(line)
            key = int(match.group(1))
            if key in plural:
                raise _Unsupported(line)
            plural[key] = _unquote(rest)
            target = plural
    if "msgid" not in fields or ("msgstr" in fields) == bool(plural) or bool(plural) != ("msgid_plural" in fields):
        raise _Unsupported(first_line)
    entry = _new_entry(polib.POEntry)
    entry.__dict__.update(
        msgid=fields["msgid"], msgstr=fields.get("msgstr", ""), msgid_plural=fields.get("msgid_plural", ""),
        msgstr_plural=plural, msgctxt=fields.get("msgctxt"), obsolete=bool(obsolete), encoding="utf-8",
        comment="\n".join(comment), tcomment="\n".join(tcomment), occurrences=occurrences, flags=flags,
        previous_msgctxt=previous.get("msgctxt"), previous_msgid=previous.get("msgid"),
        previous_msgid_plural=previous.get("msgid_plural"), linenum=first_line)
    if tcomment == [""] or comment == [""]:
        # one empty comment line joins to "", which is also "no comment": remember which it was
        entry._lone = (tcomment == [""], comment == [""])
    return entry


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[A-Za-z_][A-Za-z0-9_\[\]]*|\S')


_LITERAL_ESCAPE = re.compile(rb'\\(?:([0-7]{1,3})|x([0-9A-Fa-f]+)|(.))', re.S)


def _literal_value(token: str) -> str:
    """A string literal as gettext reads it, with octal and hex escapes (for keys only: lenient)."""
    def one(match: re.Match) -> bytes:
        octal, hexa, char = match.groups()
        if octal:
            return bytes([int(octal, 8) & 0xFF])
        if hexa:
            return bytes([int(hexa, 16) & 0xFF])
        return _UNESCAPES.get(char.decode("latin-1"), char.decode("latin-1")).encode("utf-8")
    inner = token[1:-1] if token.endswith('"') and len(token) > 1 else token[1:]
    if "\\" not in inner:
        return inner
    return _LITERAL_ESCAPE.sub(one, inner.encode("utf-8", "surrogateescape")).decode("utf-8", "replace")


def entry_lines(text: str) -> dict[tuple[bool, str | None, str], int]:
    """(obsolete, msgctxt, msgid) -> the line where that entry starts, for a PO text gettext accepts.

    An entry starts at the first comment line after the previous entry's msgstr (gettext attaches such
    comments to the entry that follows), or else at its msgctxt or msgid."""
    found: dict[tuple[bool, str | None, str], int] = {}
    pending: int | None = None  # first comment line since the last msgstr
    last = ""  # the last keyword
    start, obsolete, values = 0, False, {}
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t\r\f\v")
        head = line[:1]
        if head == '"' and line.endswith('"') and '"' not in line[1:-1].replace('\\\\', "").replace('\\"', ""):
            if last in values:  # the common continuation line, one string
                values[last] += _literal_value(line)
            continue
        is_obsolete = head == "#" and line[1:2] == "~" and line[2:3] != "|"
        if is_obsolete:
            line = line[2:]
        elif head == "#":
            if pending is None:
                pending = number
            continue
        for token in _TOKEN.findall(line):
            if token[0] == '"':
                if last in values:
                    values[last] += _literal_value(token)
                continue
            if token == "msgctxt" or token == "msgid" and last != "msgctxt":
                start, obsolete, values = pending or number, is_obsolete, {}
                pending = None
            if token in ("msgctxt", "msgid"):
                values[token] = ""
            elif token.startswith("msgstr") or token == "msgid_plural":
                if "msgid" in values:  # gettext's strings end at a NUL byte
                    context = values["msgctxt"].split("\0", 1)[0] if "msgctxt" in values else None
                    found.setdefault((obsolete, context, values.pop("msgid").split("\0", 1)[0]), start)
                pending = None
            last = token
    return found


# --- writing ----------------------------------------------------------------------------------------

def render_entry(entry: polib.POEntry) -> str:
    """The entry as PO text, every field written (msgcat then wraps and orders it its way)."""
    lone = getattr(entry, "_lone", (False, False))
    lines = []
    if entry.tcomment or lone[0]:
        lines += [f"# {line}" if line else "#" for line in entry.tcomment.split("\n")]
    if entry.comment or lone[1]:
        lines += [f"#. {line}" if line else "#." for line in entry.comment.split("\n")]
    if entry.occurrences:
        lines.append("#: " + " ".join(f"{path}:{at}" if at else path for path, at in entry.occurrences))
    if entry.flags:
        lines.append("#, " + ", ".join(entry.flags))
    keyword = "#~ " if entry.obsolete else ""
    before = "#~| " if entry.obsolete else "#| "
    for name, value in (("msgctxt", entry.previous_msgctxt), ("msgid", entry.previous_msgid),
                        ("msgid_plural", entry.previous_msgid_plural)):
        if value is not None:
            lines.append(f"{before}{name} {quote(value)}")
    if entry.msgctxt is not None:
        lines.append(f"{keyword}msgctxt {quote(entry.msgctxt)}")
    lines.append(f"{keyword}msgid {quote(entry.msgid)}")
    if entry.msgid_plural or entry.msgstr_plural:  # gettext accepts `msgid_plural ""`; polib keeps it as ""
        lines.append(f"{keyword}msgid_plural {quote(entry.msgid_plural)}")
    if entry.msgstr_plural:  # as polib decides between msgstr and msgstr[N]
        lines += [f"{keyword}msgstr[{n}] {quote(v)}" for n, v in sorted(entry.msgstr_plural.items())]
    else:
        lines.append(f"{keyword}msgstr {quote(entry.msgstr)}")
    return "\n".join(lines) + "\n"


def render(catalog: polib.POFile) -> bytes:
    """The catalog as PO text: the header as polib writes it, then every entry, obsolete ones last."""
    head = polib.POFile(wrapwidth=0, encoding="utf-8")
    head.header, head.metadata, head.metadata_is_fuzzy = catalog.header, catalog.metadata, catalog.metadata_is_fuzzy
    parts = [head.__unicode__()]
    parts += [render_entry(e) for e in catalog if not e.obsolete]
    parts += [render_entry(e) for e in catalog if e.obsolete]
    return "\n".join(parts).encode("utf-8")


def carry_text(target: polib.POEntry, source: polib.POEntry) -> None:
    """`target` was rebuilt from `source`: if its fields end up the same, its text can be reused."""
    raw = getattr(source, "_raw", None)
    if raw is not None:
        target._raw = raw


def _reusable(entry: polib.POEntry) -> str | None:
    raw = getattr(entry, "_raw", None)
    if raw is None:
        return None
    source, text, sig = raw
    if not source.canonical or sig != signature(entry):
        return None
    return text


def write(catalog: polib.POFile, msgcat) -> bytes:
    """The catalog as `msgcat(render(catalog))` gives it, reusing the unchanged entries' text.

    `msgcat(text: bytes) -> bytes` normalises a PO text the way GNU gettext writes it."""
    ordered = [e for e in catalog if not e.obsolete] + [e for e in catalog if e.obsolete]
    texts = [_reusable(e) for e in ordered]
    dirty = [e for e, t in zip(ordered, texts) if t is None]
    if len(dirty) == len(ordered):
        return msgcat(render(catalog))
    small = polib.POFile(wrapwidth=0, encoding="utf-8")
    small.header, small.metadata, small.metadata_is_fuzzy = catalog.header, catalog.metadata, catalog.metadata_is_fuzzy
    for entry in dirty:
        small.append(entry)
    formatted = msgcat(render(small)).decode("utf-8")
    blocks = _blocks(formatted)
    if len(blocks) != len(dirty) + 1 or not all(_names(b, e) for b, e in zip(blocks[1:], dirty)):
        return msgcat(render(catalog))  # something unexpected: the slow, sure path
    fresh = iter(blocks[1:])
    out = [blocks[0]] + [t if t is not None else next(fresh) for t in texts]
    return "\n".join(out).encode("utf-8")


def _blocks(text: str) -> list[str]:
    parts = text.split("\n\n")
    return [p if p.endswith("\n") else p + "\n" for p in parts if p.strip()]


def _names(block: str, entry: polib.POEntry) -> bool:
    """A cheap check that a msgcat block is the entry we expect there."""
    try:
        parsed = _entry(block.rstrip("\n").split("\n"), 1)
    except _Unsupported:
        return False
    return (parsed.msgctxt, parsed.msgid, parsed.obsolete) == (entry.msgctxt, entry.msgid, bool(entry.obsolete))
