"""What a build knows about each edition, typed: written to `output/.build-state.json`, read by incremental
builds, `bundle` and `stats`. A build that makes only some outputs updates only their records.

The state is checked when it is read (shape, types, paths): a file that fails is discarded as a whole, with
the reason, and everything is built again; nothing else trusts it further than its files' hashes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import types
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path, PurePosixPath

from .storage import locked, write_atomic

STATE_VERSION = 5  # 4: every output file with its size and sha256, a record of the shared site files; 5: `sources`
OUTPUT_PREFIX = "output"
_EDITION_ID = re.compile(r"^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$")


class StateError(ValueError):
    """A build state that does not have the shape this version writes."""


@dataclass
class FileDigest:
    """A file as the build wrote it: an output is current only while its files still have these."""

    size: int
    sha256: str

    @classmethod
    def of(cls, data: bytes) -> FileDigest:
        return cls(len(data), hashlib.sha256(data).hexdigest())


@dataclass
class OutputRecord:
    """One output of an edition: the site (`html`) or one leaflet format (`sheet`, `trifold`, ...)."""

    inputs: str  # fingerprint of everything it was made from
    files: list[str]  # project-relative paths, all below output/
    fit: list[str] = field(default_factory=list)  # overflow problems; empty when everything fits
    digests: dict[str, FileDigest] = field(default_factory=dict)  # each file's size and hash, as written
    sources: str = ""  # fingerprint of the sources alone (no fonts of this machine): what `bundle` checks


@dataclass
class ContactRecord:
    region: str
    id: str
    status: str
    verified_on: str | None


@dataclass
class EditionRecord:
    edition: str
    language: str
    region: str
    locale: str | None
    draft_reasons: list[str] = field(default_factory=list)
    unreviewed: int = 0  # messages it uses that no reviewer has confirmed
    translated: int = 0  # messages this edition uses that are translated
    needed: int = 0  # messages this edition uses
    check_errors: list[str] = field(default_factory=list)  # content checks failed by entries it uses
    contacts: list[ContactRecord] = field(default_factory=list)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)

    @property
    def draft(self) -> bool:
        return bool(self.draft_reasons)

    @property
    def files(self) -> list[str]:
        return sorted(f for output in self.outputs.values() for f in output.files)

    def with_facts_of(self, newer: EditionRecord) -> EditionRecord:
        """This record with the edition-wide facts of a newer build (gates, catalog, contacts); outputs that
        the newer build did not make keep their records, including any overflow they had."""
        outputs = dict(self.outputs)
        outputs.update(newer.outputs)
        return EditionRecord(**{**newer.__dict__, "outputs": outputs})

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object, where: str = "record") -> EditionRecord:
        """A record from its JSON form; StateError (naming the key) when anything has the wrong shape."""
        record = _typed(cls, data, where)
        for kind, output in record.outputs.items():
            _check_output(output, f"{where}.outputs.{kind}")
        return record


# --- checking the shape of a state read from disk ---------------------------------------------------

@functools.cache
def _hints(cls: type) -> dict:
    return typing.get_type_hints(cls)


def _typed(cls: type, data: object, where: str):
    """An instance of dataclass `cls` from JSON data, every field checked against its type hint."""
    if not isinstance(data, dict):
        raise StateError(f"{where}: expected an object, found {type(data).__name__}")
    hints = _hints(cls)
    values = {}
    for f in fields(cls):
        if f.name in data:
            values[f.name] = _value(hints[f.name], data[f.name], f"{where}.{f.name}")
        elif f.default is MISSING and f.default_factory is MISSING:
            raise StateError(f"{where}: '{f.name}' is missing")
    unknown = set(data) - {f.name for f in fields(cls)}
    if unknown:
        raise StateError(f"{where}: unknown key '{min(unknown)}'")
    return cls(**values)


def _value(hint, data: object, where: str):
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        (inner,) = [o for o in options if o is not type(None)]
        return _value(inner, data, where)
    if origin is list:
        if not isinstance(data, list):
            raise StateError(f"{where}: expected a list, found {type(data).__name__}")
        (inner,) = typing.get_args(hint)
        return [_value(inner, item, f"{where}[{i}]") for i, item in enumerate(data)]
    if origin is dict:
        if not isinstance(data, dict):
            raise StateError(f"{where}: expected an object, found {type(data).__name__}")
        _, inner = typing.get_args(hint)
        return {key: _value(inner, item, f"{where}.{key}") for key, item in data.items()}
    if hint is int:
        if type(data) is not int or data < 0:
            raise StateError(f"{where}: expected a whole number, found {data!r}")
        return data
    if hint is str:
        if not isinstance(data, str):
            raise StateError(f"{where}: expected a string, found {type(data).__name__}")
        return data
    return _typed(hint, data, where)


def safe_output_path(text: str) -> bool:
    """A project-relative path below output/: relative, normalized, no `..`, no backslashes or NULs."""
    if not text or "\\" in text or "\0" in text or text.startswith("/"):
        return False
    parts = text.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return False
    return len(parts) >= 2 and parts[0] == OUTPUT_PREFIX and PurePosixPath(text).as_posix() == text


def _check_output(output: OutputRecord, where: str) -> None:
    for path in output.files:
        if not safe_output_path(path):
            raise StateError(f"{where}.files: '{path}' is not a relative path inside {OUTPUT_PREFIX}/")
    if set(output.digests) != set(output.files) or len(set(output.files)) != len(output.files):
        raise StateError(f"{where}: 'digests' must name each of its files once")
    for path, digest in output.digests.items():
        if not re.fullmatch(r"[0-9a-f]{64}", digest.sha256):
            raise StateError(f"{where}.digests.{path}: not a sha256")


def load_times(path: Path) -> dict[str, float]:
    """Seconds each edition took last time (kept apart from the state, which stays reproducible)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def save_times(path: Path, times: dict[str, float]) -> None:
    write_atomic(path, (json.dumps({k: round(v, 3) for k, v in sorted(times.items())}, indent=1) + "\n").encode())


