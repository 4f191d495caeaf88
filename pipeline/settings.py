"""Per-NGO settings from `awareness.toml` at the project root, with defaults that work."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .documents import read_text
from .errors import InputRefused
from .layout import Project

DEFAULT_EXIT_URL = "https://www.google.com/"
SECTIONS = {
    "publisher": {"name", "url", "logo"},
    "site": {"base_url", "quick_exit_url"},
    "leaflet": {"paper", "crop_marks"},
    "links": {"twins"},
}


@dataclass(frozen=True)
class Settings:
    publisher: str = "Awareness Pipeline"
    publisher_url: str = ""
    logo: str = ""  # path inside the project
    base_url: str = ""  # e.g. https://help.example.org/ ; empty: relative links only
    quick_exit_url: str = DEFAULT_EXIT_URL
    paper: str = ""  # "", "a4" or "letter": empty means the region's own paper size
    crop_marks: bool = False
    # localized twins of link hosts: a translation may point to a twin (cybertip.ca -> cyberaide.ca)
    link_twins: dict = field(default_factory=dict)


def load_settings(project: Project) -> Settings:
    path = project.settings_file
    if not path.exists():
        return Settings()
    rel = project.rel(path)
    try:
        data = tomllib.loads(read_text(path, rel))
    except tomllib.TOMLDecodeError as exc:
        raise InputRefused(f"not valid TOML: {exc}", path=rel) from None
    for section, values in data.items():
        if section not in SECTIONS or not isinstance(values, dict):
            raise InputRefused(f"unknown section [{section}] (known: {', '.join(SECTIONS)})", path=rel)
        unknown = set(values) - SECTIONS[section]
        if unknown:
            raise InputRefused(f"[{section}] has unknown key '{sorted(unknown)[0]}'", path=rel)
    publisher, site, leaflet = data.get("publisher", {}), data.get("site", {}), data.get("leaflet", {})
    settings = Settings(
        publisher=str(publisher.get("name", Settings.publisher)),
        publisher_url=str(publisher.get("url", "")),
        logo=str(publisher.get("logo", "")),
        base_url=str(site.get("base_url", "")),
        quick_exit_url=str(site.get("quick_exit_url", DEFAULT_EXIT_URL)),
        paper=str(leaflet.get("paper", "")),
        crop_marks=bool(leaflet.get("crop_marks", False)),
        link_twins=dict(data.get("links", {}).get("twins", {})),
    )
    for host, twins in settings.link_twins.items():
        if not isinstance(twins, list) or not all(isinstance(t, str) for t in twins):
            raise InputRefused(f"links.twins: '{host}' must map to a list of host names", path=rel)
    for key, value in (("publisher.url", settings.publisher_url), ("site.base_url", settings.base_url),
                       ("site.quick_exit_url", settings.quick_exit_url)):
        if value and (urlsplit(value).scheme != "https" or not urlsplit(value).netloc):
            raise InputRefused(f"{key} must be an https:// URL, got '{value}'", path=rel)
    if settings.paper not in ("", "a4", "letter"):
        raise InputRefused(f"leaflet.paper must be \"a4\" or \"letter\", got '{settings.paper}'", path=rel)
    if settings.logo:
        logo = (project.root / settings.logo).resolve()
        if not logo.is_relative_to(project.root) or not logo.is_file():
            raise InputRefused(f"publisher.logo '{settings.logo}' must be a file inside the project", path=rel)
    return settings
