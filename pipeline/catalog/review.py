"""Per-entry review state, kept in translator comments so it survives every tool translators use.

Why comments: GNU gettext drops flags it does not know (`#, reviewed` is lost by msgcat, msgmerge, msgattrib
and by Poedit, which runs msgcat on every save); translator comments (`# ...`) are kept by all of them and by
Weblate. Two markers:

- `# (review) <why>`: the entry needs a native speaker's review (translate-toolkit's `isreview()` reads the
  same `(review)` convention, so pofilter and Weblate users see it too);
- `# reviewed <date> <hash>`: a reviewer confirmed this text; the hash is of the translation, so an edit made
  later without a review (in Poedit or Weblate) makes the entry unreviewed again.

An entry with neither marker is unreviewed: only a reviewer's confirmation makes it reviewed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import polib

from .catalogs import is_translated, msgstr_values

NEEDS_REVIEW = "(review)"
MACHINE = f"{NEEDS_REVIEW} machine-assisted draft, not yet reviewed by a native speaker"
_REVIEWED = re.compile(r"^reviewed (\d{4}-\d{2}-\d{2}) ([0-9a-f]{8})$")


def text_hash(entry: polib.POEntry) -> str:
    return hashlib.sha1("\x00".join(msgstr_values(entry)).encode("utf-8")).hexdigest()[:8]


def _lines(entry: polib.POEntry) -> list[str]:
    return entry.tcomment.split("\n") if entry.tcomment else []


def is_reviewed(entry: polib.POEntry) -> bool:
    """Translated, and confirmed by a reviewer in exactly this wording."""
    if not is_translated(entry):
        return False
    current = text_hash(entry)
    return any((m := _REVIEWED.match(line)) and m.group(2) == current for line in _lines(entry))


def needs_review_note(entry: polib.POEntry) -> str | None:
    return next((line for line in _lines(entry) if line.startswith(NEEDS_REVIEW)), None)


def _keep(entry: polib.POEntry) -> list[str]:
    return [line for line in _lines(entry) if not line.startswith(NEEDS_REVIEW) and not _REVIEWED.match(line)]


def mark_reviewed(entry: polib.POEntry, day: dt.date) -> None:
    entry.tcomment = "\n".join(_keep(entry) + [f"reviewed {day.isoformat()} {text_hash(entry)}"])


def mark_needs_review(entry: polib.POEntry, note: str = MACHINE) -> None:
    entry.tcomment = "\n".join(_keep(entry) + [note])