@dataclass
class BuildState:
    editions: dict[str, EditionRecord] = field(default_factory=dict)
    shared: OutputRecord | None = None  # the site files of no edition: assets, choosers, sitemap

    @classmethod
    def read(cls, path: Path) -> tuple[BuildState, str | None]:
        """The recorded state and None, or an empty state and why the file was discarded (None as well when
        there is no file: nothing was built yet). A state that fails its checks is never half-used."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(), None
        except (OSError, UnicodeDecodeError) as exc:
            return cls(), f"unreadable ({getattr(exc, 'strerror', None) or exc})"
        try:
            return cls.parse(json.loads(text)), None
        except ValueError as exc:  # json.JSONDecodeError and StateError
            return cls(), str(exc)
        except RecursionError:
            return cls(), "nested too deeply"

    @classmethod
    def parse(cls, data: object) -> BuildState:
        if not isinstance(data, dict):
            raise StateError(f"expected an object, found {type(data).__name__}")
        if data.get("version") != STATE_VERSION:
            raise StateError(f"written by another version of the pipeline (state version {data.get('version')!r}, "
                             f"this one writes {STATE_VERSION})")
        unknown = set(data) - {"version", "editions", "shared"}
        if unknown:
            raise StateError(f"unknown key '{min(unknown)}'")
        editions = data.get("editions")
        if not isinstance(editions, dict):
            raise StateError(f"editions: expected an object, found {type(editions).__name__}")
        records = {}
        for key, value in editions.items():
            record = EditionRecord.from_json(value, f"editions.{key}")
            if record.edition != key or not _EDITION_ID.match(key):
                raise StateError(f"editions.{key}: the record names edition '{record.edition}'")
            records[key] = record
        shared = None
        if data.get("shared") is not None:
            shared = _typed(OutputRecord, data["shared"], "shared")
            _check_output(shared, "shared")
        return cls(records, shared)

    @classmethod
    def load(cls, path: Path) -> BuildState:
        """The recorded state, or an empty one (a missing, unreadable, invalid or older state means: rebuild)."""
        return cls.read(path)[0]

    def as_json(self) -> dict:
        data: dict = {"version": STATE_VERSION,
                      "editions": {k: v.as_json() for k, v in sorted(self.editions.items())}}
        if self.shared is not None:
            data["shared"] = asdict(self.shared)
        return data

    def save(self, path: Path) -> None:
        data = json.dumps(self.as_json(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        write_atomic(path, data.encode("utf-8"))

    def record(self, newer: EditionRecord) -> None:
        old = self.editions.get(newer.edition)
        self.editions[newer.edition] = old.with_facts_of(newer) if old else newer


def save_merged(path: Path, built: list[EditionRecord], shared: OutputRecord | None = None) -> BuildState:
    """Add the records of what this build made to the state on disk, under the output folder's lock: two builds
    of different editions at once keep each other's records. Returns the state as saved."""
    with locked(path.parent, clean=False):  # the build cleaned the output folder when it began
        state = BuildState.load(path)
        for record in built:
            state.record(record)
        if shared is not None:
            state.shared = shared
        state.save(path)
    return state
