"""The printed documents of commendations, part 2: the decision with its annex, the certificates,
and the dossier proposed to a higher authority (one PDF and an XLSX list).

Rendering only: ``decisions.py`` gathers the facts (a decision's exactly as decided, from its
hashed content) and passes plain dicts; nothing here reads the database. fpdf2 with the DejaVu
fonts shipped in ``assets/fonts`` (they render Vietnamese); the QR code of a certificate points
at the public verify page. Every fixed text is a message in the catalogue, written in the
organisation's language unless ``lang`` says otherwise; names, titles and the legal basis are
data and printed as they are.

Layout follows the Vietnamese administrative format (Decree 30/2020/NĐ-CP): the issuer and the
number on the left, the national title and motto on the right, the date, the kind of document
and its subject centred, the bases ("Căn cứ ..."), the articles, recipients on the left and the
signer on the right. Certificates follow Decree 98/2023 Art. 104 (A4 landscape: the authority
in red, the title in red, the awardee, the decision number and date and the golden-book number
at the bottom left, the signature at the bottom right).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import qrcode
from fpdf import FPDF
from fpdf.fonts import FontFace

from engagement.core import formats, i18n
from engagement.core.export import to_xlsx
from engagement.core.i18n import N_, N_n, _
from engagement.settings import PROJECT_ROOT, get_settings

FONTS = PROJECT_ROOT / "assets" / "fonts"
RED = (200, 16, 46)
BLACK = (0, 0, 0)

#: The public page a certificate's QR code opens (the lead adds the page under this route).
VERIFY_AWARD_ROUTE = "/verify-award/"


def verify_award_path(code: str) -> str:
    """The same-site path of a certificate's public check (for links in notices)."""
    return f"{VERIFY_AWARD_ROUTE}{code}"


def verify_award_url(code: str) -> str:
    """The full address a certificate's QR code encodes (at ``ENGAGEMENT_PUBLIC_URL``)."""
    return get_settings().public_url + verify_award_path(code)


def _lang(lang: str | None) -> str:
    return lang or get_settings().language


def _pdf(orientation: str = "P") -> FPDF:
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.set_lang(i18n.current())
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=18)
    return pdf


def _money(amount: int) -> str:
    return formats.number(amount, 0)


def _upper(text: str) -> str:
    return text.upper()


def _written_day(day: date) -> str:
    """A date written out, capitalised as it opens a line ("Ngày 15 tháng 01 năm 2027")."""
    text = formats.long_day(day)
    return text[:1].upper() + text[1:]


