"""Issue 17 §5: the signature chain (and the decision chain) catches every edit of a stored row,
even one re-hashed with the app's own functions, and the deletion of the newest record."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from engagement import cli
from engagement.commendations import decisions
from engagement.commendations import models as commend_models
from engagement.commitments import queries, service
from engagement.commitments.models import Signature
from engagement.core import chain
from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, Invalid
from engagement.core.files import StoredFile
from engagement.jobs import chains
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401
from tests.integration.test_commendations_decisions import _world as decision_world
from tests.integration.test_commendations_decisions import approved, decide

SCAN = f.png(size=(50, 50), color=(255, 255, 255))
OTHER_SCAN = f.png(size=(50, 50), color=(0, 0, 0))


def _chain(session: Session, now) -> dict:
    """Five signatures: two online, a collective one and its countersignature, a paper one with a scan."""
    org = f.small_org(session, now)
    officer = f.officer(session, org=org, now=now)
    head = f.user(session, org.admin, now, unit_id=org.a, username="head.a", role="unit_head", role_unit_id=org.a,
                  name="Đỗ Trưởng Phòng")
    chair = f.user(session, org.admin, now, unit_id=org.a, username="chair.a", role="union_officer",
                   branch_id=org.union_branch, name="Vũ Công Đoàn")
    staff = f.user(session, org.admin, now, unit_id=org.a1, username="staff.a1", name="Lê Thị Hoa")
    other = f.user(session, org.admin, now, unit_id=org.a, username="staff.a", name="Hồ Văn Bình")
    paper = f.person(session, org.admin, now, unit_id=org.a1, name="Ngô Thị Giấy")
    cid = f.commitment_campaign(session, actor=officer, now=now, unit_ids=[org.a], collective=True)
    f.signature(session, actor=staff, campaign_id=cid, now=now, pledges=["Trả lời trong 2 ngày"])
    f.collective_signature(session, actor=head, campaign_id=cid, unit_id=org.a, now=now, countersigner=chair)
    service.record_paper_signature(session, actor=officer, campaign_id=cid, person_id=paper,
                                   reason="Không có tài khoản", scan=SCAN, scan_name="scan",
                                   signed_on=f.iso_day(now, 0), now=now)
    f.signature(session, actor=other, campaign_id=cid, now=now + timedelta(minutes=5))
    session.commit()
    return {"org": org, "officer": officer, "other_person": other.person_id}


def _sigs(session: Session) -> list[Signature]:
    return list(session.exec(select(Signature).order_by(Signature.seq)))


def _update(session: Session, seq: int, **values) -> None:
    table = Signature.__table__
    session.execute(table.update().where(table.c.seq == seq).values(**values))


def _reseal_from(session: Session, seq: int) -> None:
    """What someone with write access and this code can do: re-hash the edited row and every row
    after it with the app's own functions (payload, chain hash, code)."""
    session.flush()
    session.expire_all()
    prev = session.exec(select(Signature.content_hash).where(Signature.seq == seq - 1)).first() or chain.GENESIS_HASH
    for sig in session.exec(select(Signature).where(Signature.seq >= seq).order_by(Signature.seq)):
        link = queries._links(session, select(Signature).where(Signature.id == sig.id))[0]
        digest = chain.chain_hash(prev, link.payload)
        _update(session, sig.seq, prev_hash=prev, content_hash=digest, code=digest[:16])
        prev = digest


def _scan_id(session: Session) -> int:
    return session.exec(select(Signature.scan_file_id).where(Signature.scan_file_id.is_not(None))).one()


