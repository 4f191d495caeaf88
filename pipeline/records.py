"""What a build knows about each edition, typed: written to `output/.build-state.json`, read by incremental
builds, `bundle` and `stats`. A build that makes only some outputs updates only their records."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .storage import write_atomic

STATE_VERSION = 3


@dataclass
class OutputRecord:
    """One output of an edition: the site (`html`) or one leaflet format (`sheet`, `trifold`, ...)."""

    inputs: str  # fingerprint of everything it was made from
    files: list[str]  # project-relative paths
    fit: list[str] = field(default_factory=list)  # overflow problems; empty when everything fits


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
    def from_json(cls, data: dict) -> EditionRecord:
        values = dict(data)
        values["contacts"] = [ContactRecord(**c) for c in data.get("contacts", [])]
        values["outputs"] = {k: OutputRecord(**v) for k, v in data.get("outputs", {}).items()}
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


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

    @classmethod
    def load(cls, path: Path) -> BuildState:
        """The recorded state, or an empty one (a missing, unreadable or older state means: rebuild)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION:
                return cls()
            return cls({k: EditionRecord.from_json(v) for k, v in data["editions"].items()})
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def save(self, path: Path) -> None:
        data = {"version": STATE_VERSION, "editions": {k: v.as_json() for k, v in sorted(self.editions.items())}}
        write_atomic(path, (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))

    def record(self, newer: EditionRecord) -> None:
        old = self.editions.get(newer.edition)
        self.editions[newer.edition] = old.with_facts_of(newer) if old else newer
