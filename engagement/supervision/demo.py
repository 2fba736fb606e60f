"""Demo data: two quarters of spot checks (2026 Q3 and Q4) with a believable history.

Everything goes through the services, each call at the moment it would have happened (a plan
created on the quarter's first day and drawn by the scheduler's rule with a seeded draw, each
visit recorded on its day), so every rule, audit entry, corrective action and points-ledger
entry is the real one. The officer and the union officer of Sở Nội vụ are the team; ad-hoc
visits make sure the demo's staff logins (``staff``, ``staff2``) have findings to read and
explain, and the heads (``head.snv``, ``head.tanlap``) actions to close: open, overdue, done and
withdrawn after a correction.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlmodel import Session, func, select

from engagement.core.access import Actor
from engagement.core.errors import Conflict
from engagement.org import sessions as org_sessions
from engagement.org.demo import DEMO_PASSWORD
from engagement.org.models import Membership, Unit
from engagement.settings import get_settings
from engagement.supervision import dto, models, queries, rules, service
from engagement.supervision.service import FindingInput

#: The units the plans visit (by code): offices and one-stop centres, none the team works in.
PLAN_UNITS = ("SNV-VP", "STC-VP", "STC-NS", "SYT-VP", "STP-VP", "SCT-VP", "TANLAP-TTHCC", "HOABINH-TTHCC",
              "PHUMY-TTHCC")
#: What the team saw, by item, for the failures the demo records.
NOTES = {
    "gio-lam-viec": "Đến cơ quan lúc 7 giờ 55, muộn 25 phút",
    "trang-phuc": "Không đeo thẻ công chức khi tiếp công dân",
    "4-xin-4-luon": "Chưa chào hỏi người dân khi tiếp nhận hồ sơ",
    "khong-hut-thuoc": "Hút thuốc lá ở hành lang tầng 2",
    "viec-rieng": "Xem video trên điện thoại trong giờ làm việc",
    "xanh-sach-dep": "Hồ sơ để trên sàn, bàn làm việc bừa bộn",
}


def _login(session: Session, username: str, now: datetime) -> Actor:
    result = org_sessions.login(session, username=username, password=DEMO_PASSWORD, client_ip="127.0.0.1",
                                user_agent="engagement seed-demo", now=now)
    actor = org_sessions.resolve_actor(session, token=result.token, now=now) if result.ok else None
    if actor is None:
        raise Conflict("The demo login {name} could not log in: {reason}", name=username, reason=result.message)
    return actor


def _backdate_memberships(session: Session, day: date) -> None:
    """The demo organisation is seeded today but has worked since ``day``: each person's only
    membership starts then, so the people of a unit at a past visit are the unit's people."""
    single = select(Membership.person_id).group_by(Membership.person_id).having(func.count() == 1)
    session.execute(sa.update(Membership).where(Membership.person_id.in_(single), Membership.end_at.is_(None),
                                                Membership.start_at > _at(day, 0))
                    .values(start_at=_at(day, 0)).execution_options(synchronize_session=False))


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=get_settings().tz).astimezone(UTC)


def _record(session: Session, *, actor: Actor, visit: models.Visit, rng: random.Random,
            fail_rate: float, must_fail: dict[int | None, str] | None = None) -> dto.VisitResult:
    """Record a visit with up to four people present and a few failures (``must_fail``: person -> item)."""
    must_fail = must_fail or {}
    when = _at(visit.scheduled_on, 10)
    members = queries.members_at(session, visit.unit_id, queries.midday(visit.scheduled_on))
    present = [m.id for m in members[:4]]
    items = queries.checklist_items(session.get(models.Checklist, visit.checklist_id))
    findings = []
    for item in items:
        subjects = [None] if item.scope == rules.UNIT else present
        for subject in subjects:
            failed = must_fail.get(subject) == item.key or rng.random() < fail_rate
            result = rules.FAIL if failed else (rules.NA if item.key == "4-xin-4-luon" and rng.random() < 0.3
                                                 else rules.PASS)
            findings.append(FindingInput(item_key=item.key, person_id=subject, result=result,
                                         note=NOTES[item.key] if failed and item.key in NOTES else
                                         ("Không đạt yêu cầu" if failed else "")))
    return service.record_visit(session, actor=actor, visit_id=visit.id, present=present, findings=findings,
                                note="Kiểm tra đột xuất", now=when)


