"""What a reader may need, and which contact answers each need in an edition.

Each edition offers at least one route per required need: the region's own services first, then a service
abroad that takes reports from the region, then an international one, each labelled for what it is. A
required need without a route makes the edition a draft that names the need; an optional one (prevention) is
listed where a sourced service exists and its gap is shown in `contacts --coverage`, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..core.models import INTERNATIONAL, Contact, Region
from ..core.release import printable

# need -> whom it serves (README and `contacts --coverage`)
NEEDS = {
    "report": "report material online (a page that takes reports)",
    "child": "a helpline for children and young people",
    "crisis": "crisis and suicide-prevention support",
    "adult": "adults worried about a child (parents, carers, teachers)",
    "prevention": "people worried about their own sexual thoughts or behaviour towards children",
    "removal": "getting sexual images of a young person removed",
    "emergency": "the emergency number",
}
OPTIONAL_NEEDS = frozenset({"prevention"})  # shown where a sourced service exists; a gap is no draft reason
KIND_NEED = {"child-helpline": "child", "crisis": "crisis", "adult-support": "adult", "prevention": "prevention",
             "image-removal": "removal"}
# A service for people worried about their own thoughts answers no other need: a parent or a child is never
# sent to it in place of a service for them (regions.py refuses `needs` on such a contact).
PREVENTION_KIND = "prevention"

Scope = Literal["national", "abroad", "international"]


def needs_of(contact: Contact) -> set[str]:
    """The needs a contact answers: its kind's, any it declares, and `report` when it has a report page."""
    found = {KIND_NEED[contact.kind]} if contact.kind in KIND_NEED else set()
    found |= set(contact.needs) - {"report"}
    if contact.report_url:
        found.add("report")
    return found


@dataclass(frozen=True)
class Route:
    need: str
    contact: Contact | None  # None: the region's emergency number
    scope: Scope = "national"  # abroad: run from another country; international: a worldwide service

    @property
    def fallback(self) -> bool:
        """Not a service of the reader's own country: its label must say so on every format."""
        return self.scope != "national"


def scope_of(contact: Contact, region: Region) -> Scope:
    home = contact.home()
    if home == region.code:
        return "national"
    return "abroad" if home else "international"


def coverage(region: Region, international: Region | None) -> dict[str, list[Route]]:
    """need -> the routes an edition of this region prints for it (empty: no route)."""
    candidates = [c for c in region.contacts if printable(c)]
    candidates += [c for c in international.contacts if printable(c)] if international else []
    routes: dict[str, list[Route]] = {}
    order = ("national", "abroad", "international")
    for need in NEEDS:
        if need == "emergency":
            routes[need] = [Route(need, None)] if region.emergency else []
            continue
        found = [Route(need, c, scope_of(c, region)) for c in candidates if need in needs_of(c)]
        best = min((order.index(r.scope) for r in found), default=None)
        # national first; a fallback only where the region has nothing of its own for that need
        routes[need] = [r for r in found if best is not None and order.index(r.scope) == best]
    return routes


def uncovered(routes: dict[str, list[Route]]) -> list[str]:
    """Required needs without a route (each makes the edition a draft)."""
    return [need for need, found in routes.items() if not found and need not in OPTIONAL_NEEDS]


@dataclass(frozen=True)
class CoverageRow:
    region: str
    need: str
    routes: tuple[str, ...]  # contact ids ("INT/<id>" for international ones); the emergency number itself
    fallback: bool
    path: str
    required: bool = True

    def as_dict(self) -> dict[str, object]:
        return {"region": self.region, "need": self.need, "routes": list(self.routes), "fallback": self.fallback,
                "covered": bool(self.routes), "required": self.required, "path": self.path}


def coverage_matrix(regions: dict[str, Region]) -> list[CoverageRow]:
    """Region x need: the contacts an edition prints for each need (national first, then fallbacks)."""
    international = regions.get(INTERNATIONAL)
    rows = []
    for code in sorted(c for c in regions if c != INTERNATIONAL):
        region = regions[code]
        for need, found in coverage(region, international).items():
            names = tuple(region.emergency.display if r.contact is None and region.emergency else
                          (f"{INTERNATIONAL}/{r.contact.id}" if r.contact.region == INTERNATIONAL
                           else r.contact.id) for r in found)
            rows.append(CoverageRow(code, need, names, any(r.fallback for r in found), region.path,
                                    need not in OPTIONAL_NEEDS))
    return rows
