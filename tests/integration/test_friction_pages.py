"""Issue 16, the pages: driven as the browser drives them (state handlers on the demo database)."""

from __future__ import annotations

import pytest
from reflex.istate.data import PageData, RouterData, SessionData
from sqlmodel import Session, select

from engagement.commitments.models import Campaign
from tests import factories as f


@pytest.fixture
def app_db(app_db):
    """The demo organisation with this year's commitment campaign and the green-office slice."""
    from engagement.commitments.demo import seed_demo as seed_commitments
    from engagement.core import clock
    from engagement.green.demo import seed_demo as seed_green

    with Session(app_db) as s:
        seed_commitments(s, now=clock.now())
        seed_green(s, now=clock.now())
        s.commit()
    return app_db


def _campaign_id(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(Campaign.id)).first()


def _full_name(engine, username: str) -> str:
    from engagement.org.models import Account, Person

    with Session(engine) as s:
        return s.exec(select(Person.full_name).join(Account, Account.person_id == Person.id)
                      .where(Account.username == username)).one()


def _sign_state(engine):
    from engagement.commitments.state import SignState

    state = f.app_state(engine, SignState, "staff")
    state.router = RouterData(session=SessionData(client_ip="10.0.0.1"),
                              _page=PageData(params={"campaign_id": str(_campaign_id(engine))}))
    f.run_handler(state, "load")
    assert state.can_sign, state.error
    state.ticked = list(range(1, len(state.clauses) + 1))
    return state


def _run(state, name, *args):
    """Run a handler that may be a generator (``yield`` to show progress) to its end."""
    import asyncio
    import inspect

    result = type(state).event_handlers[name].fn(state, *args)
    if inspect.isasyncgen(result):
        async def drain():
            async for _ in result:
                pass
        asyncio.run(drain())
        return None
    return asyncio.run(result) if inspect.iscoroutine(result) else result


# --- 1 and 11: the signing form's refusals sit next to their field, and never linger ----------


def test_a_wrong_name_or_password_shows_next_to_its_field_not_at_the_top(app_db):
    state = _sign_state(app_db)
    _run(state, "submit", {"typed_name": "Người Khác", "password": "whatever-123", "pledges": ""})
    assert state.error == ""  # the top of the page stays quiet
    assert "not the name on your record" in state.sign_error
    assert set(state.sign_error_fields) == {"typed_name"}
    _run(state, "submit", {"typed_name": _full_name(app_db, "staff"), "password": "wrong-password-1", "pledges": ""})
    assert "password is not right" in state.sign_error
    assert set(state.sign_error_fields) == {"password"}  # the name's old message is gone
    assert state.signature_id == 0


def test_the_sign_page_puts_the_error_elements_next_to_the_fields_with_stable_ids(app_db):
    from engagement.commitments.pages import sign_page

    rendered = str(sign_page().render())
    for element_id in ("sign-error", "sign-typed_name-error", "sign-password-error", "respond-reason-count"):
        assert f'id:"{element_id}"' in rendered
    assert rendered.index('id:"sign-password-error"') < rendered.index('id:"sign-error"') < \
        rendered.index('id:"sign-submit"')


# --- 2: a refused green form keeps what was typed ---------------------------------------------


def test_a_refused_green_log_keeps_the_form_and_says_why_next_to_it(app_db):
    from engagement.green.state import GreenState

    state = f.app_state(app_db, GreenState, "staff")
    f.run_handler(state, "load")
    needs_photo = next((a for a in state.actions if a.photo_required), None)
    assert needs_photo is not None, "the demo has an action that needs a photo"
    key = state.log_key
    f.run_handler(state, "submit_log", {"action_id": str(needs_photo.id), "occurred_on": state.today,
                                        "impact": "3", "note": "Dọn kho tầng hai"})
    assert "needs a photo" in state.log_error and state.log_error_fields == {"photo": "Required"}
    assert state.log_key == key  # the form is not remounted: action, amount and note stay
    assert state.error == ""
    f.run_handler(state, "submit_log", {"action_id": str(needs_photo.id), "occurred_on": state.today,
                                        "note": "x" * 1001})
    assert "at most 1000 characters" in state.log_error and "note" in state.log_error_fields


def test_the_green_log_form_is_not_emptied_by_the_browser_on_submit(app_db):
    from engagement.green.pages import _log_form, campaigns_page

    rendered = str(campaigns_page().render())
    assert 'id:"green-log-error"' in rendered and 'id:"green-log-note-count"' in rendered
    hooks = "".join(_log_form()._get_all_hooks())
    assert "$form.reset()" in hooks and "if (true)" not in hooks  # the browser never empties it itself


# --- 5: the Year box of the scoring settings --------------------------------------------------


def test_publishing_criteria_for_another_year_shows_that_year(app_db):
    from engagement.scoring.state import ScoringAdminState

    state = f.app_state(app_db, ScoringAdminState, "officer")
    f.run_handler(state, "load")
    this_year = state.year
    form = {"year": str(int(this_year) + 1), "effective_from": f"{int(this_year) + 1}-01", "note": "Năm sau"}
    form.update({f"weight_{row['source']}": row["weight"] for row in state.current})
    form.update({f"cap_{row['source']}": row["cap"] for row in state.current})
    f.run_handler(state, "save_criteria", form)
    assert state.error == "", state.error
    assert state.year == str(int(this_year) + 1)
    assert any(v.note == "Năm sau" for v in state.versions)
    f.run_handler(state, "set_year", this_year)
    assert state.year == this_year and not any(v.note == "Năm sau" for v in state.versions)


