"""The public thanks page's proof of work (issue 18 §2): an ALTCHA challenge signed by the server,
solved by the browser, accepted once and only before it expires. The question-and-answer path is gone.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
from datetime import timedelta

import altcha
import pytest
from sqlmodel import Session, func, select

from engagement.core.db import run_in_transaction
from engagement.core.errors import Invalid
from engagement.jobs import cleanup
from engagement.recognition import rules, service
from engagement.recognition.models import CitizenThanks, ThanksLink, ThanksProof
from tests import factories as f


@pytest.fixture
def token(session, now):
    org = f.recognition_org(session, now=now)
    token = f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)
    session.commit()
    return token


def _refusal(session, token, now, proof, dossier="HS-2026-0009") -> Invalid:
    with pytest.raises(Invalid) as caught:
        f.citizen_thanks(session, token=token, now=now, proof=proof, dossier=dossier)
    assert service.PROOF_FIELD in caught.value.raw_fields  # the page starts a new check on this field
    return caught.value


def _tampered(proof: str, **changes) -> str:
    data = json.loads(base64.b64decode(proof))
    return base64.b64encode(json.dumps({**data, **changes}).encode()).decode()


def test_a_solved_challenge_is_accepted_and_spent(session, token, now):
    proof = f.thanks_proof(session, now=now)
    assert f.citizen_thanks(session, token=token, now=now, proof=proof) == "approved"
    assert session.exec(select(func.count()).select_from(ThanksProof)).one() == 1


def test_a_reused_proof_is_refused(session, token, now):
    proof = f.thanks_proof(session, now=now)
    f.citizen_thanks(session, token=token, now=now, proof=proof, dossier="HS-2026-0001")
    refused = _refusal(session, token, now + timedelta(minutes=1), proof, dossier="HS-2026-0002")
    assert "already used" in refused.message
    assert session.exec(select(func.count()).select_from(CitizenThanks)).one() == 1


def test_a_wrong_number_is_refused(session, token, now):
    proof = f.thanks_proof(session, now=now)
    number = json.loads(base64.b64decode(proof))["number"]
    assert "failed" in _refusal(session, token, now, _tampered(proof, number=number + 1)).message


def test_an_expired_proof_is_refused(session, token, now):
    proof = f.thanks_proof(session, now=now)
    late = now + rules.POW_TTL + timedelta(seconds=1)
    assert "open too long" in _refusal(session, token, late, proof).message


def test_a_challenge_signed_with_another_key_is_refused(session, token, now):
    forged = altcha.create_challenge_v1(hmac_key="guessed-key", max_number=500, expires=now + timedelta(minutes=5))
    assert "failed" in _refusal(session, token, now, rules.solve_proof(forged.to_dict())).message


def test_a_longer_expiry_spliced_into_the_salt_is_refused(session, token, now):
    proof = f.thanks_proof(session, now=now)
    data = json.loads(base64.b64decode(proof))
    far = int((now + timedelta(days=30)).timestamp())
    assert "failed" in _refusal(session, token, now, _tampered(proof, salt=data["salt"] + f"expires={far}&")).message


def test_a_missing_or_garbled_proof_is_refused(session, token, now):
    for proof in ("", "nonsense", "e30="):  # e30= is {}
        assert "not finished" in _refusal(session, token, now, proof).message


def test_the_question_and_answer_path_is_gone():
    params = inspect.signature(service.submit_thanks).parameters
    assert "proof" in params and "answer" not in params and "expected" not in params
    assert not hasattr(rules, "challenge")


def test_a_refusal_after_the_check_does_not_spend_the_proof(engine, session, token, now):
    proof = f.thanks_proof(session, now=now)
    session.commit()

    def rate(dossier: str):
        return run_in_transaction(lambda s: f.citizen_thanks(s, token=token, now=now, proof=proof, dossier=dossier),
                                  engine)

    with pytest.raises(Invalid, match="dossier"):
        rate("?")  # a mistyped dossier number: the whole transaction, the spending included, rolls back
    assert rate("HS-2026-0005") == "approved"  # the same proof, without a new check
    with pytest.raises(Invalid, match="already used"):
        rate("HS-2026-0006")


def test_the_cleanup_job_forgets_expired_proofs(engine, session, token, now):
    f.citizen_thanks(session, token=token, now=now, dossier="HS-2026-0001")
    f.citizen_thanks(session, token=token, now=now + timedelta(minutes=10), dossier="HS-2026-0002",
                     client_ip="203.0.113.6")
    session.commit()
    report = cleanup.cleanup(engine, now=now + rules.POW_TTL + timedelta(minutes=1), retention_days=30)
    assert report.proofs == 1
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(ThanksProof)).one() == 1


@pytest.fixture
def app_db(app_db):
    """The demo organisation with its recognition demo (thanks links, ratings)."""
    from engagement.core import clock
    from engagement.recognition.demo import seed_demo

    with Session(app_db) as s:
        seed_demo(s, now=clock.now())
        s.commit()
    return app_db


def _drive(state, name, *args):
    """Run a handler as the browser would; an async generator's yielded events are returned."""
    result = type(state).event_handlers[name].fn(state, *args)
    if inspect.isasyncgen(result):
        async def go():
            return [event async for event in result]
        return asyncio.run(go())
    return asyncio.run(result) if inspect.iscoroutine(result) else result


