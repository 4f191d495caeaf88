"""Which editions exist: every region's languages, each with its catalog."""

from __future__ import annotations

from collections.abc import Mapping

from babel import Locale, UnknownLocaleError

from ..contacts.regions import INTERNATIONAL, RegionFiles
from ..core.errors import UsageError
from ..core.layout import Project
from ..core.models import Edition, Region
from ..core.pseudo import PSEUDO_LANGUAGE


def catalog_locale(project: Project, language: str, region: str) -> str | None:
    """`locales/<lang>_<REGION>/` if it exists, else `locales/<lang>/`; None when neither does."""
    for locale in (f"{language}_{region}", language):
        if project.catalog(locale).is_file():
            return locale
    return None


def languages_of(regions: Mapping[str, Region], code: str) -> tuple[str, ...]:
    """A region's edition languages (from a RegionFiles table without validating the region)."""
    return regions.languages(code) if isinstance(regions, RegionFiles) else regions[code].languages


def all_editions(project: Project, regions: Mapping[str, Region]) -> tuple[list[Edition], list[str]]:
    """(editions that can be built, ids of listed editions whose catalog does not exist yet)."""
    editions, missing = [], []
    for code in sorted(c for c in regions if c != INTERNATIONAL):
        for language in languages_of(regions, code):
            edition_id = f"{language}-{code}"
            if language == "en":
                editions.append(Edition(edition_id, language, code, None))
                continue
            locale = catalog_locale(project, language, code)
            if locale is None:
                missing.append(edition_id)
            else:
                editions.append(Edition(edition_id, language, code, locale))
    return editions, missing


def select_editions(project: Project, regions: Mapping[str, Region],
                    wanted: list[str]) -> tuple[list[Edition], list[str]]:
    editions, missing = all_editions(project, regions)
    if not wanted:
        return editions, missing
    by_id = {e.id: e for e in editions}
    chosen = []
    for edition_id in wanted:
        language, _, region = edition_id.partition("-")
        if language == PSEUDO_LANGUAGE and region in regions and region != INTERNATIONAL:
            chosen.append(Edition(edition_id, PSEUDO_LANGUAGE, region, PSEUDO_LANGUAGE))
        elif edition_id in by_id:
            chosen.append(by_id[edition_id])
        elif edition_id in missing:
            language = edition_id.split("-")[0]
            raise UsageError(f"edition {edition_id} has no catalog: create it with `awareness init {language}`")
        else:
            known = ", ".join(sorted(by_id)) or "none"
            raise UsageError(f"unknown edition '{edition_id}' (known: {known})")
    return chosen, []


def edition_label(edition: Edition) -> str:
    """The edition's name in its own language, e.g. 'français (Canada)'."""
    try:
        locale = Locale.parse(f"{edition.language}_{edition.region}")
        return locale.get_display_name(locale) or edition.id
    except (UnknownLocaleError, ValueError):
        pass
    try:  # e.g. English for Brazil: no en_BR in CLDR, so compose "English (Brasil)"-style from parts
        language = Locale.parse(edition.language)
    except (UnknownLocaleError, ValueError):
        return edition.id
    region = language.territories.get(edition.region, edition.region)
    return f"{language.get_display_name(language)} ({region})"
