"""Font stacks per script and the glyph-coverage preflight (WeasyPrint prints empty boxes silently)."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import cache

from fontTools.ttLib import TTFont

from ..core.errors import MissingTool, PipelineError

BASE_FONT = "Noto Sans"  # Latin, Cyrillic, Greek; first so digits look the same in every script
SCRIPT_FONTS = {
    "ar": "Noto Sans Arabic", "fa": "Noto Sans Arabic", "ur": "Noto Sans Arabic",
    "hi": "Noto Sans Devanagari", "mr": "Noto Sans Devanagari", "ne": "Noto Sans Devanagari",
    "ja": "Noto Sans CJK JP", "zh": "Noto Sans CJK SC", "ko": "Noto Sans CJK KR",
    "bn": "Noto Sans Bengali", "ta": "Noto Sans Tamil", "te": "Noto Sans Telugu",
}
PACKAGE_OF = {"Noto Sans CJK JP": "fonts-noto-cjk", "Noto Sans CJK SC": "fonts-noto-cjk",
              "Noto Sans CJK KR": "fonts-noto-cjk"}
RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


def font_stack(language: str) -> list[str]:
    base = language.split("_")[0].split("-")[0]
    extra = SCRIPT_FONTS.get(base)
    return [BASE_FONT, extra] if extra else [BASE_FONT]


def css_stack(stack: list[str]) -> str:
    return ", ".join(f'"{family}"' for family in stack)


def text_direction(language: str) -> str:
    return "rtl" if language.split("_")[0].split("-")[0] in RTL_LANGUAGES else "ltr"


@cache
def font_match(family: str) -> subprocess.CompletedProcess:
    """fontconfig's choice for `family`, as lines: its family, file and face index (one fc-match a family and
    process, for the coverage check and the leaflets' fingerprints). OSError when fc-match is missing."""
    return subprocess.run(["fc-match", "-f", "%{family[0]}\n%{file}\n%{index}", family], capture_output=True,
                          text=True)


@cache
def font_cmap(family: str) -> frozenset[int]:
    """Code points of the installed font for `family`; PipelineError if it is not installed."""
    package = PACKAGE_OF.get(family, "fonts-noto-core")
    if not shutil.which("fc-match"):
        raise MissingTool("fc-match", "fontconfig", "it finds the fonts of every script")
    found = font_match(family)
    found.check_returncode()
    out = found.stdout.split("\n")
    if len(out) < 3 or out[0].casefold() != family.casefold():
        raise PipelineError(f"font '{family}' is not installed (fontconfig would substitute "
                            f"'{out[0] if out else '?'}'); install it with: apt-get install {package}")
    with TTFont(out[1], fontNumber=int(out[2] or 0), lazy=True) as font:
        return frozenset(font.getBestCmap())


def uncovered(text: str, stack: list[str]) -> list[str]:
    """Characters of `text` that no font of `stack` covers (whitespace and format controls ignored)."""
    cmaps = [font_cmap(family) for family in stack]
    return sorted(c for c in set(text) if not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc")
                  and not any(ord(c) in cmap for cmap in cmaps))
