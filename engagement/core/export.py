"""Tables to CSV and XLSX files that are safe to open in a spreadsheet.

Every feature that exports (completion tables, signature registers, leaderboards) goes
through here, so formula injection is neutralised in one place: a cell that starts with
``= + - @`` (or a tab / carriage return) is prefixed with an apostrophe.

Headers and sheet titles are messages (a ``Msg`` or a message id) written in ``lang``, the
reader's language (the current language when not given); the cells are data, never translated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from engagement.core import i18n
from engagement.core.i18n import Msg

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | bool | date | datetime | None
Header = str | Msg


def _headers(headers: Sequence[Header], lang: str | None) -> list[str]:
    """The column headers as text of ``lang``."""
    return [i18n.render(h, lang) for h in headers]


def safe_cell(value: Cell) -> Cell:
    """A value a spreadsheet will show as data, never run as a formula.

    Numbers stay numbers (a negative number is data, not a formula); text that starts
    with a formula character gets a leading apostrophe.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(headers: Sequence[Header], rows: Iterable[Sequence[Cell]], *, lang: str | None = None) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel shows Vietnamese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_text(safe_cell(h)) for h in _headers(headers, lang)])
    for row in rows:
        writer.writerow([_text(safe_cell(c)) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(title: Header, headers: Sequence[Header], rows: Iterable[Sequence[Cell]], *,
            lang: str | None = None) -> bytes:
    """One-sheet XLSX workbook with a bold header row and a frozen first row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    # Sheet titles: at most 31 characters and none of []:*?/\ .
    sheet.title = "".join(ch for ch in i18n.render(title, lang) if ch not in "[]:*?/\\")[:31] or "Sheet1"
    sheet.append([safe_cell(h) for h in _headers(headers, lang)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for value in row:
            value = safe_cell(value)
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)  # openpyxl refuses aware datetimes
            values.append(value)
        sheet.append(values)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
