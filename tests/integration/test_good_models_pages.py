"""The good-models and review pages driven as the browser drives them, on the demo organisation
with its two good models: staff browse and search, a unit head proposes and reports, an officer
recognises, a second unit adopts; the review report downloads for officers only."""

from __future__ import annotations

import asyncio
import inspect

import pytest
import reflex as rx
from sqlmodel import Session, func, select

from engagement.core import clock
from engagement.good_models import models
from engagement.good_models.demo import seed_demo
from engagement.good_models.state import OfficerModelsState, RegisterState, UnitModelsState
from engagement.org.models import Unit
from engagement.review.state import ReviewState
from tests import factories as f

RESULT = {"r1_indicator": "Thời gian chờ", "r1_before": "30", "r1_after": "12,5", "r1_measure": "phút"}


@pytest.fixture
def app_db(app_db):
    """The demo organisation with the good-models demo."""
    with Session(app_db) as s:
        assert seed_demo(s, now=clock.now()) == {"good_models": 2, "good_model_adoptions": 2}
        s.commit()
    return app_db


def _run(state, name: str, *args):
    """A handler as the browser calls it; an async generator is run to its end, its events returned."""
    result = type(state).event_handlers[name].fn(state, *args)
    if inspect.isasyncgen(result):
        async def drain():
            return [event async for event in result]
        return asyncio.run(drain())
    return asyncio.run(result) if inspect.iscoroutine(result) else result


def _count(engine, model, *where) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def test_the_demo_register_shows_where_the_model_was_replicated(app_db):
    state = f.app_state(app_db, RegisterState, "staff")
    _run(state, "load")
    assert state.error == "" and state.total == 2
    one_stop = next(r for r in state.rows if r.title.startswith("Một cửa thân thiện"))
    assert (one_stop.adoptions, one_stop.reported) == (2, 1)
    _run(state, "open_model", one_stop.id)
    assert state.dialog == "model" and len(state.adoptions) == 2
    assert [a.status for a in state.adoptions].count("reported") == 1
    assert {r.where for r in state.replicated} == {"UBND xã Tân Lập"}
    assert not state.may_adopt  # a plain staff member acts for no unit
    _run(state, "search", {"q": "MOT CUA", "year": "", "unit": "", "field": ""})
    assert [r.id for r in state.rows] == [one_stop.id]
    _run(state, "search", {"q": "", "year": "", "unit": "", "field": "digital"})
    assert [r.field for r in state.rows] == ["digital"]


def test_a_unit_head_proposes_the_officer_recognises_another_unit_adopts(app_db):
    head = f.app_state(app_db, UnitModelsState, "head.snv")
    _run(head, "load")
    assert head.unit_id and head.units
    _run(head, "open_propose")
    _run(head, "propose", {"title": "Ngày thứ Sáu xanh", "field": "green_office", "year": head.this_year,
                           "summary": "Mỗi thứ Sáu, cả Sở dọn dẹp và phân loại rác", "evidence": "", **RESULT})
    assert head.form_error == "" and head.dialog == ""
    assert any(p.title == "Ngày thứ Sáu xanh" and p.status == "proposed" for p in head.proposals)
    # The same title again, in capitals without accents: refused, nothing written.
    before = _count(app_db, models.GoodModel)
    _run(head, "open_propose")
    _run(head, "propose", {"title": "NGAY THU SAU XANH", "field": "green_office", "year": head.this_year,
                           "summary": "Lần nữa"})
    assert "already registered" in head.form_error and _count(app_db, models.GoodModel) == before

    officer = f.app_state(app_db, OfficerModelsState, "officer")
    _run(officer, "load")
    target = next(r for r in officer.rows if r.title == "Ngày thứ Sáu xanh")
    # Before the decision the officer reads the whole proposal; a colleague cannot open it at all.
    _run(officer, "open_model", target.id)
    assert officer.dialog == "model" and officer.summary.startswith("Mỗi thứ Sáu")
    assert [r.indicator for r in officer.results] == ["Thời gian chờ"]
    colleague = f.app_state(app_db, RegisterState, "staff")
    _run(colleague, "open_model", target.id)
    assert colleague.dialog == "" and colleague.shown.id == 0
    _run(officer, "recognise", {"model_id": str(target.id), "decision_ref": "77/QĐ-UBND",
                                "decided_on": officer.today, "initiative_id": "", "award_id": "", "publish": "on"})
    assert officer.decide_error == ""
    assert all(r.id != target.id for r in officer.rows)

    other = f.app_state(app_db, RegisterState, "head.tanlap")
    _run(other, "load")
    _run(other, "open_model", target.id)
    assert other.may_adopt and other.acting
    tanlap = next(o.value for o in other.acting if "Tân Lập" in o.label)
    _run(other, "adopt", {"unit_id": tanlap, "starts_on": other.today, "months": "3", "plan": "Cả xã"})
    assert other.adopt_error == ""
    assert [a.unit_name for a in other.adoptions] == ["UBND xã Tân Lập"]