def _citizen(app_db, ip: str = "198.51.100.4"):
    from reflex.istate.data import RouterData
    from reflex.state import State

    from engagement.recognition.state import ThanksState

    with Session(app_db) as s:
        link = s.exec(select(ThanksLink.token).where(ThanksLink.is_active.is_(True))).first()
    citizen = State(_reflex_internal_init=True).get_substate(ThanksState.get_full_name().split(".")[1:])
    citizen.router = RouterData.from_router_data({
        "headers": {"asgi-scope-client": ip}, "ip": ip,
        "pathname": "/thanks/[thanks_token]", "query": {"thanks_token": link}})
    return citizen


def _app_proof(app_db) -> str:
    from engagement.core import clock

    with Session(app_db) as s:
        proof = f.thanks_proof(s, now=clock.now())
        s.commit()
    return proof


def test_the_page_solves_then_sends_and_a_refused_check_starts_again_keeping_the_form(app_db):
    citizen = _citizen(app_db)
    started = _drive(citizen, "load")
    assert citizen.found and citizen.pow_state == "working"
    assert "engagementPow.solve" in str(started) and f'"maxNumber": {rules.POW_MAX_NUMBER}' in str(started)

    form = {"attitude": "5", "timeliness": "4", "guidance": "5", "note": "", "dossier": "HS-2026-0042"}
    _drive(citizen, "submit", form)  # before the browser has finished
    assert "not finished" in citizen.error and citizen.error_fields.get(service.PROOF_FIELD)

    proof = _app_proof(app_db)
    _drive(citizen, "proof_ready", proof)
    assert citizen.pow_state == "done"
    _drive(citizen, "submit", {**form, "dossier": "?"})  # a typo: refused, the proof kept (not spent)
    assert "dossier" in citizen.error and citizen.pow_state == "done" and not citizen.done
    _drive(citizen, "submit", form)
    assert citizen.done and citizen.error == ""

    again = _citizen(app_db, ip="198.51.100.5")
    _drive(again, "load")
    _drive(again, "proof_ready", proof)  # a replay of the spent proof
    restarted = _drive(again, "submit", {**form, "dossier": "HS-2026-0043"})
    assert "already used" in again.error and not again.done
    assert again.pow_state == "working" and any("engagementPow.solve" in str(e) for e in restarted)


def test_a_solver_that_could_not_run_offers_to_check_again(app_db):
    citizen = _citizen(app_db)
    _drive(citizen, "load")
    _drive(citizen, "proof_ready", "")
    assert citizen.pow_state == "failed"
    assert "engagementPow.solve" in str(_drive(citizen, "new_check")) and citizen.pow_state == "working"
    _drive(citizen, "proof_ready", {"not": "a string"})
    assert citizen.pow_state == "failed"
