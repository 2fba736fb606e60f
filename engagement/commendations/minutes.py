"""The minutes of a council session (biên bản họp Hội đồng Thi đua - Khen thưởng) and its ballot count
(biên bản kiểm phiếu) as PDFs, from ``council.minutes_data``.

fpdf2 with the DejaVu fonts shipped in ``assets/fonts`` (they render Vietnamese), like the
commitment PDF. Every label goes through the catalogue and is written in the organisation's
language unless another is asked for; names, titles and places are data, as recorded. There is no
national template for these two documents (commendation-law.md §3.1): they carry what the law asks
the minutes to state: attendance, written votes, recusals, the public comments, and per nominee
the counts against ALL members with the outcome.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import FontFace

from engagement.commendations import rules
from engagement.commendations.council import ItemRow, Minutes, RoundRow
from engagement.core import formats, i18n
from engagement.core.i18n import _
from engagement.settings import PROJECT_ROOT

FONTS = PROJECT_ROOT / "assets" / "fonts"
FONT = "DejaVu"


def minutes_pdf(data: Minutes, lang: str | None = None) -> bytes:
    """The minutes of the session (biên bản họp), in ``lang`` (the organisation's language by default)."""
    with i18n.using(lang or i18n.default_language()):
        return _minutes(data)


def tally_pdf(data: Minutes, lang: str | None = None) -> bytes:
    """The ballot count (biên bản kiểm phiếu), in ``lang`` (the organisation's language by default)."""
    with i18n.using(lang or i18n.default_language()):
        return _tally(data)


# --- pieces ----------------------------------------------------------------------------------------


def _document() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_lang(i18n.current())
    pdf.set_margins(18, 14, 16)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, data: Minutes, title: str) -> None:
    """The organisation and the national motto side by side, then the document's title."""
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 9)
    pdf.multi_cell(half - 4, 5, f"{data.org_name.upper()}\n{_('EMULATION AND COMMENDATION COUNCIL')}",
                   align="C", new_x="LMARGIN", new_y="NEXT")
    left_end = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.multi_cell(half, 5, _("SOCIALIST REPUBLIC OF VIETNAM"), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(half, 5, _("Independence - Freedom - Happiness"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_end, pdf.get_y()) + 6)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 7, title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 6, data.session.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _section(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)


def _line(pdf: FPDF, text: str, *, size: float = 10) -> None:
    pdf.set_font(FONT, "", size)
    pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], widths: tuple[int, ...], *, size: float = 8.5,
           align: tuple[str, ...] | None = None) -> None:
    pdf.set_font(FONT, "", size)
    with pdf.table(col_widths=widths, line_height=4.8, text_align=align or "LEFT", first_row_as_headings=True,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235))) as table:
        head = table.row()
        for text in header:
            head.cell(text)
        for values in rows:
            row = table.row()
            for text in values:
                row.cell(text)
    pdf.ln(2)


def _attendance(member) -> str:
    if member.present:
        return _("Present")
    return _("Absent, votes in writing") if member.written else _("Absent")


def _needed(r: RoundRow) -> str:
    rule = (_("{pct}% of all members", pct=r.threshold_pct) if r.threshold_pct
            else _("more than half of all members"))
    return _("{needed} ({rule})", needed=r.needed, rule=rule)


def _outcome(item: ItemRow, r: RoundRow) -> str:
    if r.outcome:
        return rules.OUTCOME_NAMES[r.outcome].render()
    if item.outcome == rules.REJECTED:
        return rules.OUTCOME_NAMES[rules.REJECTED].render()
    return _("Not approved in this round")


def _share(agree: int, total: int) -> str:
    return formats.number(agree * 100 / total if total else 0, 1) + " %"


