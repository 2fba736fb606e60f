"""The officers' commendation pages driven as a browser would: the titles catalogue, the register
of titles held, and the eligibility list (officers org-wide, unit heads for their units).

Each test logs in as a demo user on the app's own database (``app_db``: the demo organisation
with the national catalogue) and runs the States' handlers; what they wrote is read back from
the database.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from engagement.commendations import models, queries, rules, service
from engagement.core import clock
from engagement.core.access import Actor
from engagement.core.audit import AuditEntry
from engagement.org import sessions
from engagement.org.demo import DEMO_PASSWORD, ROOT_CODE
from engagement.org.models import Account, Person, Unit
from tests import factories as f


@pytest.fixture
def app_db(app_db):
    """The demo organisation with the national catalogue, as ``engagement migrate`` seeds it."""
    with Session(app_db) as s:
        service.ensure_catalogue(s, now=clock.now())
        s.commit()
    return app_db


def _actor(session: Session, username: str) -> Actor:
    result = f.login(session, username, DEMO_PASSWORD, now=clock.now())
    assert result.ok, result.message
    return sessions.resolve_actor(session, token=result.token, now=clock.now())


def _title_id(engine, code: str) -> int:
    with Session(engine) as s:
        return s.exec(select(models.Title.id).where(models.Title.code == code)).one()


def _person_of(engine, username: str) -> Person:
    with Session(engine) as s:
        return s.exec(select(Person).join(Account, Account.person_id == Person.id)
                      .where(Account.username == username)).one()


def _unit(engine, code: str) -> Unit:
    with Session(engine) as s:
        return s.exec(select(Unit).where(Unit.code == code)).one()


def _count(engine, model: type, *where: Any) -> int:
    with Session(engine) as s:
        return f.count(s, model, *where)


def _drain(state: Any, name: str, *args: Any) -> list[Any]:
    """Run a handler that may yield (an upload), collecting what it yields or returns."""
    result = type(state).event_handlers[name].fn(state, *args)
    out: list[Any] = []

    async def go() -> None:
        if inspect.isasyncgen(result):
            async for item in result:
                out.append(item)
        elif inspect.iscoroutine(result):
            out.append(await result)

    asyncio.run(go())
    return out


class _Upload:
    def __init__(self, data: bytes, filename: str) -> None:
        self.data, self.filename = data, filename

    async def read(self, size: int = -1) -> bytes:
        # Like a real upload, each read goes on where the last one stopped (handlers read in chunks).
        pos = getattr(self, "_pos", 0)
        end = len(self.data) if size < 0 else pos + size
        self._pos = min(end, len(self.data))
        return self.data[pos:end]


def _csv(*rows: tuple[str, ...]) -> bytes:
    lines = [",".join(service.AWARD_COLUMNS)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _rule_form(state: Any, **changes: str) -> dict[str, str]:
    """The override form as the dialog prefilled it, with ``changes``."""
    form = {
        "valid_from": (queries.today(clock.now()) + timedelta(days=1)).isoformat(), "decider": state.rule_decider,
        "decider_depth": state.rule_depth, "coefficient": state.rule_coefficient,
        "threshold_pct": state.rule_threshold, "quota_kind": state.rule_quota_kind,
        "quota_pct": state.rule_quota_pct, "criteria": state.rule_criteria,
        "basis_document": state.rule_basis_document, "basis_article": state.rule_basis_article,
        "note": state.rule_note}
    if state.rule_ballot:
        form["ballot_required"] = "on"
    form.update(changes)
    return form


# --- the catalogue ------------------------------------------------------------------------------


def test_the_catalogue_page_reads_everything_in_one_transaction(app_db, read_sessions):
    from engagement.commendations.officer_state import CatalogueState

    state = f.app_state(app_db, CatalogueState, "officer")
    f.run_handler(state, "load")
    assert state.error == ""
    assert len(read_sessions) == 1
    codes = [t.code for t in state.titles]
    assert codes[:2] == ["LDTT", "CSTDCS"]
    ldtt = state.titles[0]
    assert ldtt.current is not None and ldtt.current.coefficient == "0.3"
    assert ldtt.current.bonus_now == "710.000" or ldtt.current.bonus_now == "710,000"  # 0.3 x 2,340,000 rounded up
    assert len(ldtt.versions) == 2  # Decree 98 then Decree 152
    assert any(s.in_force for s in state.salaries)
    assert [e.code for e in state.exclusions] == list(rules.EXCLUSIONS)
    assert state.settings.year == state.settings_year == queries.today(clock.now()).year


def test_override_is_prefilled_from_the_version_in_force_and_saves_a_dated_version(app_db):
    from engagement.commendations.officer_state import CatalogueState

    state = f.app_state(app_db, CatalogueState, "officer")
    f.run_handler(state, "load")
    cstdcs = _title_id(app_db, "CSTDCS")
    f.run_handler(state, "open_rule", cstdcs)
    assert state.dialog == "rule" and state.rule_title.startswith("CSTĐCS")
    assert (state.rule_decider, state.rule_coefficient, state.rule_ballot, state.rule_threshold) == \
        ("org_head", "1", True, "80")
    assert state.rule_basis_document and state.rule_quota_kind == "none"
    assert json.loads(state.rule_criteria)[0]["kind"] == "title_this_year"

    # A bad criterion is refused in the dialog; nothing is written.
    before = _count(app_db, models.TitleRule)
    f.run_handler(state, "submit_rule", _rule_form(state, criteria="[{not json"))
    assert state.dialog_error == "The criteria are not valid JSON." and state.dialog == "rule"
    f.run_handler(state, "submit_rule", _rule_form(state, coefficient="inf"))
    assert state.dialog_error == "The bonus coefficient must be between 0 and 100."
    f.run_handler(state, "submit_rule", _rule_form(state, basis_document=""))
    assert state.dialog_error.startswith("Name the legal basis")
    assert _count(app_db, models.TitleRule) == before

    f.run_handler(state, "submit_rule", _rule_form(state, coefficient="1,2", quota_kind="eligible", quota_pct="15",
                                                   basis_document="QĐ 10/2026/QĐ-UBND"))
    assert state.dialog_error == "" and state.dialog == ""
    assert _count(app_db, models.TitleRule) == before + 1
    with Session(app_db) as s:
        latest = s.exec(select(models.TitleRule).where(models.TitleRule.title_id == cstdcs)
                        .order_by(models.TitleRule.valid_from.desc())).first()
    assert (latest.coefficient_pct, latest.quota_kind, latest.quota_pct, latest.ballot_required,
            latest.threshold_pct) == (120, "eligible", 15, True, 80)
    assert json.loads(latest.criteria)[0]["kind"] == "title_this_year"  # the prefilled criteria kept
    shown = next(t for t in state.titles if t.id == cstdcs)
    assert len(shown.versions) == 3


def test_a_local_entry_is_added_retired_and_restored(app_db):
    from engagement.commendations.officer_state import CatalogueState

    state = f.app_state(app_db, CatalogueState, "officer")
    f.run_handler(state, "load")
    f.run_handler(state, "open_add")
    assert state.dialog == "add"
    form = {"code": "gk_cd", "abbreviation": "GKCĐ", "name": "Giấy khen của Công đoàn", "subject": "individual",
            "kind": "form", "valid_from": queries.today(clock.now()).isoformat(), "decider": "unit_head",
            "decider_depth": "1", "coefficient": "0.3", "threshold_pct": "0", "quota_kind": "none",
            "quota_pct": "", "criteria": "", "basis_document": "Điều lệ Công đoàn", "basis_article": "",
            "note": ""}
    f.run_handler(state, "submit_add", {**form, "decider_depth": ""})
    assert state.dialog_error.startswith("Say at which level")
    f.run_handler(state, "submit_add", form)
    assert state.dialog_error == "" and state.dialog == ""
    added = next(t for t in state.titles if t.code == "GK_CD")
    assert added.is_local and added.is_active and added.current.decider == "Unit head (level 1)"
    f.run_handler(state, "submit_add", form)  # the code is taken now
    assert "already in the catalogue" in state.dialog_error

    f.run_handler(state, "set_active", added.id, False)
    assert not next(t for t in state.titles if t.id == added.id).is_active
    f.run_handler(state, "set_active", added.id, True)
    assert next(t for t in state.titles if t.id == added.id).is_active


def test_base_salary_exclusions_and_the_year_are_saved(app_db):
    from engagement.commendations.officer_state import CatalogueState

    state = f.app_state(app_db, CatalogueState, "officer")
    f.run_handler(state, "load")
    f.run_handler(state, "add_salary", {"valid_from": "2026-07-01", "amount": "abc", "basis_document": "NĐ"})
    assert state.salary_error == "Enter the base salary as a whole number."
    f.run_handler(state, "add_salary", {"valid_from": "2026-07-01", "amount": "2530000",
                                        "basis_document": "Nghị định 999/2026/NĐ-CP"})
    assert state.salary_error == ""
    assert state.salaries[0].basis == "Nghị định 999/2026/NĐ-CP"

    f.run_handler(state, "save_exclusion", {"code": "absent", "enabled": "on", "value": "30",
                                            "basis_document": "QĐ 5/2026"})
    f.run_handler(state, "save_exclusion", {"code": "not_registered", "basis_document": ""})  # switched off
    assert state.exclusion_error == ""
    shown = {e.code: e for e in state.exclusions}
    assert (shown["absent"].enabled, shown["absent"].value, shown["absent"].basis) == (True, 30, "QĐ 5/2026")
    assert not shown["not_registered"].enabled
    f.run_handler(state, "save_exclusion", {"code": "nonsense", "enabled": "on", "basis_document": "x"})
    assert state.exclusion_error == "There is no such exclusion rule."

    year = state.settings_year
    f.run_handler(state, "save_year", {"opens_on": f"{year}-01-05", "closes_on": "", "cap_pct": "20"})
    assert state.year_error.startswith("Enter both the opening and the closing date")
    f.run_handler(state, "save_year", {"opens_on": f"{year}-01-05", "closes_on": f"{year}-12-31", "cap_pct": "25"})
    assert state.year_error == ""
    assert (state.settings.opens_iso, state.settings.closes_iso, state.settings.cap_pct) == \
        (f"{year}-01-05", f"{year}-12-31", 25)
    f.run_handler(state, "select_year", str(year - 1))
    assert state.settings.year == year - 1 and state.settings.opens_iso == ""
    f.run_handler(state, "select_year", "1999")  # not offered
    assert state.settings_year == year - 1 and state.year_error == "Choose a year from the list."


def test_staff_and_hostile_input_change_nothing_on_the_catalogue(app_db):
    from engagement.commendations.officer_state import CatalogueState

    staff = f.app_state(app_db, CatalogueState, "staff")
    f.run_handler(staff, "load")
    assert staff.error.startswith("Only ") and staff.titles == []
    before = _count(app_db, AuditEntry)
    f.run_handler(staff, "set_active", 1, False)
    f.run_handler(staff, "add_salary", {"valid_from": "2026-07-01", "amount": "2530000", "basis_document": "x"})
    assert staff.salary_error.startswith("Only ")
    assert _count(app_db, AuditEntry) == before

    officer = f.app_state(app_db, CatalogueState, "officer")
    f.run_handler(officer, "load")
    f.run_handler(officer, "open_rule", "x")  # not an id: ignored
    f.run_handler(officer, "open_rule", 999999)  # not listed: ignored
    assert officer.dialog == ""
    f.run_handler(officer, "submit_rule", ["not", "a", "form"])  # no target either
    assert officer.dialog_error.startswith("The form could not be read")
    f.run_handler(officer, "submit_rule", {"valid_from": "2027-01-01", "decider": "org_head", "coefficient": "1",
                                           "basis_document": "x"})
    assert officer.dialog_error == "Choose a title from the list."
    assert _count(app_db, AuditEntry) == before


# --- the register of titles held -------------------------------------------------------------------


def test_an_officer_enters_a_title_for_a_person_and_revokes_it(app_db):
    from engagement.commendations.officer_state import AwardsState

    state = f.app_state(app_db, AwardsState, "officer")
    f.run_handler(state, "load")
    assert state.error == "" and state.titles and state.units
    ldtt = _title_id(app_db, "LDTT")
    person = _person_of(app_db, "staff")
    f.run_handler(state, "choose_title", str(ldtt))
    assert (state.title_choice, state.subject) == (str(ldtt), "individual")
    f.run_handler(state, "find_people", {"q": "x"})
    assert state.form_error.startswith("Type at least two letters")
    f.run_handler(state, "find_people", {"q": person.employee_code})
    assert str(person.id) in [o.value for o in state.people]

    year = queries.today(clock.now()).year - 1
    form = {"title_id": str(ldtt), "person_id": str(person.id), "year": str(year), "decision_ref": "15/QĐ-SNV",
            "decided_on": f"{year + 1}-01-15", "decided_by": "Giám đốc Sở"}
    f.run_handler(state, "record", {**form, "decided_on": f"{year - 1}-12-01"})
    assert state.form_error.startswith(f"A title for {year} cannot be decided before that year")
    f.run_handler(state, "record", {**form, "person_id": ""})
    assert state.form_error == "Choose a person from the list."
    assert _count(app_db, models.Award) == 0
    f.run_handler(state, "record", form)
    assert state.form_error == ""
    (row,) = state.rows
    assert (row.year, row.title, row.subject_name, row.decision_ref, row.revoked) == \
        (year, "LĐTT", person.full_name, "15/QĐ-SNV", False)
    assert row.bonus in ("710.000", "710,000")
    f.run_handler(state, "record", form)
    assert "already in the register" in state.form_error

    f.run_handler(state, "search", {"year": str(year), "q": person.full_name.split()[-1]})
    assert [r.id for r in state.rows] == [row.id]
    f.run_handler(state, "search", {"year": str(year - 1), "q": ""})
    assert state.rows == []
    f.run_handler(state, "search", {"year": "19", "q": ""})
    assert state.error.startswith("Choose a year from 2000")
    f.run_handler(state, "search", {"year": "", "q": ""})

    f.run_handler(state, "open_revoke", row.id)
    assert state.dialog == "revoke" and "15/QĐ-SNV" in state.revoke_label
    f.run_handler(state, "submit_revoke", {"reason": "  "})
    assert state.dialog_error == "Say why the award is revoked."
    f.run_handler(state, "submit_revoke", {"reason": "Nhập nhầm người"})
    assert state.dialog == "" and state.rows[0].revoked
    f.run_handler(state, "open_revoke", row.id)  # already revoked: no dialog
    assert state.dialog == ""


def test_a_collective_title_is_entered_for_a_unit(app_db):
    from engagement.commendations.officer_state import AwardsState

    state = f.app_state(app_db, AwardsState, "officer")
    f.run_handler(state, "load")
    ttldtt = next(t for t in state.titles if t.subject == "collective")
    f.run_handler(state, "choose_title", str(ttldtt.id))
    assert state.subject == "collective"
    unit = _unit(app_db, "SNV")
    year = queries.today(clock.now()).year - 1
    f.run_handler(state, "record", {"title_id": str(ttldtt.id), "year": str(year), "decision_ref": "3/QĐ-UBND",
                                    "decided_on": f"{year + 1}-02-01"})
    assert state.form_error == "Choose a unit from the list."
    f.run_handler(state, "record", {"title_id": str(ttldtt.id), "unit_id": str(unit.id), "year": str(year),
                                    "decision_ref": "3/QĐ-UBND", "decided_on": f"{year + 1}-02-01"})
    assert state.form_error == ""
    assert [r.subject_name for r in state.rows] == [unit.name]


def test_an_import_with_bad_rows_lists_every_problem_and_enters_nothing(app_db):
    from engagement.commendations.officer_state import AwardsState

    state = f.app_state(app_db, AwardsState, "officer")
    f.run_handler(state, "load")
    person = _person_of(app_db, "staff")
    year = queries.today(clock.now()).year - 1
    bad = _csv((str(year), "LDTT", person.employee_code, "", "1/QĐ", f"{year + 1}-01-10", "GĐ", ""),
               (str(year), "NOPE", person.employee_code, "", "2/QĐ", f"{year + 1}-01-10", "GĐ", ""),
               ("20x", "LDTT", "NOBODY", "", "3/QĐ", "hôm qua", "GĐ", ""))
    _drain(state, "upload", [_Upload(bad, "titles.csv")])
    assert state.import_error == ""
    assert state.import_error_count == 4 and len(state.import_errors) == 4
    assert {e[0] for e in state.import_errors} == {"3", "4"}
    assert state.import_status.startswith("Nothing was imported: 4 problems in 2 rows")  # lines 3 and 4
    assert _count(app_db, models.Award) == 0
    (download,) = [f.run_handler(state, "download_errors")]
    assert download is not None

    good = _csv((str(year), "LDTT", person.employee_code, "", "1/QĐ", f"15/01/{year + 1}", "GĐ", person.full_name),
                (str(year), "TTLDTT", "", "SNV", "2/QĐ", f"{year + 1}-01-10", "GĐ", ""))
    _drain(state, "upload", [_Upload(good, "titles.csv")])
    assert state.import_error_count == 0 and state.import_status == "Entered 2 titles in the register."
    assert _count(app_db, models.Award) == 2 and len(state.rows) == 2

    _drain(state, "upload", [])
    assert state.import_error == "Choose a CSV or XLSX file first."
    _drain(state, "upload", [_Upload(b"a,b\n1,2\n", "titles.csv")])
    assert state.import_error.startswith("The first line must name the columns") and state.import_status == ""
    assert f.run_handler(state, "download_template") is not None


def test_staff_cannot_use_the_register(app_db):
    from engagement.commendations.officer_state import AwardsState

    state = f.app_state(app_db, AwardsState, "staff")
    f.run_handler(state, "load")
    assert state.error.startswith("Only ") and state.rows == [] and state.titles == []
    person = _person_of(app_db, "staff")
    f.run_handler(state, "record", {"title_id": str(_title_id(app_db, "LDTT")), "person_id": str(person.id),
                                    "year": "2025", "decision_ref": "1", "decided_on": "2026-01-10"})
    assert state.form_error.startswith("Only ")
    _drain(state, "upload", [_Upload(_csv(("2025", "LDTT", person.employee_code, "", "1", "2026-01-10", "", "")),
                                     "t.csv")])
    assert state.import_error.startswith("Only ")
    assert _count(app_db, models.Award) == 0


# --- eligibility --------------------------------------------------------------------------------


def _rate(engine, username: str, level: str, year: int) -> int:
    """The officer rates the person of ``username``; their person id."""
    person = _person_of(engine, username)
    with Session(engine) as s:
        officer = _actor(s, "officer")
        service.rate_person(s, actor=officer, person_id=person.id, year=year, level=level, months_worked=12,
                            absent_days=0, now=clock.now())
        service.set_exclusion(s, actor=officer, code="not_registered", enabled=False, value=0, basis_document="",
                              now=clock.now())
        s.commit()
    return person.id


def test_the_officer_sees_a_rated_person_eligible_and_can_print_and_download(app_db):
    from engagement.commendations.officer_state import EligibilityState

    year = queries.today(clock.now()).year
    staff_id = _rate(app_db, "staff", rules.GOOD, year)
    state = f.app_state(app_db, EligibilityState, "officer")
    f.run_handler(state, "load")
    assert state.error == ""
    ldtt = _title_id(app_db, "LDTT")
    assert (state.year, state.title_id, state.title) == (year, ldtt, "LĐTT")
    root = _unit(app_db, ROOT_CODE)
    assert state.unit_id == root.id and state.units[0].label.startswith(root.name)
    assert state.count_eligible == 1
    assert state.count_eligible + state.count_missing + state.count_excluded + state.count_held == state.total
    assert state.basis and state.quota_text == ""

    f.run_handler(state, "select_status", "eligible")
    (row,) = state.rows
    assert (row.subject_id, row.status, row.status_label) == (staff_id, "eligible", "Eligible")
    f.run_handler(state, "select_status", "missing")
    assert state.rows and {r.status for r in state.rows} == {"missing"}
    assert any("HTTNV" in reason for reason in state.rows[0].reasons)
    assert len(state.rows) == min(50, state.total) and state.pages == -(-state.total // 50)
    if state.pages > 1:
        f.run_handler(state, "next_page")
        assert state.page == 2 and state.error == ""
    f.run_handler(state, "select_status", "bogus")  # unknown: every status
    assert state.status == "" and state.page == 1

    f.run_handler(state, "print_list")
    assert state.printing and len(state.print_rows) == state.total and state.printed_on
    f.run_handler(state, "close_print")
    assert not state.printing and state.print_rows == []

    xlsx = f.run_handler(state, "download", "xlsx")
    assert xlsx is not None and "eligibility-LDTT" in str(xlsx)
    from engagement.commendations.officer_state import _export_bytes

    view = _full_view(app_db, year=year, title_id=ldtt, unit_id=state.unit_id)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(_export_bytes(view, "xlsx", "en"))).active
    assert [c.value for c in sheet[1]] == ["Code", "Name", "Unit", "Status", "Reasons"]
    assert sheet.max_row == view.total + 1
    assert _export_bytes(view, "csv", "en").decode("utf-8-sig").splitlines()[0] == "Code,Name,Unit,Status,Reasons"

    # Another title, year and unit; ids not offered are refused.
    cstdcs = _title_id(app_db, "CSTDCS")
    f.run_handler(state, "select_title", str(cstdcs))
    assert state.title == "CSTĐCS" and state.count_eligible == 0
    f.run_handler(state, "select_title", "999999")
    assert state.error == "Choose a title from the list." and state.title_id == cstdcs
    f.run_handler(state, "select_year", str(year - 1))
    assert state.year == year - 1 and state.error == ""
    f.run_handler(state, "select_unit", state.units[1].value)
    assert state.unit_id == int(state.units[1].value) and state.error == ""


def _full_view(engine, *, year: int, title_id: int, unit_id: int):
    with Session(engine) as s:
        return service.eligibility(s, actor=_actor(s, "officer"), year=year, title_id=title_id, unit_id=unit_id,
                                   page_size=0, now=clock.now())


def test_a_unit_head_sees_only_their_units(app_db):
    from engagement.commendations.officer_state import EligibilityState

    snv = _unit(app_db, "SNV")
    state = f.app_state(app_db, EligibilityState, "head.snv")
    f.run_handler(state, "load")
    assert state.error == ""
    assert state.unit_id == snv.id and not state.units[0].label.startswith("\u2003")
    with Session(app_db) as s:
        inside = {u.id for u in s.exec(select(Unit).where(Unit.path.startswith(snv.path), Unit.is_active.is_(True)))}
    assert {int(o.value) for o in state.units} == inside
    other = _unit(app_db, "TANLAP")
    f.run_handler(state, "select_unit", str(other.id))
    assert state.error == "Choose a unit from the list." and state.unit_id == snv.id


def test_staff_see_no_eligibility_list_and_write_nothing(app_db):
    from engagement.commendations.officer_state import EligibilityState

    before = _count(app_db, AuditEntry)
    state = f.app_state(app_db, EligibilityState, "staff")
    f.run_handler(state, "load")
    assert state.error.startswith("Only ") and state.rows == [] and state.titles == []
    assert f.run_handler(state, "print_list") is not None  # an error toast
    assert not state.printing
    f.run_handler(state, "download", "csv")
    assert _count(app_db, AuditEntry) == before


def test_every_view_of_the_list_is_audited(app_db):
    from engagement.commendations.officer_state import EligibilityState

    state = f.app_state(app_db, EligibilityState, "officer")
    before = _count(app_db, AuditEntry, AuditEntry.action == queries.ELIGIBILITY_VIEW)
    f.run_handler(state, "load")
    f.run_handler(state, "print_list")
    assert _count(app_db, AuditEntry, AuditEntry.action == queries.ELIGIBILITY_VIEW) == before + 2


# --- the pages ------------------------------------------------------------------------------------


def test_the_pages_build_with_the_ids_the_browser_journey_uses(app_db):
    from engagement.commendations import officer_pages

    rendered = str(officer_pages.eligibility_page().render())
    for wanted in ('"eligibility-table"', '"count-eligible"', '"count-missing"', '"count-excluded"',
                   '"count-held"', '"data-status"', '"elig-"'):
        assert wanted in rendered
    for page in (officer_pages.catalogue_page, officer_pages.awards_page):
        assert page().render()
