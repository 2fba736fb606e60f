"""The movement's review report as a PDF (A4 landscape) and an XLSX workbook.

Rendering only: ``queries.build`` gathers the figures; nothing here reads the database. fpdf2
with the DejaVu fonts shipped in ``assets/fonts`` (they render Vietnamese). Fixed texts are
messages of the catalogue, written in the current language (the organisation's, as the state
asks); unit, group and model names are data and printed as they are. Every figure of the period
is printed beside the previous period's, or with its change.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace

from engagement.core import formats
from engagement.core.export import safe_cell
from engagement.core.i18n import _
from engagement.review.dto import Report
from engagement.review.rules import Line, Section, change
from engagement.settings import PROJECT_ROOT

FONTS = PROJECT_ROOT / "assets" / "fonts"
HEAD = FontFace(emphasis="BOLD", fill_color=(230, 236, 245))
TOTAL = FontFace(emphasis="BOLD", fill_color=(245, 245, 245))
DASH = "–"


def _n(value: float | None, digits: int = 0) -> str:
    return DASH if value is None else formats.number(value, digits)


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{formats.number(value, 1)}%"


def _signed(value: float | None, digits: int = 0, suffix: str = "") -> str:
    if value is None:
        return DASH
    if round(value, digits) == 0:
        return "0" + suffix
    return ("+" if value > 0 else "−") + formats.number(abs(value), digits) + suffix


#: The overview's rows: (label, getter, digits, is a percent, needs inspection data).
Getter = Callable[[Line], float | None]


def _overview_rows() -> list[tuple[str, Getter, int, bool, bool]]:
    return [
        (_("Staff (active now)"), lambda x: x.people, 0, False, False),
        (_("Commitments signed (percent of those due)"), lambda x: x.completion, 1, True, False),
        (_("Recognitions received"), lambda x: x.recognitions, 0, False, False),
        (_("Citizens' ratings"), lambda x: x.thanks, 0, False, False),
        (_("Citizens' average rating (1 to 5)"), lambda x: x.rating, 2, False, False),
        (_("Green-office activities approved"), lambda x: x.green_activities, 0, False, False),
        (_("Participations in green-office activities"), lambda x: x.green_people, 0, False, False),
        (_("Inspection visits"), lambda x: x.visits, 0, False, True),
        (_("Inspection compliance (items passed)"), lambda x: x.compliance, 1, True, True),
        (_("Corrective actions opened"), lambda x: x.actions_opened, 0, False, True),
        (_("Corrective actions closed"), lambda x: x.actions_closed, 0, False, True),
        (_("Corrective actions overdue"), lambda x: x.actions_overdue, 0, False, True),
        (_("Good models proposed"), lambda x: x.models_proposed, 0, False, False),
        (_("Good models recognised"), lambda x: x.models_recognised, 0, False, False),
        (_("Adoptions of good models started"), lambda x: x.adoptions, 0, False, False),
        (_("Adoption results reported"), lambda x: x.adoptions_reported, 0, False, False),
        (_("Titles and commendations awarded"), lambda x: x.awards, 0, False, False),
    ]


def _overview(report: Report) -> list[tuple[str, str, str, str]]:
    out = []
    for label, get, digits, is_pct, inspection in _overview_rows():
        if inspection and not report.has_inspections:
            out.append((label, _("no inspection data"), _("no inspection data"), DASH))
            continue
        now, before = get(report.org_now), get(report.org_before)
        shown = _pct if is_pct else (lambda v, d=digits: _n(v, d))
        out.append((label, shown(now), shown(before), _signed(change(now, before), 1 if is_pct else digits,
                                                                " pt" if is_pct else "")))
    return out


def _cell(now: float | None, before: float | None, *, pct: bool = False, digits: int = 0) -> str:
    """A unit table's cell: this period, and the change since the previous period in brackets."""
    shown = _pct(now) if pct else _n(now, digits)
    delta = change(now, before)
    if delta is None or round(delta, 1 if pct else digits) == 0:
        return shown
    return f"{shown} ({_signed(delta, 1 if pct else digits)})"