def _signatures(pdf: FPDF, data: Minutes, left: str, right: str) -> None:
    pdf.ln(6)
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 10)
    pdf.set_xy(pdf.l_margin, top)
    pdf.cell(half, 6, left, align="C")
    pdf.cell(half, 6, right, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    pdf.cell(half, 5, _("(signature and full name)"), align="C")
    pdf.cell(half, 5, _("(signature and full name)"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(18)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(half, 6, data.session.secretary_name, align="C")
    pdf.cell(half, 6, data.session.chair_name, align="C", new_x="LMARGIN", new_y="NEXT")


# --- the minutes -----------------------------------------------------------------------------------


def _minutes(data: Minutes) -> bytes:
    s = data.session
    pdf = _document()
    _heading(pdf, data, _("Minutes of the meeting of the emulation and commendation council"))
    _section(pdf, _("I. Time, place and attendance"))
    _line(pdf, _("Time: {moment}", moment=s.scheduled_at))
    if s.opened_at:
        _line(pdf, _("Opened at {opened}; closed at {closed}.", opened=s.opened_at, closed=s.closed_at or "—"))
    _line(pdf, _("Place: {place}", place=s.place or "—"))
    _line(pdf, _("Chair: {name}. Secretary: {secretary}.", name=s.chair_name, secretary=s.secretary_name))
    _line(pdf, _("Members of the council: {total}; present: {present}; absent voting in writing: {written}. "
                 "Quorum: {needed} ({num}/{den} of all members): {met}.",
                 total=s.members_total, present=s.present, written=s.written, needed=s.quorum_needed,
                 num=s.quorum_num, den=s.quorum_den, met=_("met") if s.quorum_met else _("not met")))
    _table(pdf, [_("No."), _("Full name"), _("Unit"), _("Position"), _("Attendance")],
           [[str(n), m.name, m.unit_name, rules.POSITION_NAMES[m.position].render(), _attendance(m)]
            for n, m in enumerate(s.members, start=1)], (10, 52, 52, 28, 34))

    _section(pdf, _("II. Public comments"))
    _line(pdf, _("Public comments received on the nominees: {count}; every one was answered before the session "
                 "opened.", count=data.comments) if data.comments else _("No public comment was received on the "
                                                                          "nominees."))

    _section(pdf, _("III. Secret ballot, per nominee, from lower titles to higher"))
    _line(pdf, _("Each result is counted against all {total} members of the council, not only those present.",
                 total=s.members_total), size=9)
    for item in s.items:
        pdf.ln(1)
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(0, 5.5, f"{item.position}. {item.nominee_name} ({item.unit_name}) — {item.title_name}",
                       new_x="LMARGIN", new_y="NEXT")
        if item.recusals:
            for r in item.recusals:
                _line(pdf, _("Recused: {name} ({reason}).", name=r.name,
                             reason=rules.RECUSAL_NAMES[r.reason].render()), size=9)
        else:
            _line(pdf, _("No member is recused."), size=9)
        closed = [r for r in item.rounds if r.closed]
        if not closed:
            _line(pdf, _("Not voted on."), size=9)
        for r in closed:
            _line(pdf, _("Round {round}: {voted} ballots ({written} in writing); agree {agree}, disagree {disagree}, "
                         "not voting {rest}; needed {needed}. {outcome}.",
                         round=r.round, voted=r.voted, written=r.written, agree=r.agree, disagree=r.disagree,
                         rest=r.members_total - (r.agree or 0) - (r.disagree or 0), needed=_needed(r),
                         outcome=_outcome(item, r)), size=9)
        _line(pdf, _("Result: {outcome}", outcome=rules.OUTCOME_NAMES[item.outcome].render()), size=9)

    _section(pdf, _("IV. Conclusion"))
    if data.approved:
        _line(pdf, _("The council approves the following nominees:"))
        for n, text in enumerate(data.approved, start=1):
            _line(pdf, f"{n}. {text}")
    else:
        _line(pdf, _("The council approves no nominee."))
    _signatures(pdf, data, _("SECRETARY"), _("CHAIR"))
    return bytes(pdf.output())


# --- the ballot count ------------------------------------------------------------------------------


def _tally(data: Minutes) -> bytes:
    s = data.session
    pdf = _document()
    _heading(pdf, data, _("Ballot count minutes"))
    _line(pdf, _("Time: {moment}", moment=s.scheduled_at))
    _line(pdf, _("Place: {place}", place=s.place or "—"))
    _line(pdf, _("Members of the council: {total}; present: {present}; absent voting in writing: {written}.",
                 total=s.members_total, present=s.present, written=s.written))
    _line(pdf, _("The ballot is secret: the count keeps the number of agreeing and disagreeing votes only, never "
                 "who cast them. Written votes of absent members were recorded by the secretary."), size=9)
    pdf.ln(2)
    rows = []
    for item in s.items:
        for r in item.rounds:
            if not r.closed:
                continue
            rows.append([str(item.position), f"{item.nominee_name}\n{item.unit_name}", item.title_name,
                         str(r.round), str(r.voted), str(r.written), str(r.agree), str(r.disagree),
                         _share(r.agree or 0, r.members_total), _needed(r), _outcome(item, r)])
    _table(pdf, [_("No."), _("Nominee"), _("Title"), _("Round"), _("Ballots"), _("In writing"), _("Agree"),
                 _("Disagree"), _("Agree, of all members"), _("Needed"), _("Result")], rows,
           (7, 28, 26, 12, 13, 14, 12, 15, 16, 17, 16), size=7)
    if not rows:
        _line(pdf, _("No round of voting has been closed yet."))
    for item in s.items:
        if item.recusals:
            names = ", ".join(r.name for r in item.recusals)
            _line(pdf, _("{nominee}: recused {names}.", nominee=item.nominee_name, names=names), size=9)
    _signatures(pdf, data, _("SECRETARY"), _("CHAIR"))
    return bytes(pdf.output())
