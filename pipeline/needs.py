"""What a reader may need, and which contact answers each need in an edition.

Each edition offers at least one route per need: the region's own services first, then an international
fallback labelled as such. A need without a route makes the edition a draft that names the need.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Contact, Region

# need -> what it means (README and `contacts --coverage`)
NEEDS = {
    "report": "report material online (a page that takes reports)",
    "child": "a helpline for children and young people",
    "crisis": "crisis and suicide-prevention support",
    "adult": "support for adults (worried about a child, or about their own thoughts)",
    "removal": "getting sexual images of a young person removed",
    "emergency": "the emergency number",
}
KIND_NEED = {"child-helpline": "child", "crisis": "crisis", "adult-support": "adult", "image-removal": "removal"}


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
    fallback: bool = False  # an international service, used because the region has none of its own


def coverage(region: Region, international: Region | None) -> dict[str, list[Route]]:
    """need -> the routes an edition of this region prints for it (empty: no route)."""
    national = [c for c in region.contacts if c.printable]
    worldwide = [c for c in international.contacts if c.printable] if international else []
    routes: dict[str, list[Route]] = {}
    for need in NEEDS:
        if need == "emergency":
            routes[need] = [Route(need, None)] if region.emergency else []
            continue
        own = [Route(need, c) for c in national if need in needs_of(c) and not c.abroad]
        abroad = [Route(need, c, fallback=True) for c in national if need in needs_of(c) and c.abroad]
        routes[need] = own or abroad or [Route(need, c, fallback=True) for c in worldwide if need in needs_of(c)]
    return routes


def uncovered(routes: dict[str, list[Route]]) -> list[str]:
    return [need for need, found in routes.items() if not found]


@dataclass(frozen=True)
class CoverageRow:
    region: str
    need: str
    routes: tuple[str, ...]  # contact ids ("INT/<id>" for international ones); the emergency number itself
    fallback: bool
    path: str

    def as_dict(self) -> dict[str, object]:
        return {"region": self.region, "need": self.need, "routes": list(self.routes), "fallback": self.fallback,
                "covered": bool(self.routes), "path": self.path}


def coverage_matrix(regions: dict[str, Region], international_code: str = "INT") -> list[CoverageRow]:
    """Region x need: the contacts an edition prints for each need (national first, then fallbacks)."""
    international = regions.get(international_code)
    rows = []
    for code in sorted(c for c in regions if c != international_code):
        region = regions[code]
        for need, found in coverage(region, international).items():
            names = tuple(region.emergency.display if r.contact is None and region.emergency else
                          (f"{international_code}/{r.contact.id}" if r.contact.region == international_code
                           else r.contact.id) for r in found)
            rows.append(CoverageRow(code, need, names, any(r.fallback for r in found), region.path))
    return rows

