"""Reading an uploaded table (CSV or XLSX) into rows by column name, for all-or-nothing imports.

The importer validates every row and writes only when none has an error; this module only reads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from engagement.core import formats, inputs
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Amount, Msg, N_n

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
    return [list(r) for r in inputs.csv_rows(csv.reader(io.StringIO(text), delimiter=delimiter))]


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


def problems_summary(lines: Sequence[int]) -> Msg:
    """"Nothing was imported: 5 problems in 1 row…" for the lines of a file's problems.

    ``lines`` has one entry per problem (its line number): the rows are the distinct lines,
    so five problems on line 5 are "5 problems in 1 row", each count with its own plural.
    """
    problems, rows = len(lines), len(set(lines))
    return N_("Nothing was imported: {problems} {rows}. Fix them and upload the file again.",
              problems=N_n("{n} problem", "{n} problems", problems, n=Amount(problems)),
              rows=N_n("in {n} row", "in {n} rows", rows, n=Amount(rows)))


def xlsx_as_csv(data: bytes) -> str:
    """The first sheet of a workbook as CSV text, line for line (an import that reads CSV
    then takes XLSX too, with the same line numbers in its messages).

    Raises:
        Invalid: the workbook cannot be read.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in _xlsx_lines(data):
        writer.writerow(row)
    return out.getvalue()


#: Excel opens a UTF-8 CSV with Vietnamese intact only when it starts with a byte-order mark.
CSV_BOM = "\ufeff"
