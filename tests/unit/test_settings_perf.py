"""Issue 19: the settings of the tab state, its locks and the database threads."""

from __future__ import annotations

import pytest

from engagement.settings import load_settings


def test_one_worker_keeps_tab_state_in_memory_and_several_in_redis(monkeypatch):
    monkeypatch.delenv("ENGAGEMENT_TAB_STATE", raising=False)
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    assert load_settings().tab_state == "memory"
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:6379")
    assert load_settings().tab_state == "redis"
    monkeypatch.setenv("ENGAGEMENT_TAB_STATE", "disk")
    assert load_settings().tab_state == "disk"


def test_redis_tab_state_without_a_redis_server_is_refused_with_what_to_set(monkeypatch):
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    monkeypatch.setenv("ENGAGEMENT_TAB_STATE", "redis")
    with pytest.raises(ValueError, match="REFLEX_REDIS_URL"):
        load_settings()
    monkeypatch.setenv("ENGAGEMENT_TAB_STATE", "files")
    with pytest.raises(ValueError, match="memory, redis, disk"):
        load_settings()


def test_the_lock_warning_must_come_before_the_lock_expires(monkeypatch):
    monkeypatch.setenv("ENGAGEMENT_STATE_LOCK_MS", "2000")
    monkeypatch.setenv("ENGAGEMENT_STATE_LOCK_WARNING_MS", "2000")
    with pytest.raises(ValueError, match="ENGAGEMENT_STATE_LOCK_WARNING_MS"):
        load_settings()
    monkeypatch.setenv("ENGAGEMENT_STATE_LOCK_WARNING_MS", "500")
    settings = load_settings()
    assert (settings.state_lock_ms, settings.state_lock_warning_ms) == (2000, 500)


def test_database_threads_default_to_four_a_core_within_bounds(monkeypatch):
    monkeypatch.delenv("ENGAGEMENT_DB_THREADS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert load_settings().db_threads == 8
    monkeypatch.setattr("os.cpu_count", lambda: 64)
    assert load_settings().db_threads == 16
    monkeypatch.setenv("ENGAGEMENT_DB_THREADS", "0")
    with pytest.raises(ValueError, match="ENGAGEMENT_DB_THREADS"):
        load_settings()


def test_tab_state_expiry_is_bounded(monkeypatch):
    monkeypatch.setenv("ENGAGEMENT_TAB_STATE_MINUTES", "1")
    with pytest.raises(ValueError, match="ENGAGEMENT_TAB_STATE_MINUTES"):
        load_settings()
