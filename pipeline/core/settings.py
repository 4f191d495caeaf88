"""Per-NGO settings from `awareness.toml` at the project root, with defaults that work."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .constants import LEAFLET_FORMATS, PAPERS
from .errors import InputRefused
from .files import read_toml, toml_key_line
from .layout import Project
from .models import Issue

DEFAULT_EXIT_URL = "https://www.google.com/"
def _rgb(colour: str) -> list[int]:
    return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]


def _tint(colour: str, share: float) -> str:
    """`colour` mixed with white, `share` of it kept (the light boxes behind the leaflets' numbers)."""
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in _rgb(colour))


def _contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def lum(colour: str) -> float:
        c = [v / 255 for v in _rgb(colour)]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    high, low = sorted((lum(a), lum(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


SECTIONS = {
    "publisher": {"name", "url", "logo", "colours"},
    "site": {"base_url", "quick_exit_url"},
    "leaflet": {"paper", "crop_marks", "formats", "large_print", "discreet_card"},
    "links": {"twins"},
}
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Settings:
    publisher: str = "Awareness Pipeline"
    publisher_url: str = ""
    logo: str = ""  # path inside the project
    primary: str = "#123c69"  # headings, bands, numbers
    accent: str = "#a3121f"  # emergency, warnings
    base_url: str = ""  # e.g. https://help.example.org/ ; empty: relative links only
    quick_exit_url: str = DEFAULT_EXIT_URL
    paper: str = ""  # "", "a4" or "letter": empty means the region's own paper family
    crop_marks: bool = False
    formats: tuple[str, ...] = LEAFLET_FORMATS
    large_print: bool = False  # sheet and tri-fold body text at 12.5 pt (RNIB Clear Print) instead of 10.5 pt
    discreet_card: bool = True  # the wallet card's title does not say what it is about, so it is safe to carry
    # localized twins of link hosts: a translation may point to a twin (cybertip.ca -> cyberaide.ca)
    link_twins: dict = field(default_factory=dict)


def load_settings(project: Project) -> Settings:
    """The project's settings; every problem in the file is reported, then the file is refused."""
    path = project.settings_file
    if not path.exists():
        return Settings()
    rel = project.rel(path)
    data, text = read_toml(path, rel)
    lines = text.split("\n")
    problems: list[Issue] = []

    def section_lines(section: str) -> tuple[int, int | None]:
        """Where `[section]` starts and the next table starts (the whole file when it has no header)."""
        header = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
        start = next((n for n, line in enumerate(lines, 1) if header.match(line)), None)
        if start is None:
            return 1, None
        end = next((n for n in range(start + 1, len(lines) + 1) if lines[n - 1].lstrip().startswith("[")), None)
        return start, end

    def line_of(key: str) -> int:
        section, *names = key.split(".")
        start, end = section_lines(section)  # `url` of [site], not the `url` of [publisher] above it
        for name in reversed(names):  # `primary` may be written inside `colours = { ... }`
            found = toml_key_line(lines, name, start, end, default=0)
            if found:
                return found
        return start

    def fail(key: str, message: str) -> None:
        problems.append(Issue(rel, line_of(key), "error", "settings", f"{key}: {message}"))

    def value(section: str, key: str, kind: type, default):
        found = data.get(section, {}).get(key, default) if isinstance(data.get(section), dict) else default
        if not isinstance(found, kind) or (kind is int and isinstance(found, bool)):
            fail(f"{section}.{key}", f"must be {kind.__name__.replace('str', 'text').replace('bool', 'true or false')}")
            return default
        return found

    for section, values in data.items():
        if section in SECTIONS and not isinstance(values, dict):
            first_table = next((n for n, line in enumerate(lines, 1) if line.lstrip().startswith("[")), None)
            problems.append(Issue(rel, toml_key_line(lines, section, 1, first_table), "error", "settings",
                                  f"{section}: must be a table: a line [{section}], then its keys"))
            continue
        if section not in SECTIONS:
            problems.append(Issue(rel, section_lines(section)[0], "error", "settings",
                                  f"unknown section [{section}] (known: {', '.join(SECTIONS)})"))
            continue
        for key in sorted(set(values) - SECTIONS[section]):
            fail(f"{section}.{key}", f"unknown key (known: {', '.join(sorted(SECTIONS[section]))})")
    colours = value("publisher", "colours", dict, {})
    settings = Settings(
        publisher=value("publisher", "name", str, Settings.publisher),
        publisher_url=value("publisher", "url", str, ""),
        logo=value("publisher", "logo", str, ""),
        primary=str(colours.get("primary", Settings.primary)),
        accent=str(colours.get("accent", Settings.accent)),
        base_url=value("site", "base_url", str, ""),
        quick_exit_url=value("site", "quick_exit_url", str, DEFAULT_EXIT_URL),
        paper=value("leaflet", "paper", str, ""),
        crop_marks=value("leaflet", "crop_marks", bool, False),
        formats=tuple(value("leaflet", "formats", list, list(LEAFLET_FORMATS))),
        large_print=value("leaflet", "large_print", bool, False),
        discreet_card=value("leaflet", "discreet_card", bool, True),
        link_twins=value("links", "twins", dict, {}),
    )
    for host, twins in settings.link_twins.items():
        if not isinstance(twins, list) or not all(isinstance(t, str) for t in twins):
            fail("links.twins", f"'{host}' must map to a list of host names")
    for key, url in (("publisher.url", settings.publisher_url), ("site.base_url", settings.base_url),
                     ("site.quick_exit_url", settings.quick_exit_url)):
        if url and (urlsplit(url).scheme != "https" or not urlsplit(url).netloc):
            fail(key, f"must be an https:// URL, got '{url}'")
    if settings.paper not in ("", *PAPERS):
        fail("leaflet.paper", f"must be \"a4\" or \"letter\", got '{settings.paper}'")
    unknown = [f for f in settings.formats if f not in LEAFLET_FORMATS]
    if unknown or not settings.formats:
        fail("leaflet.formats", f"must list some of {', '.join(LEAFLET_FORMATS)}, got {list(settings.formats)}")
    for key in sorted(set(colours) - {"primary", "accent"}):
        fail(f"publisher.colours.{key}", "unknown colour (known: primary, accent)")
    for key in ("primary", "accent"):
        if not _COLOUR.match(getattr(settings, key)):
            fail(f"publisher.colours.{key}", f"must be a colour like \"#123c69\", got '{getattr(settings, key)}'")
        else:  # leaflets print white text on both colours, and the primary on its light tint (the number boxes)
            colour = getattr(settings, key)
            ratio = _contrast(colour, _tint(colour, 0.1) if key == "primary" else "#ffffff")
            if ratio < 4.5:
                fail(f"publisher.colours.{key}", f"'{colour}' is too light for text: contrast {ratio:.1f}:1 with "
                     f"{'its light tint' if key == 'primary' else 'white'}, WCAG AA asks 4.5:1 (choose a darker shade)")
    if settings.logo:
        logo = (project.root / settings.logo).resolve()
        if not logo.is_relative_to(project.root) or not logo.is_file():
            fail("publisher.logo", f"'{settings.logo}' must be a file inside the project")
    if problems:
        raise InputRefused.collected(problems, "settings")
    return settings
