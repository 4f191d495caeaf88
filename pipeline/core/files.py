"""Reading the project's text files: UTF-8 (with or without BOM), any line ending; anything else is refused
with the file and line. One home for it: documents, region data, settings and glossaries read through here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .errors import InputRefused


def read_text(path: Path, rel: str) -> str:
    """Read a UTF-8 text file, normalising line endings; refuse anything else with a clear message."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputRefused(f"cannot read file: {exc.strerror}", path=rel) from None
    return decode_text(data, rel)


def decode_text(data: bytes, rel: str, hint: str = "save the file as UTF-8") -> str:
    """UTF-8 with or without BOM, any line endings, as "\n"; anything else is refused with the line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputRefused(f"not valid UTF-8 text; {hint}", path=rel, line=line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_toml(path: Path, rel: str) -> tuple[dict, str]:
    """(the data, the text) of a TOML file; a syntax error refuses it with the line TOML names."""
    text = read_text(path, rel)
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise InputRefused(f"not valid TOML: {exc}", path=rel, line=int(match.group(1)) if match else None) from None


def toml_key_line(lines: list[str], key: str, start: int = 1, end: int | None = None, default: int | None = None) -> int:
    """The 1-based line where `key = ...` is written between lines start and end (for error messages);
    `default` (else `start`) when it is not there."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number in range(start, (end or len(lines) + 1)):
        if pattern.match(lines[number - 1]):
            return number
    return start if default is None else default