def seed_demo(session: Session, *, now: datetime) -> dict[str, int]:
    """Add the spot-check slice to the demo organisation (after the org seed). Nothing when the
    demo is loaded before the third quarter of 2026 (its history would be in the future).

    Returns:
        Counts of what was created.
    """
    today = queries.today_of(now)
    q3_start = date(2026, 7, 1)
    if today < date(2026, 7, 15):
        return {}
    rng = random.Random(2026)  # noqa: S311 (demo data, not secrets)
    _backdate_memberships(session, date(2026, 1, 1))
    officer = _login(session, "officer", _at(q3_start, 8))
    union = _login(session, "union.snv", _at(q3_start, 8))
    staff = _login(session, "staff", _at(q3_start, 8))
    head_snv = _login(session, "head.snv", _at(q3_start, 8))
    service.ensure_default_checklist(session, actor=officer, now=_at(q3_start, 8))
    units = {u.code: u.id for u in session.exec(select(Unit).where(Unit.code.in_(PLAN_UNITS)))}
    team = [officer.person_id, union.person_id]
    recorded = 0
    for name, period, start, count in (("Kiểm tra văn hoá công sở quý III/2026", "2026-Q3", q3_start, 6),
                                       ("Kiểm tra văn hoá công sở quý IV/2026", "2026-Q4", date(2026, 10, 1), 6)):
        if today < start:
            continue
        plan_id = service.create_plan(session, actor=officer, name=name, period=period, visits=count,
                                      unit_ids=list(units.values()), team_ids=team, now=_at(start, 8))
        service.draw_plan(session, plan_id=plan_id, rng=rng, now=_at(start, 9))
        for visit in session.exec(select(models.Visit).where(models.Visit.plan_id == plan_id)
                                  .order_by(models.Visit.scheduled_on, models.Visit.id)).all():
            if visit.scheduled_on > today:
                continue  # still to come: only the team sees it
            _record(session, actor=officer, visit=visit, rng=rng, fail_rate=0.12)
            recorded += 1
    # Ad-hoc follow-ups where the demo logins work, so each of them has something to do.
    staff_visit = service.schedule_visit(session, actor=officer, unit_id=units["SNV-VP"], on=date(2026, 9, 15),
                                         inspector_ids=[officer.person_id], now=_at(date(2026, 9, 14), 16))
    _record(session, actor=officer, visit=session.get(models.Visit, staff_visit), rng=rng, fail_rate=0.0,
            must_fail={staff.person_id: "trang-phuc", None: "xanh-sach-dep"})
    recorded += 1
    mine = [r for r in queries.my_findings(session, actor=staff, today=date(2026, 9, 15)) if r.result == rules.FAIL]
    if mine:
        service.respond(session, actor=staff, finding_id=mine[0].id,
                        text="Hôm đó tôi để quên thẻ ở nhà; từ nay tôi sẽ đeo thẻ đầy đủ.", now=_at(date(2026, 9, 16)))
    # The office's own action is done; a second visit later finds the same failure again (a repeat).
    for row in queries.unit_actions(session, actor=head_snv, today=date(2026, 9, 20)):
        if row.may_confirm and row.item.startswith("Phòng làm việc"):
            service.confirm_action(session, actor=head_snv, action_id=row.id, note="Đã sắp xếp lại hồ sơ, tủ tài liệu",
                                   now=_at(date(2026, 9, 22)))
    if today >= date(2026, 11, 10):
        again = service.schedule_visit(session, actor=officer, unit_id=units["SNV-VP"], on=date(2026, 11, 10),
                                       inspector_ids=[officer.person_id], now=_at(date(2026, 11, 9), 16))
        _record(session, actor=officer, visit=session.get(models.Visit, again), rng=rng, fail_rate=0.0,
                must_fail={None: "xanh-sach-dep"})
        recorded += 1
    counter = service.schedule_visit(session, actor=officer, unit_id=units["TANLAP-TTHCC"], on=date(2026, 10, 20),
                                     inspector_ids=[union.person_id], now=_at(date(2026, 10, 19), 16))
    _record(session, actor=union, visit=session.get(models.Visit, counter), rng=rng, fail_rate=0.0,
            must_fail={m.id: "4-xin-4-luon" for m in queries.members_at(
                session, units["TANLAP-TTHCC"], queries.midday(date(2026, 10, 20)))[:2]})
    recorded += 1
    # An explanation upheld: the officer corrects one failure at the centre (its action is withdrawn).
    failed = session.exec(select(models.Finding).where(models.Finding.visit_id == counter,
                                                       models.Finding.result == rules.FAIL)
                          .order_by(models.Finding.id)).first()
    if failed is not None:
        service.correct_finding(session, actor=officer, finding_id=failed.id, result=rules.PASS,
                                reason="Công dân xác nhận đã được chào hỏi, hướng dẫn tận tình",
                                now=_at(date(2026, 10, 22)))
    return {"spot_check_visits": recorded,
            "corrective_actions": len(session.exec(select(models.Action.id)).all())}
