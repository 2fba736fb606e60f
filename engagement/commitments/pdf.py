"""The downloadable PDF of a signed commitment: the exact text, the hash and a QR code.

fpdf2 with the DejaVu fonts shipped in ``assets/fonts`` (they render Vietnamese); the QR
code points at the public verify page. The signed text is the campaign's content, as signed;
the PDF's own labels are written in the reader's language.
"""

from __future__ import annotations

import io

import qrcode
from fpdf import FPDF

from engagement.core import i18n, routes
from engagement.core.i18n import _
from engagement.settings import PROJECT_ROOT, get_settings

FONTS = PROJECT_ROOT / "assets" / "fonts"


def verify_url(code: str) -> str:
    """The public verify page of a signature (at ``ENGAGEMENT_PUBLIC_URL``)."""
    return get_settings().public_url + routes.verify(code)


def render(facts: dict, lang: str | None = None) -> bytes:
    """A one- or two-page PDF of one signature (``queries.signature_for_pdf``), labelled in ``lang``."""
    with i18n.using(lang or i18n.current()):
        return _render(facts)


def _render(facts: dict) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_lang(i18n.current())
    pdf.set_margins(18, 16, 18)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 6, _("SOCIALIST REPUBLIC OF VIETNAM"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, _("Independence - Freedom - Happiness"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    lines = facts["content"].split("\n")
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, lines[0].upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, "\n".join(lines[1:]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 10)
    how = (_("Signed on paper, recorded by an emulation officer, {moment}", moment=facts["signed_at"])
           if facts["method"] == "paper" else _("Signed electronically, {moment}", moment=facts["signed_at"]))
    pdf.multi_cell(0, 6, f"{facts['name']} — {facts['unit']}\n{how}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    url = verify_url(facts["code"])
    image = qrcode.make(url, box_size=4, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    y = pdf.get_y()
    if y > 240:
        pdf.add_page()
        y = pdf.get_y()
    pdf.image(buffer, x=18, y=y, w=32, h=32)
    pdf.set_xy(54, y)
    pdf.set_font("DejaVu", "", 8)
    evidence = [_("Signature code: {code} (#{seq})", code=facts["code"], seq=facts["seq"]),
                f"SHA-256: {facts['hash']}", _("Verify: {url}", url=url)]
    pdf.multi_cell(0, 4.5, "\n".join(evidence), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