def _unit_headings(report: Report) -> list[str]:
    heads = [_("Unit"), _("Staff"), _("Commitments"), _("Recognitions"), _("Citizens (average)"),
             _("Green activities")]
    if report.has_inspections:
        heads += [_("Compliance"), _("Actions opened / overdue")]
    return [*heads, _("Good models / adoptions"), _("Awards")]


def _unit_cells(report: Report, now: Line, before: Line) -> list[str]:
    cells = [
        _n(now.people), _cell(now.completion, before.completion, pct=True),
        _cell(now.recognitions, before.recognitions),
        DASH if now.rating is None else f"{_n(now.thanks)} ({formats.number(now.rating, 2)})",
        _cell(now.green_activities, before.green_activities),
    ]
    if report.has_inspections:
        cells += [_cell(now.compliance, before.compliance, pct=True),
                  f"{_n(now.actions_opened)} / {_n(now.actions_overdue)}"]
    return [*cells, f"{_n(now.models_proposed)} / {_n(now.adoptions)}", _cell(now.awards, before.awards)]


# --- PDF ----------------------------------------------------------------------------------------


def _pdf() -> FPDF:
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_margins(14, 12, 14)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=14)
    return pdf


def _heading(pdf: FPDF, text: str) -> None:
    if pdf.get_y() > pdf.h - 45:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _table(pdf: FPDF, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], *,
           totals: Sequence[int] = (), size: float = 8.5, left: int = 1) -> None:
    pdf.set_font("DejaVu", "", size)
    align = ["LEFT"] * left + ["RIGHT"] * (len(headings) - left)
    with pdf.table(col_widths=tuple(widths), headings_style=HEAD, line_height=4.8, text_align=tuple(align),
                   repeat_headings=1, width=min(pdf.epw, sum(widths))) as table:
        head = table.row()
        for label in headings:
            head.cell(label, align="CENTER")
        for index, values in enumerate(rows):
            row = table.row(style=TOTAL if index in totals else None)
            for value in values:
                row.cell(value)


def _top(pdf: FPDF, report: Report) -> None:
    top = pdf.get_y()
    half = pdf.epw / 2
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half - 10, 5, report.org_name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(half - 10, 5, _("Emulation and commendation council"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half, 5, _("SOCIALIST REPUBLIC OF VIETNAM"), align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(half, 5, _("Independence - Freedom - Happiness"), align="C", new_x="LEFT", new_y="NEXT")
    y = pdf.get_y() + 0.6
    pdf.line(pdf.l_margin + half * 1.3, y, pdf.l_margin + half * 1.7, y)
    pdf.set_y(max(y, pdf.get_y()) + 6)
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, _("REVIEW REPORT OF THE MOVEMENT"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, report.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, _("Period: {first} to {last} · compared with {before_first} to {before_last} · "
                           "produced {moment}", first=formats.day(report.period.start),
                           last=formats.day(report.period.end), before_first=formats.day(report.before.start),
                           before_last=formats.day(report.before.end), moment=report.generated),
                   align="C", new_x="LMARGIN", new_y="NEXT")


def _section_rows(report: Report, section: Section) -> tuple[list[list[str]], list[int]]:
    rows = [[u.name, *_unit_cells(report, u.now, u.before)] for u in section.units]
    if section.total is not None:
        rows.append([_("Total of the group"), *_unit_cells(report, section.total.now, section.total.before)])
    return rows, [len(rows) - 1]


def render_pdf(report: Report) -> bytes:
    """The report as a PDF, in the current language."""
    pdf = _pdf()
    pdf.add_page()
    _top(pdf, report)
    _heading(pdf, _("1. Overview of the organisation"))
    _table(pdf, [_("Indicator"), _("This period"), _("Previous period"), _("Change")], _overview(report),
           (120, 45, 45, 35))
    if not report.has_inspections:
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(0, 4.5, _("No inspection data: spot checks are not recorded in this installation yet."),
                       new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, _("2. Units by unit group"))
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 4.5, _("Each unit counts its sub-units. In brackets: the change since the previous period."),
                   new_x="LMARGIN", new_y="NEXT")
    heads = _unit_headings(report)
    first = 52.0
    widths = [first] + [(pdf.epw - first) / (len(heads) - 1)] * (len(heads) - 1)
    for section in report.sections:
        _heading(pdf, section.name)
        rows, totals = _section_rows(report, section)
        _table(pdf, heads, rows, widths, totals=totals, size=7.5)
    if not report.sections:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, _("No units."), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, _("3. Green-office impact"))
    if report.impact:
        _table(pdf, [_("Impact"), _("This period"), _("Previous period")], report.impact, (120, 45, 45))
    else:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, _("No approved green-office activity in either period."), new_x="LMARGIN",
                       new_y="NEXT")
    _heading(pdf, _("4. Titles and commendations by title"))
    if report.awards:
        _table(pdf, [_("Title or form"), _("This period"), _("Previous period"), _("Change")],
               [(f"{abbr} · {name}", _n(now), _n(before), _signed(now - before)) for abbr, name, now, before
                in report.awards], (150, 35, 35, 30))
    else:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, _("No title or commendation decided in either period."), new_x="LMARGIN",
                       new_y="NEXT")
    _heading(pdf, _("5. Good models recognised and their replication"))
    if report.models:
        _table(pdf, [_("Model"), _("Unit"), _("Field"), _("Decision"), _("Adoptions"), _("Results reported")],
               [(m.title, m.unit_name, m.field_label, m.decision, _n(m.adoptions), _n(m.reported))
                for m in report.models], (80, 50, 45, 50, 22, 22), left=4)
    else:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, _("No good model was recognised in this period."), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# --- XLSX ---------------------------------------------------------------------------------------


