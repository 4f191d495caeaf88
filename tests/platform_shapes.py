"""Catalogs and returned files in the shapes translation platforms and CAT tools write them.

Weblate (5.x, gettext PO component) keeps untouched entries as they are, but wraps header lines at its own
width (the Language-Team URL is cut before its last characters), writes CLDR's plural rule, adds an
X-Generator header and orders the header its own way; in CJK text it breaks lines before `。`. A language it
creates has no PO-Revision-Date until the first translation. OmegaT writes msgstr unwrapped and, where it
could not fill a segment, leaves the English source in it.
"""

from __future__ import annotations

import re

WEBLATE_PLURALS = {
    "fr": "nplurals=3; plural=(n == 0 || n == 1) ? 0 : ((n != 0 && n % 1000000 == 0) ? 1 : 2);",
    "it": "nplurals=2; plural=n != 1;",
    "ja": "nplurals=1; plural=0;",
    "de": "nplurals=2; plural=n != 1;",
}


def _header_block(text: str) -> tuple[str, str, str]:
    """(comment lines, header msgstr value, the rest) of a PO text."""
    match = re.search(r'^msgid ""\nmsgstr ""\n((?:".*"\n)+)', text, re.M)
    assert match, "no header"
    value = "".join(re.findall(r'^"(.*)"$', match.group(1), re.M))
    return text[: match.start()], value, text[match.end():]


EDIT_ORDER = ["Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
              "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
              "Content-Transfer-Encoding", "Plural-Forms", "X-Generator"]
# a new language: the template's header, then the fields the platform adds
NEW_ORDER = ["Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "MIME-Version", "Content-Type",
             "Content-Transfer-Encoding", "Last-Translator", "Language-Team", "Language", "Plural-Forms",
             "X-Generator"]


def weblate_header(locale: str, fields: dict[str, str], order: list[str] = EDIT_ORDER) -> str:
    """A header the way Weblate writes it: its order, X-Generator, the team URL line ending `...fr/>"` with its
    `"\\n"` on the next line."""
    keys = [k for k in order if k in fields] + sorted(k for k in fields if k not in order)
    lines = ['msgid ""', 'msgstr ""']
    for key in keys:
        line = f"{key}: {fields[key]}\\n"
        if key == "Language-Team" and "<" in line and len(line) > 70:
            cut = line.rindex("\\n")  # Weblate: `...fr/>"` then `"\n"` on a line of its own
            lines += [f'"{line[:cut]}"', f'"{line[cut:]}"']
        else:
            lines.append(f'"{line}"')
    return "\n".join(lines) + "\n"


def weblate_catalog(text: str, locale: str, *, new_language: bool = False) -> str:
    """`text` (a catalog as msgcat writes it) as Weblate commits it after a translator saved one string."""
    comments, value, rest = _header_block(text)
    fields = dict(line.split(": ", 1) if ": " in line else (line.rstrip(":"), "")
                  for line in value.split("\\n") if line)
    fields["Language-Team"] = (f"{fields.get('Language-Team', locale)} "
                               f"<https://hosted.weblate.org/projects/awareness/content/{locale}/>")
    fields["Plural-Forms"] = WEBLATE_PLURALS.get(locale, fields.get("Plural-Forms", ""))
    fields["X-Generator"] = "Weblate 5.14.3"
    if new_language:
        fields.pop("PO-Revision-Date", None)
        fields["Language-Team"] = "none"
        fields["Last-Translator"] = "Automatically generated"
    if locale == "ja":
        rest = rewrap_before_full_stop(rest)
    return comments + weblate_header(locale, fields) + rest


def rewrap_before_full_stop(text: str) -> str:
    """Japanese msgstr lines broken before each `。` (msgcat breaks after it, or not at all)."""
    out = []
    for block in text.split("\n\n"):
        match = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if not match or "。" not in match.group(1):
            out.append(block)
            continue
        value = "".join(re.findall(r'"(.*)"', match.group(1)))
        pieces = re.split(r"(?=。)", value)
        if len(pieces) < 2:
            out.append(block)
            continue
        wrapped = 'msgstr ""\n' + "\n".join(f'"{p}"' for p in pieces if p)
        tail = "\n" if match.group(1).endswith("\n") else ""
        out.append(block[: match.start()] + wrapped + tail + block[match.end():])
    return "\n\n".join(out)


def weblate_new_language(pot_text: str, locale: str) -> str:
    """The file Weblate writes when a language is added from the POT ("template for new translations"):
    the template's comments, Language-Team none, its plural rule, X-Generator, and no PO-Revision-Date."""
    comments, value, rest = _header_block(pot_text)
    fields = dict(line.split(": ", 1) for line in value.split("\\n") if ": " in line)
    fields.pop("Generated-By", None)
    fields.update({"Last-Translator": "Automatically generated", "Language-Team": "none", "Language": locale,
                   "Plural-Forms": WEBLATE_PLURALS.get(locale, "nplurals=2; plural=n != 1;"),
                   "X-Generator": "Weblate 5.14.3"})
    return comments + weblate_header(locale, fields, NEW_ORDER) + rest
