"""A pseudo-locale for layout testing: accented and about 35% longer, markup and placeholders intact."""

from __future__ import annotations

import math
import re

from .placeholders import TOKEN

PSEUDO_LANGUAGE = "qps"  # ISO 639 "reserved for local use" range, as Microsoft's qps-ploc
EXPANSION = 0.35
_ACCENTS = str.maketrans("aceginouyAEIOUCNY", "áçéğïñöúýÁÉÎÖÜÇÑÝ")
# never touched: link targets, placeholders, code, entities, escapes, HTML-ish tags
_PROTECTED = re.compile(rf"(\]\([^)]*\)|{TOKEN}|`[^`]*`|&#?\w+;|\\.|<[^>]*>)")


def pseudo_translate(msgid: str) -> str:
    parts = _PROTECTED.split(msgid)
    out = "".join(part if index % 2 else part.translate(_ACCENTS) for index, part in enumerate(parts))
    visible = len(_PROTECTED.sub("", msgid))
    padding = math.ceil(visible * EXPANSION)
    if padding < 2:
        return out
    lines = out.split("\n")
    lines[-1] += " " + "·" * (padding - 1)
    return "\n".join(lines)


def pseudo_lookup(context: str | None, msgid: str) -> str:
    return pseudo_translate(msgid)
