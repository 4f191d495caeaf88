"""The build date: now, or SOURCE_DATE_EPOCH when set, so builds are reproducible."""

from __future__ import annotations

import datetime as dt
import os


def build_date() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


def po_date(moment: dt.datetime) -> str:
    """A date as PO headers write it."""
    return moment.strftime("%Y-%m-%d %H:%M+0000")
