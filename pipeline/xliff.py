"""XLIFF for agencies' CAT tools, through translate-toolkit's converters (not our own XML code).

translate-toolkit's po2xliff/xliff2po lose msgctxt and flags (translate/translate#268), so units carry a
`po-extra` context group with the msgctxt, and a returned file is read back into a PO catalog that goes
through exactly the same checks and merge as a returned PO file.
"""

from __future__ import annotations

import io
import re

import polib

from .errors import InputRefused

SUFFIXES = (".xlf", ".xliff")
_CONTEXT = "x-po-msgctxt"


def po_to_xliff(po_data: bytes, target_language: str) -> bytes:
    """A PO catalog (bytes as GNU gettext writes them) as XLIFF 1.1, msgctxt kept."""
    from translate.convert.po2xliff import po2xliff
    from translate.storage import po, poxliff

    source = po.pofile(io.BytesIO(po_data))
    out = poxliff.PoXliffFile(sourcelanguage="en", targetlanguage=target_language.replace("_", "-"))
    converter = po2xliff()
    for unit in source.units:
        if unit.isblank() or unit.isobsolete():
            continue
        converted = converter.convertunit(out, unit, source.filename)
        if unit.msgctxt and not unit.isheader():
            converted.createcontextgroup("po-extra", [(_CONTEXT, unit.getcontext())], purpose="information")
    return bytes(out)


def xliff_to_catalog(data: bytes, rel: str) -> polib.POFile:
    """A returned XLIFF file as the PO catalog it stands for (header from its header unit)."""
    from lxml import etree
    from translate.storage import poxliff

    try:
        store = poxliff.PoXliffFile.parsestring(data)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InputRefused(f"not a valid XLIFF file: {exc}", path=rel) from None
    text = data.decode("utf-8", "replace")
    catalog = polib.POFile(wrapwidth=0, encoding="utf-8")
    for unit in store.units:
        if unit.isheader():
            for line in str(unit.target or unit.source).splitlines():
                key, sep, value = line.partition(":")
                if sep:
                    catalog.metadata[key.strip()] = value.strip()
            continue
        context = dict(pair for group in unit.getcontextgroups("po-extra") for pair in group).get(_CONTEXT)
        entry = polib.POEntry(msgctxt=context or None)
        if unit.hasplural():
            sources, targets = unit.source.strings, (unit.target.strings if unit.target else [])
            entry.msgid, entry.msgid_plural = sources[0], sources[1] if len(sources) > 1 else sources[0]
            entry.msgstr_plural = {i: str(t) for i, t in enumerate(targets)}
        else:
            entry.msgid, entry.msgstr = str(unit.source), str(unit.target or "")
        if unit.isfuzzy() and entry.msgstr:
            entry.flags.append("fuzzy")
        match = re.search(rf'<(?:trans-unit|group)\b[^>]*\bid="{re.escape(str(unit.getid()))}"', text)
        entry.linenum = text.count("\n", 0, match.start()) + 1 if match else 0
        catalog.append(entry)
    language = store.gettargetlanguage()
    if language and "Language" not in catalog.metadata:
        catalog.metadata["Language"] = language.replace("-", "_")
    return catalog
