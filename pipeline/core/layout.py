"""Every path convention of a project directory, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SOURCE_DIR = "source_content"
TEMPLATES_DIR = "templates"
STATIC_DIR = "static"
REGIONS_DIR = "regions"
GLOSSARY_DIR = "glossary"
LOCALES_DIR = "locales"
EXPORTS_DIR = "exports"
OUTPUT_DIR = "output"
SETTINGS_FILE = "awareness.toml"
STATE_FILE = ".build-state.json"
TIMES_FILE = ".build-times.json"
POT_NAME = "messages.pot"
DOMAIN = "messages"


@dataclass(frozen=True)
class Project:
    """A content repository laid out like this one."""

    root: Path
    output_dir: Path | None = None  # another output folder (the preview server builds into output/preview/)

    @classmethod
    def at(cls, root: str | Path) -> Project:
        return cls(Path(root).resolve())

    def with_output(self, folder: Path) -> Project:
        """The same sources, built into another folder."""
        return Project(self.root, folder.resolve())

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
    def static(self) -> Path:
        """Files copied as they are into output/site/assets/."""
        return self.templates / STATIC_DIR

    @property
    def regions(self) -> Path:
        return self.source / REGIONS_DIR

    @property
    def glossary(self) -> Path:
        return self.source / GLOSSARY_DIR

    def glossary_file(self, locale: str) -> Path:
        return self.glossary / f"{locale}.csv"

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

    def snapshot(self, locale: str, export_id: str) -> Path:
        """What an export sent to the translator, kept for the three-way merge (commit it)."""
        return self.locales / locale / EXPORTS_DIR / f"{export_id}.po"

    # outputs
    @property
    def output(self) -> Path:
        return self.output_dir or self.root / OUTPUT_DIR

    @property
    def preview_output(self) -> Path:
        return self.root / OUTPUT_DIR / "preview"

    def preview_page(self, edition_id: str, fmt: str, page: int) -> Path:
        """A leaflet page as an image, for the preview server."""
        return self.output / "pages" / f"{edition_id}.{fmt}-{page}.png"

    def state_file(self, output: Path | None = None) -> Path:
        """The build record of an output folder (this project's, or a CI shard's)."""
        return (output or self.output) / STATE_FILE

    @property
    def times_file(self) -> Path:
        """How long each edition took to build, to start the longest first next time."""
        return self.output / TIMES_FILE

    @property
    def site(self) -> Path:
        return self.output / "site"

    @property
    def site_assets(self) -> Path:
        return self.site / "assets"

    def site_edition(self, edition_id: str) -> Path:
        return self.site / edition_id

    @property
    def leaflets(self) -> Path:
        """Inside the site, so that output/site/ is one folder to upload, with relative links that work anywhere."""
        return self.site / "leaflets"

    def leaflet(self, edition_id: str, fmt: str = "sheet") -> Path:
        """`<edition>.pdf` for the two-sided sheet, `<edition>.<format>.pdf` for the other formats."""
        return self.leaflets / (f"{edition_id}.pdf" if fmt == "sheet" else f"{edition_id}.{fmt}.pdf")

    @property
    def status_page(self) -> Path:
        return self.output / "status" / "index.html"

    def markdown_out(self, locale: str) -> Path:
        return self.output / "markdown" / locale

    def export_folder(self, export_id: str) -> Path:
        return self.output / "export" / export_id

    def bundle_file(self, version: str) -> Path:
        return self.output / f"awareness-{version}.zip"


def within_output(folder: Path, recorded: str) -> Path:
    """A file recorded as `output/...` in a build state, found inside a (shard's) output folder."""
    prefix = OUTPUT_DIR + "/"
    return folder / (recorded.removeprefix(prefix))
