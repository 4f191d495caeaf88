"""The release gate, in one place: why an edition is a draft, and why a release would refuse it.

Pure functions over facts and records; `build`, `build --release`, `bundle`, `stats` and
`contacts --coverage` all ask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pseudo import PSEUDO_LANGUAGE
from .records import EditionRecord

# kinds of refusal: `--include-drafts` lets the first three into a preview bundle, never a pseudo-locale
DRAFT, FIT, CHECKS, UNREVIEWED, PSEUDO = "draft", "fit", "checks", "unreviewed", "pseudo"


@dataclass(frozen=True)
class Refusal:
    kind: str
    message: str

    def __str__(self) -> str:
        return self.message


def draft_reasons(*, pseudo: bool, locale: str | None, translated: int, needed: int,
                  unverified: list[str], uncovered_needs: list[str]) -> list[tuple[str, str]]:
    # unverified: REGION/contact-id of each printed contact whose live check is missing or too old
    """Why an edition carries the DRAFT mark, as (kind, reason) pairs; the kind (pseudo, translation, contacts,
    needs) picks what the DRAFT banner tells readers. Empty: it may be released, if it also fits and passes checks."""
    reasons = []
    if pseudo:
        reasons.append(("pseudo", "pseudo-locale for layout testing, never released"))
    elif locale and translated < needed:
        reasons.append(("translation", f"{needed - translated} of {needed} messages untranslated or fuzzy in "
                                       f"locales/{locale}"))
    if unverified:
        regions = " ".join(sorted({name.split("/")[0] for name in unverified} - {"INT"}))
        shown = ", ".join(unverified[:6]) + (f" and {len(unverified) - 6} more" if len(unverified) > 6 else "")
        reasons.append(("contacts", f"{len(unverified)} printed contacts not verified live in the last 12 months: "
                                    f"{shown} (see `awareness contacts --due {regions}`)".replace(" `)", "`)")))
    for need in uncovered_needs:
        reasons.append(("needs", f"no route for the need '{need}' (see `awareness contacts --coverage`)"))
    return reasons


def refusals(record: EditionRecord) -> list[Refusal]:
    """Everything that keeps an edition out of a release."""
    found: list[Refusal] = []
    edition = record.edition
    if record.language == PSEUDO_LANGUAGE:
        found.append(Refusal(PSEUDO, f"edition {edition} is the pseudo-locale, never released"))
        return found
    found += [Refusal(DRAFT, f"edition {edition} is a draft: {reason}") for reason in record.draft_reasons]
    for _, output in sorted(record.outputs.items()):
        found += [Refusal(FIT, f"edition {edition}: {problem}") for problem in output.fit]
    found += [Refusal(CHECKS, f"edition {edition}: {problem}") for problem in record.check_errors]
    if record.unreviewed:
        found.append(Refusal(UNREVIEWED, f"edition {edition}: {record.unreviewed} of {record.needed} messages in "
                                         f"locales/{record.locale} are not yet confirmed by a reviewer "
                                         f"(`awareness merge --review`); use --allow-unreviewed to release anyway"))
    return found


def blocking(found: list[Refusal], *, include_drafts: bool = False, allow_unreviewed: bool = False) -> list[Refusal]:
    """The refusals that still apply given a bundle's or build's options."""
    waived = set()
    if allow_unreviewed:
        waived.add(UNREVIEWED)
    if include_drafts:
        waived |= {DRAFT, FIT, CHECKS, UNREVIEWED}
    return [r for r in found if r.kind not in waived]


def short_reason(found: list[Refusal]) -> str:
    """One phrase for listings: `draft`, `leaflet overflows`, `fails content checks`, ..."""
    labels = {DRAFT: "draft", FIT: "leaflet overflows", CHECKS: "fails content checks",
              UNREVIEWED: "translation awaiting review", PSEUDO: "pseudo-locale"}
    return ", ".join(dict.fromkeys(labels[r.kind] for r in found))
