"""Issue 17 §6: bad input that used to crash gets one clear message, the same on SQLite and
PostgreSQL, and writes nothing; a destructive ``alembic downgrade`` needs a flag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.util import CommandError
from sqlmodel import Session, select

from alembic import command
from engagement.commitments import service as commitments
from engagement.commitments.models import Campaign
from engagement.core import sheets
from engagement.core.audit import AuditEntry, record
from engagement.core.db import make_engine, unit_of_work
from engagement.core.errors import Invalid, NotFound, OutOfRange
from engagement.org import service as org_service
from engagement.org.models import Person, Unit
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
HUGE = "x" * 1_000_000


def test_a_due_date_in_the_year_9999_is_refused_with_a_message(session, now, small_org):
    officer = f.officer(session, org=small_org, now=now)
    for field in ({"due_on": "9999-12-31"}, {"due_on": "31/12/9999"},
                  {"allow_late": True, "late_until_on": "9999-12-31"}):
        with pytest.raises(Invalid) as refused:
            f.commitment_campaign(session, actor=officer, now=now, unit_ids=[small_org.a], **field)
        assert "must be a date from 1900 to 2200; check the year" in refused.value.render("en")
    assert f.count(session, Campaign) == 0


def test_a_csv_with_a_one_megabyte_cell_is_refused_with_its_line(session, now, small_org):
    text = f"employee_code,full_name,unit_code\nNV1,Nguyễn Văn An,A\nNV2,{HUGE},A\n"
    people = f.count(session, Person)
    with pytest.raises(Invalid, match="Line 3 of the file cannot be read"):
        org_service.preview_import(session, actor=small_org.admin, csv_text=text, now=now)
    with pytest.raises(Invalid, match="Line 3 of the file cannot be read"):
        org_service.import_people(session, actor=small_org.admin, csv_text=text, digest="", now=now)
    with pytest.raises(Invalid, match="Line 3 of the file cannot be read"):
        sheets.read_table(text.encode(), "people.csv", required=["employee_code"],
                          allowed=["employee_code", "full_name", "unit_code"])
    assert f.count(session, Person) == people


@pytest.mark.parametrize("bad", [2**63, 2**64, -(2**63) - 1])
def test_an_id_too_large_for_any_column_gets_the_same_answer_on_both_databases(engine, now, bad):
    with Session(engine) as s:
        org = f.small_org(s, now)
        officer = f.officer(s, org=org, now=now)
        s.commit()
    with pytest.raises(OutOfRange) as refused, unit_of_work(engine) as session:
        commitments.close_campaign(session, actor=officer, campaign_id=bad, now=now)
    assert refused.value.render("en").startswith("A value sent is outside what can be stored")
    with pytest.raises(OutOfRange), unit_of_work(engine) as session:
        session.get(Unit, bad)


def test_an_id_of_a_normal_size_that_does_not_exist_is_simply_not_found(engine, now):
    with Session(engine) as s:
        org = f.small_org(s, now)
        officer = f.officer(s, org=org, now=now)
        s.commit()
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        commitments.close_campaign(session, actor=officer, campaign_id=2**31 - 1, now=now)


@pytest.mark.parametrize("bad", [2**63, "x", "9" * 30, "1e3", -1, 0, True, None, [1], "２"])
def test_a_handler_given_a_hostile_id_says_choose_from_the_list(app_db, bad):
    from engagement.jobs.state import NotifyAdminState

    state = f.app_state(app_db, NotifyAdminState, "admin")
    f.run_handler(state, "retry", bad)
    assert state.error == "Choose a message from the list."


def test_a_huge_value_in_the_audit_log_is_cut_with_its_length(session, now):
    record(session, actor=None, action="unit.rename", entity="unit", entity_id="9" * 500, now=now, name=HUGE,
           names=[HUGE, "ok"], nested={"name": HUGE})
    session.commit()
    row = session.exec(select(AuditEntry)).one()
    detail = json.loads(row.detail)
    assert len(row.detail) < 5_000
    assert detail["name"].endswith("… [1000000 characters]") and detail["name"].startswith("x" * 1000)
    assert detail["names"][1] == "ok" and detail["nested"]["name"].endswith("[1000000 characters]")
    assert len(row.entity_id) == 80


# --- alembic downgrade ------------------------------------------------------------------------------


def _config(connection: sa.Connection) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["connection"] = connection
    config.attributes["configure_logging"] = False
    return config


def _heads(connection: sa.Connection) -> tuple:
    return MigrationContext.configure(connection).get_current_heads()


def test_a_downgrade_that_drops_data_is_refused_without_the_flag(tmp_path, monkeypatch):
    monkeypatch.delenv("ENGAGEMENT_ALLOW_DESTRUCTIVE_DOWNGRADE", raising=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}", immediate=False)
    with engine.connect() as conn:
        command.upgrade(_config(conn), "c0a1d2e3f404")
        conn.commit()
        assert _heads(conn) == ("c0a1d2e3f404",)
        with pytest.raises(CommandError, match="ENGAGEMENT_ALLOW_DESTRUCTIVE_DOWNGRADE=1") as refused:
            command.downgrade(_config(conn), "-1")
        assert "c0a1d2e3f404" in str(refused.value)
        conn.rollback()
        assert _heads(conn) == ("c0a1d2e3f404",)
        assert "seal" in {c["name"] for c in sa.inspect(conn).get_columns("commitment_signature")}
        monkeypatch.setenv("ENGAGEMENT_ALLOW_DESTRUCTIVE_DOWNGRADE", "1")
        command.downgrade(_config(conn), "-1")
        conn.commit()
        assert _heads(conn) == ("c0a1d2e3f402",)
        assert "seal" not in {c["name"] for c in sa.inspect(conn).get_columns("commitment_signature")}
    engine.dispose()