#: The fifteen kinds of edit (issue 17 §5), each with what the report must say.
EDITS = {
    "typed_name": (lambda s, w: _update(s, 2, typed_name="Người Khác"), "#2 (", "hash mismatch"),
    "content": (lambda s, w: _update(s, 1, content="Một nội dung khác"), "#1 (", "hash mismatch"),
    "pledges": (lambda s, w: _update(s, 1, pledges_json='["Không cam kết gì"]'), "#1 (", "hash mismatch"),
    "signed_at": (lambda s, w: _update(s, 5, signed_at=_sigs(s)[4].signed_at - timedelta(days=40)), "#5 (",
                  "hash mismatch"),
    "person": (lambda s, w: _update(s, 1, person_id=w["other_person"]), "#1 (", "hash mismatch"),
    "on_time": (lambda s, w: _update(s, 5, on_time=False), "#5 (", "changed outside the application"),
    "paper_reason": (lambda s, w: _update(s, 4, paper_reason="Lý do khác"), "#4 (",
                     "changed outside the application"),
    "code": (lambda s, w: _update(s, 3, code="0123456789abcdef"), "#3 (0123456789abcdef)", "code was changed"),
    "recorded_by": (lambda s, w: _update(s, 4, recorded_by=None), "#4 (", "changed outside the application"),
    "scan_bytes": (lambda s, w: s.execute(StoredFile.__table__.update().where(StoredFile.id == _scan_id(s))
                                          .values(data=OTHER_SCAN)), "#4 (", "hash mismatch"),
    "scan_bytes_and_checksum": (
        lambda s, w: s.execute(StoredFile.__table__.update().where(StoredFile.id == _scan_id(s)).values(
            data=OTHER_SCAN, sha256=hashlib.sha256(OTHER_SCAN).hexdigest())), "#4 (", "hash mismatch"),
    "deleted_newest": (lambda s, w: s.execute(Signature.__table__.delete().where(Signature.seq == 5)),
                       "audit log", "the newest were deleted"),
    "deleted_middle": (lambda s, w: (s.execute(Signature.__table__.update().where(Signature.parent_id.is_not(None))
                                               .values(parent_id=None)),
                                     s.execute(Signature.__table__.delete().where(Signature.seq == 2))),
                       "#3 (", "missing"),
    "resealed_after_edit": (lambda s, w: (_update(s, 2, typed_name="Người Khác"), _reseal_from(s, 2)), "#2 (",
                            "changed outside the application"),
    "resealed_after_deleting_the_newest": (
        lambda s, w: (s.execute(Signature.__table__.delete().where(Signature.seq == 5)), _update(
            s, 4, paper_reason="Lý do khác"), _reseal_from(s, 4)), "#4 (", "changed outside the application"),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_every_kind_of_edit_is_caught(session, now, kind):
    world = _chain(session, now)
    with Session(session.get_bind()) as s:
        service.publish_chain_head(s, now=now)
        s.commit()
    before = queries.verify_chain(session)
    assert before.intact, before.breaks
    assert before.checked == 5
    edit, where, what = EDITS[kind]
    edit(session, world)
    session.commit()
    session.expire_all()
    report = queries.verify_chain(session)
    assert not report.intact
    assert any(where in line and what in line for line in report.breaks), report.breaks


def test_an_edit_checked_without_the_key_slips_through_where_the_seal_catches_it(session, now):
    """Why the seal: on_time is not in the hashed content of signatures written before issue 17."""
    _chain(session, now)
    _update(session, 5, on_time=False)
    session.commit()
    assert queries.verify_chain(session, key=None).intact
    assert not queries.verify_chain(session).intact


def test_a_signature_sealed_under_another_key_does_not_verify(session, now):
    _chain(session, now)
    assert not queries.verify_chain(session, key=b"another installation's key").intact


def test_the_public_verify_page_sees_a_resealed_edit(session, now):
    _chain(session, now)
    _update(session, 2, typed_name="Người Khác")
    _reseal_from(session, 2)
    session.commit()
    code = _sigs(session)[1].code
    assert queries.public_signature(session, reference=code).intact is False
    assert queries.public_signature(session, reference=_sigs(session)[0].code).intact is True


def test_an_altered_head_in_the_audit_log_is_reported(session, now):
    _chain(session, now)
    service.publish_chain_head(session, now=now)
    table = AuditEntry.__table__
    row = session.exec(select(AuditEntry).where(AuditEntry.action == "chain.head")).one()
    detail = json.loads(row.detail)
    detail["count"] = 4
    session.execute(table.update().where(table.c.id == row.id).values(detail=json.dumps(detail)))
    session.commit()
    report = queries.verify_chain(session)
    assert any("not sealed with this installation's key" in line for line in report.breaks)


def test_the_head_is_published_only_when_the_chain_grew_and_shown_with_the_report(session, now):
    _chain(session, now)
    assert service.publish_chain_head(session, now=now) is not None
    assert service.publish_chain_head(session, now=now) is None
    report = queries.verify_chain(session)
    assert report.intact and report.head.startswith("Last published head: 5 signatures, last hash ")
    assert _sigs(session)[-1].content_hash[:16] in report.head


def test_a_checkpoint_file_shows_what_was_deleted_with_its_audit_rows(session, now, tmp_path, capsys):
    """Deleting the newest signature AND the audit heads that counted it: the archived file still knows."""
    _chain(session, now)
    engine = session.get_bind()
    path = tmp_path / "checkpoint.json"
    data = chains.write_checkpoint(path, engine, now=now)
    assert data["signatures"]["count"] == 5
    session.execute(Signature.__table__.delete().where(Signature.seq == 5))
    session.execute(AuditEntry.__table__.delete().where(AuditEntry.action == "chain.head"))
    session.commit()
    session.expire_all()
    assert queries.verify_chain(session).intact  # nothing inside the database says so any more
    head = chains.read_checkpoint(path, "signatures")
    report = queries.verify_chain(session, checkpoint=head)
    assert report.breaks == ["checkpoint file: 4 signatures where the checkpoint of "
                             f"{head.at} counted 5: the newest were deleted"]


def test_a_file_that_is_not_a_checkpoint_gets_a_clear_message(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(Invalid, match="cannot be read"):
        chains.read_checkpoint(bad, "signatures")
    bad.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(Invalid, match="is not a chain checkpoint"):
        chains.read_checkpoint(bad, "signatures")


def test_signatures_from_before_seals_are_sealed_once(session, now):
    _chain(session, now)
    session.execute(Signature.__table__.update().where(Signature.seq <= 3).values(seal=""))
    session.commit()
    report = queries.verify_chain(session)
    assert [line.split(":")[0] for line in report.breaks] == [f"#{s.seq} ({s.code})" for s in _sigs(session)[:3]]
    assert all("not sealed" in line for line in report.breaks)
    assert service.seal_existing(session, now=now) == 3
    session.commit()
    assert queries.verify_chain(session).intact
    with pytest.raises(Conflict, match="only once"):
        service.seal_existing(session, now=now)


def test_a_broken_chain_is_not_sealed(session, now):
    _chain(session, now)
    session.execute(Signature.__table__.update().values(seal=""))
    _update(session, 1, typed_name="Người Khác")
    session.commit()
    with pytest.raises(Conflict, match="broken"):
        service.seal_existing(session, now=now)


def test_the_key_file_is_created_once_outside_the_database(tmp_path, monkeypatch):
    from engagement.settings import get_settings

    monkeypatch.setenv("ENGAGEMENT_CHAIN_KEY", "")
    monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.delenv("ENGAGEMENT_CHAIN_KEY_FILE", raising=False)
    get_settings.cache_clear()
    try:
        key = chain.chain_key()
        path = tmp_path / "chain.key"
        assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
        assert chain.chain_key() == key and len(key) == 64
    finally:
        get_settings.cache_clear()


# --- the decision chain -----------------------------------------------------------------------------


@pytest.mark.parametrize("tamper", ["resealed", "deleted_newest_with_its_counter", "seal_cleared"])
def test_the_decision_chain_catches_a_resealed_edit_and_a_deleted_newest_decision(session, now, tamper):
    w = decision_world(session, now)
    decide(session, w, [approved(session, w, "LDTT", now=now, person_id=w.an)], now=now, decided_on=date(2026, 2, 1))
    second = decide(session, w, [approved(session, w, "LDTT", now=now, person_id=w.binh)], now=now)
    decisions.publish_decision_head(session, now=now)
    session.commit()
    assert decisions.verify_decisions(session).ok
    table = commend_models.Decision.__table__
    if tamper == "resealed":
        from engagement.commendations import rules as commend_rules

        first, later = session.exec(select(commend_models.Decision).order_by(commend_models.Decision.id)).all()
        content = json.loads(first.content)
        content["signer_name"] = "Người Khác"
        payload = commend_rules.canonical_json(content)
        digest = chain.chain_hash(first.prev_hash, payload)
        session.execute(table.update().where(table.c.id == first.id).values(
            content=payload, content_hash=digest, signer_name="Người Khác"))
        session.execute(table.update().where(table.c.id == later.id).values(
            prev_hash=digest, content_hash=chain.chain_hash(digest, later.content)))
    elif tamper == "deleted_newest_with_its_counter":
        awards = commend_models.Award.__table__
        nominees = commend_models.Nominee.__table__
        gone = [a.award_id for a in second.awards]
        session.execute(nominees.update().where(nominees.c.award_id.in_(gone)).values(award_id=None))
        session.execute(awards.delete().where(awards.c.decision_id == second.id))
        session.execute(table.delete().where(table.c.id == second.id))
        counters = commend_models.DecisionCounter.__table__
        session.execute(counters.update().values(last=counters.c.last - 1))
    else:
        session.execute(table.update().values(seal=""))
    session.commit()
    session.expire_all()
    report = decisions.verify_decisions(session)
    assert not report.ok
    text = " ".join(report.breaks)
    expected = {"resealed": "changed outside the application", "deleted_newest_with_its_counter":
                "the newest were deleted", "seal_cleared": "not sealed"}[tamper]
    assert expected in text, report.breaks


def test_the_cli_compares_with_a_checkpoint_and_exits_non_zero(app_db, tmp_path, capsys):
    path = tmp_path / "cp.json"
    assert cli.main(["chain-checkpoint", str(path)]) == 0
    assert cli.main(["verify-signatures", "--checkpoint", str(path)]) == 0
    assert cli.main(["verify-decisions", "--checkpoint", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Checkpoint written to" in out and "Signature chain intact" in out and "Decision chain intact" in out
    data = json.loads(path.read_text(encoding="utf-8"))
    data["signatures"]["count"] += 1  # a forged checkpoint
    Path(path).write_text(json.dumps(data), encoding="utf-8")
    assert cli.main(["verify-signatures", "--checkpoint", str(path)]) == 2
    assert "not sealed with this installation's key" in capsys.readouterr().out
    assert cli.main(["verify-signatures", "--checkpoint", str(tmp_path / "missing.json")]) == 1


def test_the_officers_verify_shows_the_published_head(app_db):
    from engagement.commitments.state import CampaignsState
    from engagement.core import clock
    from engagement.core.db import unit_of_work

    with unit_of_work(app_db) as s:
        head = service.publish_chain_head(s, now=clock.now(), force=True)
    state = f.app_state(app_db, CampaignsState, "officer")
    f.run_handler(state, "verify_chain")
    assert state.chain_ok
    assert f"Last published head: {head.count} signatures, last hash {head.last_hash[:16]}" in state.chain_message


def test_the_hourly_job_publishes_each_head_once_it_changed(session, now):
    from engagement.jobs import runner

    _chain(session, now)
    engine = session.get_bind()
    assert runner.run_job("chain-heads", holder="t", engine=engine, now_fn=lambda: now, require_lease=False) == 2
    assert runner.run_job("chain-heads", holder="t", engine=engine, now_fn=lambda: now, require_lease=False) == 0
    heads = session.exec(select(AuditEntry.entity, AuditEntry.entity_id).where(AuditEntry.action == "chain.head")
                         .order_by(AuditEntry.id)).all()
    assert heads == [("signatures", "5"), ("decisions", "0")]
