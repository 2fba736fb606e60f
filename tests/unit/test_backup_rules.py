"""Pure parts of backup and mail (issue 17): the stable Message-ID, backup file names and settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engagement.core import backup
from engagement.notify import rules
from engagement.settings import load_settings

KEY = (42, "email", "recognition.received", "recognition:7", "")


def test_the_message_id_depends_on_the_outbox_key_only():
    first = rules.message_id(KEY, mail_from="thi-dua@tinh.gov.vn")
    assert first == rules.message_id(KEY, mail_from="thi-dua@tinh.gov.vn")
    assert first.startswith("<") and first.endswith(".outbox@tinh.gov.vn>")
    assert first != rules.message_id((*KEY[:4], "2026-03"), mail_from="thi-dua@tinh.gov.vn")
    assert first != rules.message_id((43, *KEY[1:]), mail_from="thi-dua@tinh.gov.vn")


def test_the_message_id_domain_falls_back_to_localhost():
    assert rules.message_id(KEY, mail_from="").endswith("@localhost>")
    assert rules.message_id(KEY, mail_from="Sở Nội vụ <thi-dua@snv.gov.vn>").endswith("@snv.gov.vn>")


def test_scheduled_backup_names_sort_by_time():
    early = backup.file_name(datetime(2026, 3, 2, 19, 10, tzinfo=UTC))
    late = backup.file_name(datetime(2026, 3, 3, 2, 10, tzinfo=UTC))
    assert early == "engagement-20260302-191000.backup" and early < late


def test_backup_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'app.db'}")
    monkeypatch.delenv("ENGAGEMENT_BACKUP_DIR", raising=False)
    monkeypatch.delenv("ENGAGEMENT_BACKUP_KEEP", raising=False)
    settings = load_settings()
    assert settings.backup_dir == str(tmp_path / "data" / "backups") and settings.backup_keep == 14
    monkeypatch.setenv("ENGAGEMENT_BACKUP_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("ENGAGEMENT_BACKUP_KEEP", "30")
    settings = load_settings()
    assert settings.backup_dir == str(tmp_path / "elsewhere") and settings.backup_keep == 30
    monkeypatch.setenv("ENGAGEMENT_BACKUP_KEEP", "0")
    with pytest.raises(ValueError, match="ENGAGEMENT_BACKUP_KEEP must be at least 1"):
        load_settings()