def _sheet(workbook, title: str, headings: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet("".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet")
    sheet.append([safe_cell(h) for h in headings])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [40] + [16] * 25, strict=False):
        sheet.column_dimensions[column].width = width


def _plain(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def render_xlsx(report: Report) -> bytes:
    """The report as a workbook: overview, units (this period and the previous), awards, good models."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, _("Overview"), [_("Indicator"), _("This period"), _("Previous period"), _("Change")],
           [[report.title, "", "", ""],
            [_("Period"), f"{formats.day(report.period.start)} – {formats.day(report.period.end)}",
             f"{formats.day(report.before.start)} – {formats.day(report.before.end)}", ""],
            *[list(row) for row in _overview(report)]])
    unit_heads = [_("Unit group"), _("Unit"), _("Staff"), _("Commitments signed (%)"),
                  _("Commitments signed, previous (%)"), _("Recognitions"), _("Recognitions, previous"),
                  _("Citizens' ratings"), _("Citizens' average rating"), _("Green activities"),
                  _("Green activities, previous"), _("Inspection compliance (%)"),
                  _("Inspection compliance, previous (%)"), _("Corrective actions opened"),
                  _("Corrective actions overdue"), _("Good models proposed"), _("Adoptions started"),
                  _("Awards"), _("Awards, previous")]
    rows = []
    for section in report.sections:
        lines = [(u.name, u) for u in section.units]
        if section.total is not None:
            lines.append((_("Total of the group"), section.total))
        for name, u in lines:
            now, before = u.now, u.before
            inspected = report.has_inspections
            rows.append([section.name, name, now.people, _plain(now.completion), _plain(before.completion),
                         now.recognitions, before.recognitions, now.thanks, _plain(now.rating, 2),
                         now.green_activities, before.green_activities,
                         _plain(now.compliance) if inspected else None,
                         _plain(before.compliance) if inspected else None,
                         now.actions_opened if inspected else None, now.actions_overdue if inspected else None,
                         now.models_proposed, now.adoptions, now.awards, before.awards])
    _sheet(workbook, _("Units"), unit_heads, rows)
    _sheet(workbook, _("Awards by title"), [_("Abbreviation"), _("Title or form"), _("This period"),
                                            _("Previous period")], [list(a) for a in report.awards])
    _sheet(workbook, _("Green impact"), [_("Impact"), _("This period"), _("Previous period")],
           [list(i) for i in report.impact])
    _sheet(workbook, _("Good models"), [_("Model"), _("Unit"), _("Field"), _("Decision"), _("Adoptions"),
                                        _("Results reported")],
           [[m.title, m.unit_name, m.field_label, m.decision, m.adoptions, m.reported] for m in report.models])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
