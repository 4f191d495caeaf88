"""The release gate, in one place: why an edition is a draft, and why a release would refuse it.

Pure functions over facts and records; `build`, `build --release`, `bundle`, `stats` and
`contacts --coverage` all ask here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Contact
from .pseudo import PSEUDO_LANGUAGE
from .records import EditionRecord

# --- contacts: what may be printed, and what counts as checked live ----------------------------------

def printable(contact: Contact) -> bool:
    """Unconfirmed facts are kept in the data but never printed; nor is a contact with no way to reach it."""
    return contact.status != "unconfirmed" and bool(contact.url or contact.report_url or contact.phones or contact.sms)


STALE_AFTER_MONTHS = 12  # a live check older than this is due again


def one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - STALE_AFTER_MONTHS // 12)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def verification_problem(contact: Contact, today: dt.date) -> str | None:
    """Why a printed contact makes an edition a draft, or None when it was checked live recently.

    A contact with several numbers is confirmed number by number: one call does not check the others."""
    name = f"{contact.region}/{contact.id}"
    if contact.status != "confirmed":
        return f"{name} is '{contact.status}', not confirmed by a live check"
    if contact.verified_on is None or contact.verified_on < one_year_before(today):
        return f"{name} was last verified on {contact.verified_on}, more than 12 months ago"
    if len(contact.numbers) > 1:
        stale = [p.display for p in contact.numbers if p.verified_on is None or p.verified_on < one_year_before(today)]
        if stale:
            return f"{name}: {', '.join(stale)} not checked live in the last 12 months"
    return None


# --- editions --------------------------------------------------------------------------------------

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
        due = f"awareness contacts --due {regions}" if regions else "awareness contacts --due"
        reasons.append(("contacts", f"{len(unverified)} printed contacts not verified live in the last 12 months: "
                                    f"{shown} (see `{due}`)"))
    for need in uncovered_needs:
        reasons.append(("needs", uncovered_reason(need)))
    return reasons


def uncovered_reason(need: str) -> str:
    """Why an edition whose region has no route for `need` is a draft."""
    return f"no route for the need '{need}' (see `awareness contacts --coverage`)"


def fit_severity(release_build: bool) -> str:
    """A leaflet panel that overflows: a release refuses it; any other build warns and writes it."""
    return "error" if release_build else "warning"


def unfinished_severity(release_build: bool) -> str:
    """An untranslated or fuzzy entry: a release check refuses it; otherwise it is work left to do."""
    return "error" if release_build else "warning"


def releasable(record: EditionRecord) -> bool:
    """Editions a release, the dashboard and `stats` talk about: never the pseudo-locale."""
    return record.language != PSEUDO_LANGUAGE


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
