"""Names every stage agrees on, with no dependencies: the print formats, the paper families, what a locale
identifier looks like. The renderer (leaflets.py) gives each format its layout; settings and region files
check names against these."""

from __future__ import annotations

import re

LEAFLET_FORMATS = ("sheet", "trifold", "card", "card-sheet", "poster")  # in the order builds and pages list them
PAPERS = ("a4", "letter")  # paper families: a region's, or the settings' override
# a catalog's locale: fr, pt_BR, zh_Hans (language, then a region or a script)
LOCALE_ID = re.compile(r"^[a-z]{2,3}(_[A-Z]{2}|_[A-Z][a-z]{3})?$")
