"""Reading an uploaded table (CSV or XLSX) into rows by column name, for all-or-nothing imports.

The importer validates every row and writes only when none has an error; this module only reads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from engagement.core import formats
from engagement.core.errors import Invalid

MAX_ROWS = 60_000


class Row(dict):
    """A row by (lower-case) column name, remembering its line in the file (line 1 is the header)."""

    def __init__(self, values: dict[str, str], line: int) -> None:
        super().__init__(values)
        self.line = line


@dataclass(frozen=True)
class RowError:
    """A problem on one line of the file."""

    line: int
    column: str
    message: str


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_lines(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("The file is not UTF-8 text. Save it as CSV UTF-8, or as an Excel workbook (.xlsx).") from None
    if not text.strip():
        return []
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_lines(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only when a workbook is uploaded

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any unreadable workbook gets the same message
        raise Invalid("The workbook could not be read. Save it again as .xlsx, or as CSV UTF-8.") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    finally:
        book.close()


def read_table(data: bytes, filename: str, *, required: Sequence[str], allowed: Sequence[str]) -> list[Row]:
    """The rows of an uploaded CSV or XLSX file, by column name.

    Args:
        data: the file's bytes. filename: its name (``.xlsx`` is read as a workbook, anything else as CSV).
        required: the columns that must be present; allowed: every column that may be.

    Returns:
        The non-blank rows, each a ``Row`` with its line number.

    Raises:
        Invalid: an empty or unreadable file, a missing or unknown column, too many rows.
    """
    lines = _xlsx_lines(data) if filename.lower().endswith(".xlsx") else _csv_lines(data)
    if not lines or not any(c.strip() for c in lines[0]):
        raise Invalid("The file is empty. Download the template and fill in one row per line.")
    header = [c.strip().lower() for c in lines[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise Invalid("The first line must name the columns; missing: {columns}. Download the template to see the "
                      "expected columns.", columns=", ".join(missing))
    unknown = [h for h in header if h and h not in allowed]
    if unknown:
        raise Invalid("Unknown column(s): {unknown}. Allowed: {allowed}", unknown=", ".join(unknown),
                      allowed=", ".join(allowed))
    if len(lines) - 1 > MAX_ROWS:
        raise Invalid("The file has more than {n} rows; split it into parts.", n=formats.number(MAX_ROWS, 0))
    rows = []
    for index, values in enumerate(lines[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        rows.append(Row({h: (str(values[i]).strip() if i < len(values) else "") for i, h in enumerate(header) if h},
                        index))
    if not rows:
        raise Invalid("The file has a header but no rows.")
    return rows
