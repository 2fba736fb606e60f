"""One public address for every link that leaves the app (mail, QR codes, PDFs, lobby screens)."""

from __future__ import annotations

from engagement.commitments import pdf
from engagement.settings import get_settings, load_settings


def test_public_url_is_the_setting_else_the_first_allowed_origin(monkeypatch):
    monkeypatch.delenv("ENGAGEMENT_PUBLIC_URL", raising=False)
    monkeypatch.setenv("ENGAGEMENT_CORS_ORIGINS", "https://thidua.tinh.gov.vn,http://10.0.0.5:3000")
    assert load_settings().public_url == "https://thidua.tinh.gov.vn"
    monkeypatch.setenv("ENGAGEMENT_PUBLIC_URL", "https://engagement.tinh.gov.vn/")
    assert load_settings().public_url == "https://engagement.tinh.gov.vn"


def test_signature_pdfs_point_to_the_public_address(monkeypatch):
    monkeypatch.setenv("ENGAGEMENT_PUBLIC_URL", "https://engagement.tinh.gov.vn")
    get_settings.cache_clear()
    try:
        assert pdf.verify_url("AB12") == "https://engagement.tinh.gov.vn/verify/AB12"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
