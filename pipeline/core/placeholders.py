"""The placeholder syntaxes our messages use, written once.

`{name}` (python-brace-format) is filled from region data in documents; `%(name)s` (python-format) is
what Jinja's i18n extension fills in templates.
"""

from __future__ import annotations

import re

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
BRACE = re.compile(rf"\{{({_NAME})\}}")
PERCENT = re.compile(rf"%\(({_NAME})\)[sdif]")
ANY = re.compile(f"(?:{BRACE.pattern})|(?:{PERCENT.pattern})")
# the same placeholders without capturing groups, for patterns that split text around them
TOKEN = rf"\{{{_NAME}\}}|%\({_NAME}\)[sdif]"


def brace_names(text: str) -> list[str]:
    return BRACE.findall(text)


def format_flags(msgid: str) -> list[str]:
    """The gettext format flags a message needs, so msgfmt, Poedit and Weblate check its placeholders."""
    flags = []
    if BRACE.search(msgid):
        flags.append("python-brace-format")
    if PERCENT.search(msgid):
        flags.append("python-format")
    return flags