def _qr_png(url: str) -> io.BytesIO:
    image = qrcode.make(url, box_size=4, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def _header(pdf: FPDF, *, left_top: str, left_bottom: str, day: date | None) -> None:
    """The two-column head of an administrative document: issuer and number | country and date."""
    top = pdf.get_y()
    left_w = 78
    right_x = pdf.l_margin + left_w + 4
    right_w = pdf.w - pdf.r_margin - right_x
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(left_w, 5, _upper(left_top), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    if left_bottom:
        pdf.multi_cell(left_w, 6, left_bottom, align="C", new_x="LMARGIN", new_y="NEXT")
    left_end = pdf.get_y()
    pdf.set_xy(right_x, top)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(right_w, 5, _("SOCIALIST REPUBLIC OF VIETNAM"), align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(right_w, 5, _("Independence - Freedom - Happiness"), align="C", new_x="LEFT", new_y="NEXT")
    line_y = pdf.get_y() + 0.5
    pdf.line(right_x + right_w * 0.25, line_y, right_x + right_w * 0.75, line_y)
    pdf.set_y(line_y + 2)
    if day is not None:
        pdf.set_x(right_x)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(right_w, 5, _written_day(day), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), left_end) + 6)


def _paragraph(pdf: FPDF, text: str, *, bold: bool = False, size: float = 11, align: str = "J",
               height: float = 6) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(0, height, text, align=align, new_x="LMARGIN", new_y="NEXT")


# --- the decision ---------------------------------------------------------------------------------


def decision_pdf(data: dict[str, Any], lang: str | None = None) -> bytes:
    """The decision (quyết định khen thưởng) and its annex, labelled in ``lang`` (the organisation's).

    ``data``: issuer_name, reference ("12/QĐ-SNV"), decided_on (date), signer_name, signer_title,
    basis (text, one basis a line), year (of the achievements), summary (list of (title name,
    individuals, collectives)), awards (list of dicts: no, name, unit, title, amount, deducted,
    paid_instead, golden_book_no), total (VND).
    """
    with i18n.using(_lang(lang)):
        return _decision(data)


def _decision(data: dict[str, Any]) -> bytes:
    pdf = _pdf()
    pdf.set_margins(20, 15, 15)
    pdf.add_page()
    _header(pdf, left_top=data["issuer_name"], left_bottom=_("No.: {ref}", ref=data["reference"]),
            day=data["decided_on"])
    titles = ", ".join(name for name, _i, _c in data["summary"])
    _paragraph(pdf, _("DECISION"), bold=True, size=14, align="C", height=7)
    _paragraph(pdf, _("On the commendation of {titles} for {year}", titles=titles, year=data["year"]), bold=True,
               align="C")
    pdf.ln(3)
    _paragraph(pdf, _upper(data["signer_title"]), bold=True, align="C")
    pdf.ln(2)
    for line in (x.strip() for x in str(data.get("basis", "")).splitlines()):
        if line:
            _paragraph(pdf, line)
    pdf.ln(2)
    _paragraph(pdf, _("DECIDES:"), bold=True, align="C")
    pdf.ln(1)
    _article(pdf, 1, _("To award the following, for their achievements in {year}, to the individuals and "
                       "collectives named in the list attached to this decision:", year=data["year"]))
    for name, individuals, collectives in data["summary"]:
        parts = []
        if individuals:
            parts.append(N_n("{n} individual", "{n} individuals", individuals).render())
        if collectives:
            parts.append(N_n("{n} collective", "{n} collectives", collectives).render())
        _paragraph(pdf, f"- {name}: {', '.join(parts)}")
    _article(pdf, 2, _("The bonuses set out in the attached list, {total} VND in all, are paid from the "
                       "emulation and commendation fund under the rules in force.", total=_money(data["total"])))
    _article(pdf, 3, _("This decision takes effect on the date it is signed. The heads of the units concerned "
                       "and the individuals and collectives named in Article 1 are responsible for carrying it "
                       "out."))
    pdf.ln(4)
    _signature(pdf, signer_title=data["signer_title"], signer_name=data["signer_name"],
               recipients=[_("- As in Article 3;"), _("- Kept on file.")])
    _annex(pdf, data)
    return bytes(pdf.output())


def _article(pdf: FPDF, number: int, text: str) -> None:
    pdf.set_font("DejaVu", "B", 11)
    pdf.write(6, _("Article {n}.", n=number) + " ")
    pdf.set_font("DejaVu", "", 11)
    pdf.write(6, text)
    pdf.ln(7)


def _signature(pdf: FPDF, *, signer_title: str, signer_name: str, recipients: Sequence[str]) -> None:
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(half, 5, _("Recipients:"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for line in recipients:
        pdf.cell(half, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(half, 6, _upper(signer_title), align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(22)
    pdf.set_x(pdf.l_margin + half)
    pdf.multi_cell(half, 6, signer_name, align="C", new_x="LMARGIN", new_y="NEXT")


def _note(award: dict[str, Any]) -> str:
    if award.get("paid_instead"):
        return _("Only the highest title of the year is paid: {title}", title=award["paid_instead"])
    if award.get("deducted"):
        return _("{amount} VND already paid for a lower title of the year deducted", amount=_money(award["deducted"]))
    return ""


def _annex(pdf: FPDF, data: dict[str, Any]) -> None:
    pdf.add_page()
    _paragraph(pdf, _("LIST OF AWARDS"), bold=True, size=13, align="C", height=7)
    _paragraph(pdf, _("(Attached to Decision No. {ref} of {day} of {issuer})", ref=data["reference"],
                      day=formats.day(data["decided_on"]), issuer=data["issuer_name"]), align="C", size=10)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8.5)
    headings = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(col_widths=(9, 38, 34, 32, 22, 15, 25), headings_style=headings, line_height=4.6,
                   text_align=("CENTER", "LEFT", "LEFT", "LEFT", "RIGHT", "CENTER", "LEFT"),
                   repeat_headings=1) as table:
        head = table.row()
        for label in (_("No."), _("Full name"), _("Unit"), _("Title or form"), _("Amount (VND)"),
                      _("Golden book no."), _("Note")):
            head.cell(label)
        for award in data["awards"]:
            row = table.row()
            for value in (str(award["no"]), award["name"], award["unit"], award["title"], _money(award["amount"]),
                          str(award["golden_book_no"]), _note(award)):
                row.cell(value)
        total = table.row()
        total.cell(_("Total"), colspan=4, align="RIGHT")
        total.cell(_money(data["total"]))
        total.cell("", colspan=2)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, N_n("{n} award in this list.", "{n} awards in this list.", len(data["awards"])).render(),
                   new_x="LMARGIN", new_y="NEXT")


# --- the certificate ----------------------------------------------------------------------------


def certificate_pdf(data: dict[str, Any], lang: str | None = None) -> bytes:
    """One printable certificate (giấy khen, bằng khen, the title's certificate), A4 landscape.

    ``data``: signer_title (the authority, printed in red), signer_name, kind ("title" or
    "form"), title_name, name, post, unit, achievement (optional), year, reference, decided_on
    (date), golden_book_no, code (the certificate code) and url (the public verify page, the QR code).
    """
    with i18n.using(_lang(lang)):
        return _certificate(data)


def _certificate(data: dict[str, Any]) -> bytes:
    pdf = _pdf("L")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(22, 16, 22)
    pdf.add_page()
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.4)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)
    pdf.set_draw_color(*BLACK)
    pdf.set_y(18)
    _paragraph(pdf, _("SOCIALIST REPUBLIC OF VIETNAM"), bold=True, size=12, align="C")
    _paragraph(pdf, _("Independence - Freedom - Happiness"), bold=True, size=11, align="C")
    pdf.ln(4)
    pdf.set_text_color(*RED)
    _paragraph(pdf, _upper(data["signer_title"]), bold=True, size=15, align="C", height=8)
    pdf.set_text_color(*BLACK)
    pdf.ln(8)
    if data["kind"] == "title":
        _paragraph(pdf, _("AWARDS THE TITLE"), bold=True, size=13, align="C", height=7)
        pdf.set_text_color(*RED)
        _paragraph(pdf, _upper(data["title_name"]), bold=True, size=22, align="C", height=11)
    else:
        pdf.set_text_color(*RED)
        _paragraph(pdf, _upper(data["title_name"]), bold=True, size=22, align="C", height=11)
        pdf.set_text_color(*BLACK)
        _paragraph(pdf, _("AWARDED TO"), bold=True, size=13, align="C", height=7)
    pdf.set_text_color(*BLACK)
    pdf.ln(8)
    _paragraph(pdf, data["name"], bold=True, size=20, align="C", height=10)
    details = " - ".join(x for x in (data.get("post", ""), data.get("unit", "")) if x)
    if details:
        _paragraph(pdf, details, size=12, align="C")
    achievement = data.get("achievement") or _("For outstanding achievements in {year}", year=data["year"])
    _paragraph(pdf, achievement, size=12, align="C")
    bottom = pdf.h - 58
    pdf.image(_qr_png(data["url"]), x=24, y=bottom, w=30, h=30)
    pdf.set_xy(57, bottom + 2)
    pdf.set_font("DejaVu", "", 10)
    lines = [_("Decision {ref} of {day}", ref=data["reference"], day=formats.day(data["decided_on"])),
             _("Golden book no. {no}", no=data["golden_book_no"]),
             _("Certificate code: {code}", code=data["code"])]
    pdf.multi_cell(90, 5.5, "\n".join(lines), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(57, bottom + 21)
    pdf.set_font("DejaVu", "", 7.5)
    pdf.multi_cell(100, 4, _("Verify: {url}", url=data["url"]), new_x="LMARGIN", new_y="NEXT")
    right_x, right_w = pdf.w / 2 + 20, pdf.w / 2 - 42
    pdf.set_xy(right_x, bottom - 4)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(right_w, 5, _written_day(data["decided_on"]), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(right_w, 6, _upper(data["signer_title"]), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_y(pdf.get_y() + 18)
    pdf.set_x(right_x)
    pdf.multi_cell(right_w, 6, data["signer_name"], align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# --- the dossier proposed upward ----------------------------------------------------------------

UPWARD_HEADERS = (N_("No."), N_("Full name"), N_("Employee code"), N_("Unit"), N_("Post"), N_("Title or form"),
                  N_("Year"), N_("Agreeing votes"), N_("Council members"), N_("Achievements"))


def upward_pdf(data: dict[str, Any], lang: str | None = None) -> bytes:
    """The dossier sent to the authority that decides: the list of nominees, then each one's
    achievement report and the council's vote.

    ``data``: org_name, prepared_on (date), nominees (list of dicts: no, name, code, unit, post,
    title, year, agree, members (None when no vote is recorded), report (list of (label, text))).
    """
    with i18n.using(_lang(lang)):
        return _upward(data)


def _votes(nominee: dict[str, Any]) -> str:
    if nominee.get("members") is None:
        return ""
    return _("{agree} of {members} members agreed", agree=nominee["agree"], members=nominee["members"])


def _upward(data: dict[str, Any]) -> bytes:
    pdf = _pdf()
    pdf.set_margins(18, 15, 15)
    pdf.add_page()
    _header(pdf, left_top=data["org_name"], left_bottom="", day=data["prepared_on"])
    _paragraph(pdf, _("LIST OF PROPOSALS FOR COMMENDATION"), bold=True, size=13, align="C", height=7)
    _paragraph(pdf, _("Proposed to the competent authority after the review of the emulation and commendation "
                      "council"), align="C", size=10)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8.5)
    headings = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(col_widths=(9, 38, 38, 30, 16, 34), headings_style=headings, line_height=4.6,
                   text_align=("CENTER", "LEFT", "LEFT", "LEFT", "CENTER", "LEFT"), repeat_headings=1) as table:
        head = table.row()
        for label in (_("No."), _("Full name"), _("Unit"), _("Title or form"), _("Year"), _("Council vote")):
            head.cell(label)
        for nominee in data["nominees"]:
            row = table.row()
            for value in (str(nominee["no"]), nominee["name"], nominee["unit"], nominee["title"],
                          str(nominee["year"]), _votes(nominee)):
                row.cell(value)
    for nominee in data["nominees"]:
        pdf.add_page()
        _paragraph(pdf, _("ACHIEVEMENT REPORT"), bold=True, size=13, align="C", height=7)
        _paragraph(pdf, _("{name}, proposed for {title} ({year})", name=nominee["name"], title=nominee["title"],
                          year=nominee["year"]), bold=True, align="C")
        pdf.ln(2)
        facts = [(_("Unit"), nominee["unit"]), (_("Post"), nominee.get("post", "")), (_("Council vote"),
                                                                                      _votes(nominee))]
        for label, text in [*facts, *nominee.get("report", [])]:
            if text:
                pdf.set_font("DejaVu", "B", 10)
                pdf.multi_cell(0, 5.5, label, new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("DejaVu", "", 10)
                pdf.multi_cell(0, 5.5, text, align="J", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
    return bytes(pdf.output())


def upward_xlsx(data: dict[str, Any], lang: str | None = None) -> bytes:
    """The list of the upward dossier as a workbook (the authority's import), same ``data`` as ``upward_pdf``."""
    with i18n.using(_lang(lang)):
        rows = [(n["no"], n["name"], n.get("code", ""), n["unit"], n.get("post", ""), n["title"], n["year"],
                 n["agree"] if n.get("members") is not None else None, n.get("members"),
                 n.get("achievements", "")) for n in data["nominees"]]
        return to_xlsx(N_("Proposals"), UPWARD_HEADERS, rows)