class Upload:
    """A file as Reflex hands it to an upload handler: read in chunks."""

    def __init__(self, filename: str, data: bytes) -> None:
        self.filename, self.data = filename, data

    async def read(self, size: int = -1) -> bytes:
        chunk = self.data if size < 0 else self.data[:size]
        self.data = self.data[len(chunk):]
        return chunk


def test_a_file_that_is_neither_a_photo_nor_a_pdf_is_refused_at_once(app_db):
    head = f.app_state(app_db, UnitModelsState, "head.snv")
    _run(head, "load")
    _run(head, "attach", [Upload("notes.exe", b"MZ\x90\x00 this is a program")])
    assert head._uploads == [] and head.files_info == ""
    _run(head, "open_propose")
    _run(head, "attach", [Upload("quay.png", f.png()), Upload("bien-ban.pdf", b"%PDF-1.4 minutes")])
    assert [name for _data, name in head._uploads] == ["quay.png", "bien-ban.pdf"] and head.files_info
    files_before = _count(app_db, models.GoodModelFile)
    _run(head, "propose", {"title": "Có ảnh minh chứng", "field": "other", "year": head.this_year, "summary": "x"})
    assert head.form_error == "" and _count(app_db, models.GoodModelFile) == files_before + 2
    assert head._uploads == []
    # A plain staff member may not attach files here at all: nothing is read.
    staff = f.app_state(app_db, UnitModelsState, "staff")
    _run(staff, "attach", [Upload("quay.png", f.png())])
    assert staff._uploads == []


def test_reporting_an_adoption_from_the_unit_page(app_db):
    head = f.app_state(app_db, UnitModelsState, "head.snv")
    _run(head, "load")
    with Session(app_db) as s:
        adoption = s.exec(select(models.GoodModelAdoption).where(models.GoodModelAdoption.status == "adopted")).one()
        stc_id = adoption.unit_id
        assert s.get(Unit, stc_id).code == "STC"
    officer = f.app_state(app_db, UnitModelsState, "officer")
    _run(officer, "load")
    _run(officer, "select_unit", str(stc_id))
    assert officer.unit_id == stc_id
    (row,) = [a for a in officer.adoptions if a.status == "adopted"]
    _run(officer, "open_report", row.id)
    assert officer.dialog == "report"
    _run(officer, "report", {"report": "Tốt", "r1_indicator": "Thời gian chờ", "r1_before": "40", "r1_after": ""})
    assert "before and after" in officer.form_error
    _run(officer, "report", {"report": "Tốt", **RESULT})
    assert officer.form_error == ""
    assert _count(app_db, models.GoodModelAdoption, models.GoodModelAdoption.status == "adopted") == 0


def test_the_review_report_downloads_for_officers_only(app_db):
    officer = f.app_state(app_db, ReviewState, "officer")
    _run(officer, "load")
    assert officer.kinds
    events = _run(officer, "download", {"kind": "year", "year": officer.this_year, "fmt": "pdf"})
    assert officer.error == ""
    downloads = [e for e in events if isinstance(e, rx.event.EventSpec) and e.handler.fn.__qualname__ == "_download"]
    assert len(downloads) == 1
    # The file goes to the browser as a data URL: a PDF ("%PDF-" is "JVBERi0" in base64) named by its period.
    assert "JVBERi0" in repr(downloads[0].args) and f"review-{officer.this_year}-01-01" in repr(downloads[0].args)
    staff = f.app_state(app_db, ReviewState, "staff")
    _run(staff, "load")
    _run(staff, "download", {"kind": "year", "year": staff.this_year, "fmt": "xlsx"})
    assert "emulation officers" in staff.error
    _run(officer, "download", {"kind": "custom", "start": "2026-05-01", "end": "2026-04-01", "fmt": "pdf"})
    assert "before the first day" in officer.error


def test_a_returned_model_is_corrected_and_sent_again_from_the_unit_page(app_db):
    head = f.app_state(app_db, UnitModelsState, "head.snv")
    _run(head, "load")
    long_summary = "Tiếp dân đúng giờ. " * 30  # longer than the list shows
    _run(head, "open_propose")
    _run(head, "propose", {"title": "Tiếp dân đúng giờ", "field": "culture", "year": head.this_year,
                           "summary": long_summary})
    officer = f.app_state(app_db, OfficerModelsState, "officer")
    _run(officer, "load")
    target = next(r for r in officer.rows if r.title == "Tiếp dân đúng giờ")
    _run(officer, "return_model", {"model_id": str(target.id), "reason": "Thiếu số liệu"})
    assert officer.decide_error == ""
    _run(head, "load")
    (returned,) = [p for p in head.proposals if p.id == target.id]
    assert returned.status == "returned" and returned.return_reason == "Thiếu số liệu"
    _run(head, "open_resubmit", target.id)
    assert head.dialog == "resubmit" and head.edit_summary == long_summary.strip()
    _run(head, "resubmit", {"title": "Tiếp dân đúng giờ", "field": "culture", "summary": head.edit_summary,
                            "evidence": "Sổ tiếp dân", **RESULT})
    assert head.form_error == ""
    assert next(p for p in head.proposals if p.id == target.id).status == "proposed"
