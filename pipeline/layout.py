"""Every path convention of a project directory, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SOURCE_DIR = "source_content"
TEMPLATES_DIR = "templates"
REGIONS_DIR = "regions"
GLOSSARY_DIR = "glossary"
LOCALES_DIR = "locales"
OUTPUT_DIR = "output"
SETTINGS_FILE = "awareness.toml"
POT_NAME = "messages.pot"
DOMAIN = "messages"


@dataclass(frozen=True)
class Project:
    """A content repository laid out like this one."""

    root: Path

    @classmethod
    def at(cls, root: str | Path) -> "Project":
        return cls(Path(root).resolve())

    def rel(self, path: Path) -> str:
        """A path relative to the project root, with forward slashes (for messages and PO files); a path
        outside the project is returned as given."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # sources
    @property
    def source(self) -> Path:
        return self.root / SOURCE_DIR

    @property
    def templates(self) -> Path:
        return self.source / TEMPLATES_DIR

    @property
    def regions(self) -> Path:
        return self.source / REGIONS_DIR

    @property
    def glossary(self) -> Path:
        return self.source / GLOSSARY_DIR

    @property
    def settings_file(self) -> Path:
        return self.root / SETTINGS_FILE

    def documents(self) -> list[Path]:
        return sorted(self.source.glob("*.md"))

    def region_files(self) -> list[Path]:
        return sorted(self.regions.glob("*.toml")) if self.regions.is_dir() else []

    # catalogs
    @property
    def locales(self) -> Path:
        return self.root / LOCALES_DIR

    @property
    def pot(self) -> Path:
        return self.locales / POT_NAME

    def catalog(self, locale: str) -> Path:
        return self.locales / locale / "LC_MESSAGES" / f"{DOMAIN}.po"

    def catalog_locales(self) -> list[str]:
        if not self.locales.is_dir():
            return []
        return sorted(p.parent.parent.name for p in self.locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))

    # outputs
    @property
    def output(self) -> Path:
        return self.root / OUTPUT_DIR

    @property
    def site(self) -> Path:
        return self.output / "site"

    def site_edition(self, edition_id: str) -> Path:
        return self.site / edition_id

    @property
    def leaflets(self) -> Path:
        return self.output / "leaflets"

    def leaflet(self, edition_id: str) -> Path:
        return self.leaflets / f"{edition_id}.pdf"

    def markdown_out(self, locale: str) -> Path:
        return self.output / "markdown" / locale
