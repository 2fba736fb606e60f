"""Exports neutralise formulas; uploads are checked from their bytes and re-encoded."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from PIL import Image

from engagement.core.errors import Invalid
from engagement.core.export import safe_cell, to_csv, to_xlsx
from engagement.core.files import clean_image, clean_scan


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_text_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Nguyễn Văn An", "", -5, 3.5, None, "a=b"])
def test_plain_values_pass_through(value):
    assert safe_cell(value) == value


def test_csv_has_bom_and_neutralised_cells():
    data = to_csv(["Tên", "Ghi chú"], [["Trần Thị Bình", "=HYPERLINK(\"x\")"]])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "Trần Thị Bình" in text
    assert "'=HYPERLINK" in text


def test_xlsx_round_trip_keeps_numbers_and_neutralises_text():
    data = to_xlsx("Bảng xếp hạng: 2026/Q1", ["Đơn vị", "Điểm"], [["=evil()", 12], ["Phòng A", -3]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Bảng xếp hạng 2026Q1"
    assert sheet["A2"].value == "'=evil()"
    assert sheet["B2"].value == 12
    assert sheet["B3"].value == -3


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(out, format="PNG")
    return out.getvalue()


def test_png_is_reencoded_as_jpeg():
    clean = clean_image(_png())
    assert clean.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(clean.data)).format == "JPEG"


def test_exif_is_stripped():
    image = Image.new("RGB", (20, 20))
    exif = image.getexif()
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    cleaned = Image.open(io.BytesIO(clean_image(out.getvalue()).data))
    assert 0x010F not in cleaned.getexif()


def test_big_images_are_scaled_down():
    clean = clean_image(_png((3000, 1000)), max_side=1000)
    assert max(Image.open(io.BytesIO(clean.data)).size) == 1000


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\xff\xd8\xff\xe0broken jpeg"])
def test_non_images_are_refused_with_a_message(data):
    with pytest.raises(Invalid) as err:
        clean_image(data)
    assert "photo" in err.value.message.lower() or "file" in err.value.message.lower()


def test_oversized_upload_is_refused():
    with pytest.raises(Invalid, match="limit"):
        clean_image(_png(), max_bytes=10)


def test_scan_accepts_pdf_and_images_only():
    assert clean_scan(b"%PDF-1.4 ...").content_type == "application/pdf"
    assert clean_scan(_png()).content_type == "image/jpeg"
    with pytest.raises(Invalid):
        clean_scan(b"MZ\x90\x00 executable")