def test_the_year_box_has_a_handler(app_db):
    from engagement.scoring.pages import scoring_admin_page

    rendered = str(scoring_admin_page().render())
    year_box = rendered[rendered.index('name:"year"') - 600:rendered.index('name:"year"') + 600]
    assert "set_year" in year_box


# --- 11: the verify page shows a refusal once --------------------------------------------------


def test_a_refused_rejection_shows_once_in_its_dialog(app_db):
    from engagement.green.state import VerifyState

    state = f.app_state(app_db, VerifyState, "union.snv")
    f.run_handler(state, "load")
    assert state.rows, "the demo has activities waiting"
    f.run_handler(state, "open_reject", state.rows[0].id)
    toast = f.run_handler(state, "submit_reject", {"reason": "x"})
    assert "reason the member can act on" in state.reject_error
    assert state.error == "" and toast is None  # not also at the top, nor in a toast


# --- 8: the positions box takes several lines -------------------------------------------------


def test_the_positions_box_is_a_multi_line_box_with_its_counter(app_db):
    from engagement.commitments.pages import campaigns_page

    rendered = str(campaigns_page().render())
    at = rendered.index('name:"positions"')
    assert "RadixThemesTextArea" in rendered[at - 400:at]
    assert 'id:"campaign-create-positions-count"' in rendered


# --- 12: closing a campaign and rejecting a note ask first -------------------------------------


def test_closing_a_campaign_asks_first_and_then_closes(app_db):
    from engagement.commitments.state import CampaignsState

    state = f.app_state(app_db, CampaignsState, "officer")
    f.run_handler(state, "load")
    campaign = state.campaigns[0]
    f.run_handler(state, "ask_close", campaign.id)
    assert state.dialog == "close" and state.target_name == campaign.name
    with Session(app_db) as s:
        assert s.get(Campaign, campaign.id).closed_at is None  # asking closes nothing
    f.run_handler(state, "confirm_close")
    assert state.dialog == "" and state.dialog_error == ""
    with Session(app_db) as s:
        assert s.get(Campaign, campaign.id).closed_at is not None
    f.run_handler(state, "open_now", campaign.id)  # the way back
    with Session(app_db) as s:
        assert s.get(Campaign, campaign.id).closed_at is None


def test_a_unit_head_cannot_ask_to_close_a_campaign(app_db):
    from engagement.commitments.state import CampaignsState

    state = f.app_state(app_db, CampaignsState, "head.snv")
    f.run_handler(state, "load")
    f.run_handler(state, "ask_close", state.campaigns[0].id)
    assert state.dialog == ""


# --- 10: long texts are never cut by the browser; their boxes count ----------------------------


@pytest.mark.parametrize("page, counter", [("recognition_page", "give-message-count"),
                                           ("thanks_page", "thanks-note-count"),
                                           ("citizens_page", "thanks-reject-reason-count")])
def test_limited_boxes_show_their_counter_and_do_not_cut(app_db, page, counter):
    from engagement.recognition import pages

    rendered = str(getattr(pages, page)().render())
    assert f'id:"{counter}"' in rendered
    name = counter.split("-")[-2]
    at = rendered.index(f'name:"{name}"')
    assert "maxLength" not in rendered[at - 300:at + 300]


def test_an_over_long_recognition_message_is_refused_with_its_limit_not_cut(app_db):
    from engagement.recognition.state import RecognitionState

    state = f.app_state(app_db, RecognitionState, "staff")
    f.run_handler(state, "load")
    f.run_handler(state, "submit_give", {"message": "Cảm ơn " * 1875, "level": "thanks"})
    assert "at most 1000 characters, you typed 13125" in state.give_error


# --- small features: staff import from Excel, a template Excel opens in Vietnamese ---------------


class _Upload:
    """An uploaded file as Reflex hands it over: read in chunks to its end."""

    def __init__(self, data: bytes, filename: str) -> None:
        self.data, self.filename, self.at = data, filename, 0

    async def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at:end], min(end, len(self.data))
        return chunk


def test_staff_import_takes_an_excel_workbook(app_db):
    from engagement.org.models import Person
    from engagement.org.rules import IMPORT_COLUMNS
    from engagement.org.state import ImportState

    data, name = f.table_file([IMPORT_COLUMNS[:8], ("CB99001", "Trịnh Thị Ngọc Ánh", "Chuyên viên", "SNV-VP",
                                                    "anh.ttn@example.gov.vn", "0912000111", None, None)], xlsx=True)
    state = f.app_state(app_db, ImportState, "admin")
    _run(state, "upload", [_Upload(data, name)])  # the preview
    assert state.count_new == 1, (state.error, state.status)
    _run(state, "confirm", [_Upload(data, name)])
    assert state.created == 1, (state.error, state.status, state.errors)
    with Session(app_db) as s:
        assert s.exec(select(Person.full_name).where(Person.employee_code == "CB99001")).one() == \
            "Trịnh Thị Ngọc Ánh"


def test_the_import_template_starts_with_a_byte_order_mark_for_excel(app_db):
    from engagement.org.state import ImportState

    state = f.app_state(app_db, ImportState, "admin")
    spec = f.run_handler(state, "download_template")
    assert "77u/" in str(spec)  # base64 of EF BB BF, the UTF-8 byte-order mark
