"""Builders for test data, going through the real services where they exist, so the rules hold.

One section a feature: organisation, commitments, recognition, green office, scoring, notify;
then the readers tests use to look at what a service or a job wrote, and time helpers.

The org builders of the first hour (``admin`` to ``small_org``) take ``(session, actor, now)``
positionally; every later builder is keyword-only after the session, defaults what a test does
not care about and returns the id or DTO its service returns. Nothing here commits: a test
commits when it wants the rows seen by a job or another thread.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engagement.commitments import service as commitments
from engagement.commitments.models import Campaign as CommitmentCampaign
from engagement.commitments.models import CommitmentTemplate
from engagement.core import clock
from engagement.core.access import Actor, Role
from engagement.core.security import hash_password, new_token
from engagement.green import service as green
from engagement.green.models import Action
from engagement.notify import rules as notify_rules
from engagement.notify import service as notify_service
from engagement.notify.dto import DeliveryReport
from engagement.notify.mail import SmtpSender
from engagement.notify.models import NotifyPreference, OutboxMessage
from engagement.org import service, sessions
from engagement.org.dto import LoginResult
from engagement.org.models import Account, Person, Unit
from engagement.recognition import rules as recognition_rules
from engagement.recognition import service as recognition_service
from engagement.recognition.dto import Given
from engagement.recognition.models import RecognitionValue, ThanksLink
from engagement.scoring import service as scoring
from engagement.scoring.models import PointEntry
from engagement.scoring.rules import Source
from engagement.settings import get_settings

T = TypeVar("T")
_seq = itertools.count(1)
PASSWORD = "correct horse battery"
#: A recognition message the rules accept (long enough, says what was done).
RECOGNITION_MESSAGE = "Chị đã hướng dẫn tận tình cho người dân làm hồ sơ đất đai, giảm một lần đi lại."


# --- organisation ------------------------------------------------------------------------------


def login(session: Session, username: str, password: str = PASSWORD, *, now: datetime,
          client_ip: str = "127.0.0.1", user_agent: str = "pytest") -> LoginResult:
    """Try to log in (the result says whether it worked; nothing is asserted)."""
    return sessions.login(session, username=username, password=password, client_ip=client_ip,
                          user_agent=user_agent, now=now)


def admin(session: Session, now: datetime) -> Actor:
    """Bootstrap an org (root unit ROOT) with a system admin and return the admin actor."""
    service.bootstrap_admin(
        session, username="admin", password=PASSWORD, full_name="Quản Trị Viên",
        employee_code="ADM001", unit_name="Tỉnh Thử Nghiệm", unit_code="ROOT", now=now,
    )
    return actor_for(session, "admin", now)


def actor_for(session: Session, username: str, now: datetime) -> Actor:
    """Log in as ``username`` (password ``PASSWORD``) and return the resolved actor."""
    result = login(session, username, now=now)
    assert result.ok, result.message
    actor = sessions.resolve_actor(session, token=result.token, now=now)
    assert actor is not None
    return actor


def unit(session: Session, actor: Actor, now: datetime, *, parent_id: int | None, name: str | None = None,
         code: str | None = None, kind: str = "office") -> int:
    """Create a unit through the service."""
    n = next(_seq)
    return service.create_unit(session, actor=actor, name=name or f"Đơn vị {n}",
                               code=code or f"U{n:04d}", kind=kind, parent_id=parent_id, now=now)


def person(session: Session, actor: Actor, now: datetime, *, unit_id: int, name: str | None = None,
           code: str | None = None, **extra: object) -> int:
    """Create a person through the service (``extra``: email, phone, union_branch_id, ...)."""
    n = next(_seq)
    return service.create_person(session, actor=actor, employee_code=code or f"E{n:05d}",
                                 full_name=name or "Nguyễn Văn An", position="Chuyên viên",
                                 unit_id=unit_id, now=now, **extra)


def user(session: Session, actor: Actor, now: datetime, *, unit_id: int, username: str,
         role: str | None = None, role_unit_id: int | None = None, branch_id: int | None = None,
         name: str = "Trần Thị Bình", **extra: object) -> Actor:
    """A person with an account (password ``PASSWORD``), optionally a role; returns their actor.

    ``extra`` goes to the person (email, union_branch_id, ...)."""
    pid = person(session, actor, now, unit_id=unit_id, name=name, **extra)
    created = service.create_account(session, actor=actor, person_id=pid, username=username, now=now)
    account = session.get(Account, created.account_id)
    account.password_hash = hash_password(PASSWORD)
    account.must_change_password = False
    session.add(account)
    session.flush()
    if role:
        service.grant_role(session, actor=actor, account_id=created.account_id, role=role,
                           unit_id=role_unit_id, branch_id=branch_id, now=now)
    return actor_for(session, username, now)


def token() -> str:
    """A random token, for tests that need one that matches nothing."""
    return new_token()


@dataclass
class SmallOrg:
    """ROOT ─┬─ A (Phòng Tổ chức, branches CD-A and DT-A) ── A1 (Tổ Nhân sự)
             └─ B (Phòng Tài chính)
    """

    admin: Actor
    root: int
    a: int
    a1: int
    b: int
    union_branch: int
    youth_branch: int


def _small(base: SmallOrg) -> dict[str, Any]:
    return {field.name: getattr(base, field.name) for field in fields(SmallOrg)}


def small_org(session: Session, now: datetime) -> SmallOrg:
    """The small tree most org tests start from, with an admin."""
    admin_actor = admin(session, now)
    root = session.exec(select(Unit.id).where(Unit.code == "ROOT")).one()
    a = unit(session, admin_actor, now, parent_id=root, name="Phòng Tổ chức", code="A")
    a1 = unit(session, admin_actor, now, parent_id=a, name="Tổ Nhân sự", code="A1")
    b = unit(session, admin_actor, now, parent_id=root, name="Phòng Tài chính", code="B")
    union_branch = service.create_branch(session, actor=admin_actor, kind="union", code="CD-A",
                                         name="Công đoàn Phòng Tổ chức", unit_id=a, now=now)
    youth_branch = service.create_branch(session, actor=admin_actor, kind="youth", code="DT-A",
                                         name="Chi đoàn Phòng Tổ chức", unit_id=a, now=now)
    return SmallOrg(admin=admin_actor, root=root, a=a, a1=a1, b=b, union_branch=union_branch,
                    youth_branch=youth_branch)


@dataclass
class StaffOrg(SmallOrg):
    """The small org with the people who approve things and a member in each of A and B."""

    member: Actor  # nv.a, Nguyễn Thị Mai: unit A, union branch CD-A
    verifier: Actor  # cd.a, Đỗ Minh Quân: union officer of CD-A, unit A, in CD-A
    head_a: Actor  # head.a, Vũ Thanh Sơn: unit head of A
    head_b: Actor  # head.b, Hồ Thị Lan: unit head of B
    clerk: Actor  # nv.b, Phạm Thu Hà: unit B, no branch


def officer(session: Session, *, org: SmallOrg, now: datetime, username: str = "officer",
            name: str = "Phạm Thi Đua") -> Actor:
    """An emulation officer (organisation-wide) sitting in the root unit."""
    return user(session, org.admin, now, unit_id=org.root, username=username, name=name,
                role=Role.EMULATION_OFFICER)


def staff_org(session: Session, *, now: datetime) -> StaffOrg:
    """``small_org`` with a member, a union officer, the heads of A and B, and a clerk in B."""
    o = small_org(session, now)
    return StaffOrg(
        **_small(o),
        member=user(session, o.admin, now, unit_id=o.a, username="nv.a", name="Nguyễn Thị Mai",
                    union_branch_id=o.union_branch),
        verifier=user(session, o.admin, now, unit_id=o.a, username="cd.a", name="Đỗ Minh Quân",
                      role=Role.UNION_OFFICER, branch_id=o.union_branch, union_branch_id=o.union_branch),
        head_a=user(session, o.admin, now, unit_id=o.a, username="head.a", name="Vũ Thanh Sơn",
                    role=Role.UNIT_HEAD, role_unit_id=o.a),
        head_b=user(session, o.admin, now, unit_id=o.b, username="head.b", name="Hồ Thị Lan",
                    role=Role.UNIT_HEAD, role_unit_id=o.b),
        clerk=user(session, o.admin, now, unit_id=o.b, username="nv.b", name="Phạm Thu Hà"),
    )


# --- commitments -------------------------------------------------------------------------------


def iso_day(moment: datetime, days: int = 0) -> str:
    """The organisation's calendar day ``days`` after ``moment``, as YYYY-MM-DD."""
    return (moment + timedelta(days=days)).astimezone(get_settings().tz).date().isoformat()


def commitment_templates(session: Session, *, actor: Actor, now: datetime) -> tuple[int, int]:
    """The default personal and collective templates (published once); their ids."""
    return commitments.ensure_default_templates(session, actor=actor, now=now)


def commitment_campaign(session: Session, *, actor: Actor, now: datetime, unit_ids: Sequence[int],
                        name: str = "Cam kết 2026", year: int = 2026, opens_on: str | int = 0,
                        due_on: str | int = 30, template_id: int | None = None, collective: bool = False,
                        **kw: Any) -> int:
    """A campaign for ``unit_ids`` on the default personal template (or ``template_id``).

    Args:
        actor: an emulation officer or admin.
        opens_on, due_on: YYYY-MM-DD, or a number of days after ``now`` (default: opens today, due
            in 30 days).
        collective: also ask units for the default collective commitment.
        kw: allow_late, late_until_on, positions.
    """
    personal = coll = None
    if template_id is None or collective:
        personal, coll = commitment_templates(session, actor=actor, now=now)
    return commitments.create_campaign(
        session, actor=actor, year=year, name=name, template_id=template_id or personal,
        collective_template_id=coll if collective else None, unit_ids=list(unit_ids),
        opens_on=_day(opens_on, now), due_on=_day(due_on, now), now=now, **kw)


def _day(value: str | int, now: datetime) -> str:
    return iso_day(now, value) if isinstance(value, int) else value


def _clause_count(session: Session, campaign_id: int, collective: bool = False) -> int:
    c = session.get(CommitmentCampaign, campaign_id) if isinstance(campaign_id, int) else None
    template_id = (c.collective_template_id if collective else c.template_id) if c else None
    template = session.get(CommitmentTemplate, template_id) if template_id else None
    return len(json.loads(template.clauses_json)) if template else 0


def signature(session: Session, *, actor: Actor | None, campaign_id: int, now: datetime,
              password: str = PASSWORD, typed_name: str | None = None, ticked: list[int] | None = None,
              pledges: Sequence[str] = (), client_ip: str = "10.0.0.1",
              user_agent: str = "pytest", expect_refusal: bool = False) -> Any:
    """``actor`` signs their commitment online, every clause of the campaign's template ticked.

    A password refusal comes back from the service as data; a factory that silently returned it
    would let a setup go on without the signature, so it raises instead, unless the test says it
    expects the refusal (``expect_refusal``: then anything else raises).
    """
    return _signed(expect_refusal, commitments.sign(
        session, actor=actor, campaign_id=campaign_id,
        ticked=list(range(1, _clause_count(session, campaign_id) + 1)) if ticked is None else ticked,
        pledges=list(pledges), typed_name=typed_name if typed_name is not None else actor.full_name if actor else "",
        password=password, client_ip=client_ip, user_agent=user_agent, now=now))


def _signed(expect_refusal: bool, result: Any) -> Any:
    refused = isinstance(result, commitments.PasswordRefused)
    if refused != expect_refusal:
        raise AssertionError(f"expected a password refusal, got {result!r}" if expect_refusal
                             else f"the signature was refused: {result.message}")
    return result


def collective_signature(session: Session, *, actor: Actor, campaign_id: int, unit_id: int, now: datetime,
                         countersigner: Actor | None = None, password: str = PASSWORD, client_ip: str = "",
                         user_agent: str = "", expect_refusal: bool = False) -> Any:
    """A unit head signs the unit's collective commitment (every clause), and ``countersigner``
    (the union chair) countersigns it when given; the head's signature."""
    head = _signed(expect_refusal, commitments.sign_collective(
        session, actor=actor, campaign_id=campaign_id, unit_id=unit_id,
        ticked=list(range(1, _clause_count(session, campaign_id, collective=True) + 1)),
        typed_name=actor.full_name, password=password, client_ip=client_ip, user_agent=user_agent, now=now))
    if countersigner is not None:
        _signed(False, commitments.countersign(session, actor=countersigner, signature_id=head.id,
                                        typed_name=countersigner.full_name, password=password,
                                        client_ip=client_ip, user_agent=user_agent, now=now))
    return head


# --- recognition -------------------------------------------------------------------------------


def recognition_value(session: Session, *, now: datetime, code: str = "service") -> int:
    """The id of a value of the default catalogue (installed if missing)."""
    recognition_service.install_default_values(session, now=now)
    return session.exec(select(RecognitionValue.id).where(RecognitionValue.code == code)).one()


def recognition(session: Session, *, actor: Actor | None, now: datetime, to: Sequence[int] = (),
                unit_id: int | None = None, level: str = "thanks", message: str = RECOGNITION_MESSAGE,
                value_ids: Sequence[int] | None = None, **kw: Any) -> Given:
    """``actor`` recognises the people ``to`` (or the unit ``unit_id``) for the "service" value.

    ``kw``: is_private, work_ref."""
    values = [recognition_value(session, now=now)] if value_ids is None else list(value_ids)
    return recognition_service.give(session, actor=actor, person_ids=list(to), unit_id=unit_id, message=message,
                            value_ids=values, level=level, now=now, **kw)


@dataclass
class RecognitionOrg(SmallOrg):
    """The small org with the default values, a giver in A, a taker in B and B's head."""

    giver: Actor  # giver, Lê Văn Tặng: unit A
    taker: Actor  # taker, Phạm Thị Nhận: unit B
    head_b: Actor  # headb, Đỗ Trưởng B: unit head of B
    value: int  # the "service" value


def recognition_org(session: Session, *, now: datetime, taker_email: str | None = None) -> RecognitionOrg:
    """``small_org`` ready for recognition: values installed, someone to give and someone to receive."""
    o = small_org(session, now)
    value = recognition_value(session, now=now)
    return RecognitionOrg(
        **_small(o), value=value,
        giver=user(session, o.admin, now, unit_id=o.a, username="giver", name="Lê Văn Tặng"),
        taker=user(session, o.admin, now, unit_id=o.b, username="taker", name="Phạm Thị Nhận",
                   email=taker_email),
        head_b=user(session, o.admin, now, unit_id=o.b, username="headb", name="Đỗ Trưởng B",
                    role=Role.UNIT_HEAD.value, role_unit_id=o.b),
    )


def thanks_token(session: Session, *, actor: Actor, person_id: int, now: datetime) -> str:
    """The token of the person's citizens' thanks link, the links of their unit made by ``actor``
    (a head of that unit) if they do not exist yet."""
    recognition_service.ensure_unit_links(session, actor=actor, unit_id=session.get(Person, person_id).unit_id, now=now)
    return session.exec(select(ThanksLink.token).where(ThanksLink.person_id == person_id,
                                                       ThanksLink.is_active.is_(True))).one()


def thanks_proof(session: Session, *, now: datetime) -> str:
    """A solved proof-of-work challenge of the public thanks page, as a browser would send it
    (an easy challenge: the server's difficulty is its own choice, the check is the same)."""
    return recognition_rules.solve_proof(recognition_service.thanks_challenge(session, now=now, max_number=2000))


def citizen_thanks(session: Session, *, token: str, now: datetime, note: str = "", rating: int = 5,
                   dossier: str = "HS-2026-0001", proof: str | None = None, client_ip: str = "203.0.113.5",
                   device_token: str = "") -> str:
    """A citizen rates a service through the link ``token``: ``approved``, or ``pending`` with a note.

    ``proof`` is a fresh solved challenge unless given."""
    return recognition_service.submit_thanks(
        session, token=token, attitude=rating, timeliness=rating, guidance=rating, note=note, dossier=dossier,
        proof=thanks_proof(session, now=now) if proof is None else proof, client_ip=client_ip, now=now,
        device=recognition_service.device_ref(device_token))


# --- green office ------------------------------------------------------------------------------


def green_campaign(session: Session, *, actor: Actor, now: datetime, name: str = "Công sở xanh 2026",
                   kind: str = "green", starts_on: date | None = date(2026, 2, 1),
                   ends_on: date | None = date(2026, 6, 30), unit_ids: Sequence[int] = (), **kw: Any) -> int:
    """A campaign with the default action catalogue of its kind (``unit_ids`` empty: the top-level units).

    ``kw``: backdate_days, target_points, target_rate, description."""
    return green.create_campaign(session, actor=actor, name=name, kind=kind, starts_on=starts_on,
                                 ends_on=ends_on, unit_ids=list(unit_ids), now=now, **kw)


def green_action(session: Session, *, campaign_id: int, name: str = "Waste sorting") -> Action:
    """The campaign's action whose name starts with ``name``."""
    return session.exec(select(Action).where(Action.campaign_id == campaign_id,
                                             Action.name.startswith(name))).one()


def green_activity(session: Session, *, actor: Actor | None, campaign_id: int, now: datetime,
                   action: str = "Waste sorting", on: date | None = None, approve_by: Actor | None = None,
                   **kw: Any) -> int:
    """``actor`` logs the action starting with ``action`` on ``on`` (default: today); approved by
    ``approve_by`` when given. ``kw``: participant_ids, note, impact_amount, photo, photo_name."""
    activity = green.log_activity(
        session, actor=actor, campaign_id=campaign_id, action_id=green_action(
            session, campaign_id=campaign_id, name=action).id,
        occurred_on=clock.local_day(now, get_settings().tz) if on is None else on, now=now, **kw)
    if approve_by is not None:
        green.approve_activity(session, actor=approve_by, activity_id=activity, now=now)
    return activity


def green_roster(session: Session, *, actor: Actor, branch_id: int, now: datetime, title: str = "Tưới cây",
                 weekday: int = 0, per_slot: int = 2, starts_on: date | None = date(2026, 3, 2),
                 ends_on: date | None = date(2026, 3, 31), **kw: Any) -> int:
    """A recurring duty of a branch (default: every Monday of March 2026, two members a date)."""
    return green.create_roster(session, actor=actor, branch_id=branch_id, title=title, weekday=weekday,
                               per_slot=per_slot, starts_on=starts_on, ends_on=ends_on, now=now, **kw)


def png(*, size: tuple[int, int] = (40, 30), color: tuple[int, int, int] = (30, 160, 60),
        exif: bool = False) -> bytes:
    """A small image upload: PNG, or JPEG with a camera make in its EXIF when ``exif``."""
    from PIL import Image

    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif:
        meta = Image.Exif()
        meta[0x010F] = "SecretCam"  # Make
        image.save(out, format="JPEG", exif=meta)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


# --- scoring -----------------------------------------------------------------------------------


def points(session: Session, *, person_id: int, now: datetime, source: Source = Source.COMMITMENT,
           source_ref: str | None = None, occurred_at: datetime | None = None, quantity: float = 1.0) -> int:
    """Credit a person through the ledger (a fresh ``source_ref`` unless given); the points recorded."""
    return scoring.record_points(session, person_id=person_id, source=source,
                                 source_ref=source_ref or f"test:{next(_seq)}",
                                 occurred_at=occurred_at or now, now=now, quantity=quantity)


def point_entries(session: Session, *, source: str | None = None, source_ref: str | None = None,
                  ref_prefix: str | None = None) -> list[PointEntry]:
    """Ledger entries of one source and/or record (or records starting with ``ref_prefix``), oldest first."""
    stmt = select(PointEntry)
    if source is not None:
        stmt = stmt.where(PointEntry.source == source)
    if source_ref is not None:
        stmt = stmt.where(PointEntry.source_ref == source_ref)
    if ref_prefix is not None:
        stmt = stmt.where(PointEntry.source_ref.startswith(ref_prefix))
    return list(session.exec(stmt.order_by(PointEntry.id)))


# --- notify ------------------------------------------------------------------------------------


def notification(session: Session, *, person_id: int, now: datetime, category: str = "recognition",
                 kind: str = "recognition.received", subject_ref: str = "recognition:1",
                 title: str = "Bạn được ghi nhận", body: str = "Cảm ơn chị.", link: str = "/recognition",
                 period: str = "", mandatory: bool = False) -> bool:
    """A message through ``notify`` (outbox rows by the person's preference); True when new."""
    return notify_service.notify(session, person_id=person_id, category=category, kind=kind,
                                 subject_ref=subject_ref, title=title, body=body, link=link, now=now,
                                 period=period, mandatory=mandatory)


def preference(session: Session, *, category: str, mode: str, now: datetime, person_id: int | None = None,
               actor: Actor | None = None) -> None:
    """How ``category`` reaches a person: ``actor`` chooses for themselves through the service; for
    ``person_id`` (someone without an account, whom no service chooses for) the row is written,
    refused like the service refuses a category or mode it does not know."""
    if actor is not None:
        notify_service.set_preference(session, actor=actor, category=category, mode=mode, now=now)
        return
    if category not in notify_rules.CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    session.add(NotifyPreference(person_id=person_id, category=category, mode=notify_rules.Mode(mode).value,
                                 updated_at=now))
    session.flush()


def smtp_sender(server: Any, **overrides: Any) -> SmtpSender:
    """A sender to a loopback test server (``tests.integration._smtp``): no login, no TLS unless
    ``security`` says, a 5 s timeout."""
    args = {"host": "127.0.0.1", "port": server.port, "user": None, "password": None, "tls": False,
            "mail_from": "thi-dua@tinh.gov.vn", "from_name": "Tỉnh Demo", "timeout": 5, **overrides}
    return SmtpSender(**args)


def deliver(session: Session, engine: Engine, *, sender: Any, now: datetime, worker: str = "t",
            **kw: Any) -> DeliveryReport:
    """Run the e-mail delivery job after committing the test's session. ``kw``: public_url, max_attempts."""
    return run_after_commit(session, notify_service.deliver_email, engine, sender=sender, now=now, worker=worker,
                            **kw)


# --- jobs --------------------------------------------------------------------------------------


def run_after_commit(session: Session, job: Callable[..., T], engine: Engine, *args: Any, **kw: Any) -> T:
    """Commit the test's session, then run ``job(engine, ...)`` (a job opens its own transactions;
    on in-memory SQLite the test's session and the job share one connection)."""
    session.commit()
    return job(engine, *args, **kw)


# --- reading back ------------------------------------------------------------------------------


def count(session: Session, model: type, *where: Any, **equal: Any) -> int:
    """How many rows of ``model`` match the ``where`` clauses and the ``column=value`` pairs."""
    stmt = select(sa.func.count()).select_from(model).where(*where)
    for column, value in equal.items():
        stmt = stmt.where(getattr(model, column) == value)
    return session.exec(stmt).one()


def counts(session: Session, *models: type) -> dict[str, int]:
    """How many rows each model has, by class name (to show that a refused call wrote nothing)."""
    return {m.__name__: count(session, m) for m in models}


def outbox(session: Session, **where: Any) -> list[OutboxMessage]:
    """Outbox rows whose columns equal ``where`` (a None value: any), oldest first, read afresh."""
    session.expire_all()
    stmt = select(OutboxMessage)
    for column, value in where.items():
        if value is not None:
            stmt = stmt.where(getattr(OutboxMessage, column) == value)
    return list(session.exec(stmt.order_by(OutboxMessage.id)))


def app_state(engine: Engine, cls: type, username: str, *, password: str | None = None) -> Any:
    """The State ``cls`` as a browser logged in as ``username`` (demo password unless given) has
    it, on the app's own engine (see the ``app_db`` fixture)."""
    from reflex.state import State

    import engagement.engagement  # noqa: F401  (registers the States)
    from engagement.org.demo import DEMO_PASSWORD

    with Session(engine) as s:
        result = login(s, username, password or DEMO_PASSWORD, now=clock.now(), client_ip="10.0.0.1",
                       user_agent="test")
        s.commit()
    assert result.ok, result.message
    root = State(_reflex_internal_init=True)
    sign_in(root, result.token)
    return root.get_substate(cls.get_full_name().split(".")[1:])


def sign_in(root: Any, token: str) -> None:
    """Give a root State the session of ``token`` as a socket whose handshake carried the cookie
    has it: only the token's hash, in the router data (``ui.session_route.strip_session``)."""
    from engagement.ui.session_route import SESSION_COOKIE, strip_session

    root.router_data = strip_session({**root.router_data, "headers": {"cookie": f"{SESSION_COOKIE}={token}"}})


# --- time --------------------------------------------------------------------------------------


def at(month: int, day: int, hour: int = 9, minute: int = 0, *, year: int = 2026) -> datetime:
    """A local time in the organisation's zone, as aware UTC: ``at(3, 2)`` is Monday 2 March 2026,
    09:00 in Hanoi (the ``now`` fixture). For one month: ``functools.partial(at, 3)``."""
    return datetime(year, month, day, hour, minute, tzinfo=get_settings().tz).astimezone(UTC)


def run_handler(state: Any, name: str, *args: Any) -> Any:
    """Run one event handler of ``state`` as the browser would call it (async handlers awaited)."""
    import asyncio
    import inspect

    result = type(state).event_handlers[name].fn(state, *args)
    return asyncio.run(result) if inspect.iscoroutine(result) else result


# --- commendations -----------------------------------------------------------------------------

#: The registration window the commendation builders open by default (around the ``now`` fixture).
REGISTRATION_OPENS, REGISTRATION_CLOSES = date(2026, 2, 1), date(2026, 3, 31)


def commendation_catalogue(session: Session, *, now: datetime) -> dict[str, int]:
    """The national catalogue, base salaries and exclusions seeded as ``engagement migrate`` does;
    the title ids by code."""
    from engagement.commendations import service as commendations

    commendations.ensure_catalogue(session, now=now)
    return title_ids(session)


def title_ids(session: Session) -> dict[str, int]:
    """Every catalogue entry's id by its code."""
    from engagement.commendations.models import Title

    return {code: title_id for code, title_id in session.exec(select(Title.code, Title.id))}


def registration_window(session: Session, *, actor: Actor, now: datetime, year: int = 2026,
                        opens_on: date | None = REGISTRATION_OPENS, closes_on: date | None = REGISTRATION_CLOSES,
                        cap_pct: int = 20) -> None:
    """An officer opens ``year``'s registration window (default: 1 February to 31 March 2026)."""
    from engagement.commendations import service as commendations

    commendations.set_year(session, actor=actor, year=year, opens_on=opens_on, closes_on=closes_on,
                           excellent_cap_pct=cap_pct, now=now)


def rating(session: Session, *, actor: Actor | None, person_id: int, now: datetime, level: str = "HTTNV",
           year: int = 2026, **kw: Any) -> str:
    """``actor`` rates a person for ``year``; "created", "changed" or "same".

    ``kw``: reason, months_worked, absent_days."""
    from engagement.commendations import service as commendations

    return commendations.rate_person(session, actor=actor, person_id=person_id, year=year, level=level, now=now,
                                     **kw)


def emulation_registration(session: Session, *, actor: Actor | None, person_id: int, now: datetime,
                           title_id: int, year: int = 2026) -> int:
    """``actor`` (a unit head of the person, or an officer) registers the person, confirmed; its id."""
    from engagement.commendations import service as commendations

    return commendations.register_person(session, actor=actor, person_id=person_id, year=year, title_id=title_id,
                                         now=now)


def initiative(session: Session, *, actor: Actor | None, unit_id: int, author_ids: Sequence[int], now: datetime,
               title: str | None = None, year: int = 2026, scope: str = "unit",
               decided_on: date | None = date(2026, 2, 20), decision_ref: str = "QĐ 12/QĐ-SNV", **kw: Any) -> int:
    """An initiative of ``unit_id`` by ``author_ids``, recognised at ``scope`` (a fresh title unless given).

    ``kw``: document, document_name."""
    from engagement.commendations import service as commendations

    return commendations.record_initiative(
        session, actor=actor, title=title or f"Sáng kiến số {next(_seq)}", year=year, scope=scope,
        decision_ref=decision_ref, decided_on=decided_on, unit_id=unit_id, author_ids=list(author_ids), now=now,
        **kw)


def commendation_award(session: Session, *, actor: Actor | None, title_id: int, year: int, now: datetime,
                       person_id: int | None = None, unit_id: int | None = None, decided_on: date | None = None,
                       decision_ref: str = "QĐ 45/QĐ-UBND", initiative_ids: Sequence[int] = (), **kw: Any) -> int:
    """A title already awarded, in the register (decided on 15 January of the next year unless given).

    ``kw``: decided_by."""
    from engagement.commendations import service as commendations

    return commendations.record_award(
        session, actor=actor, title_id=title_id, year=year, person_id=person_id, unit_id=unit_id,
        decision_ref=decision_ref, decided_on=decided_on or date(year + 1, 1, 15),
        initiative_ids=list(initiative_ids), now=now, **kw)


def table_file(rows: Sequence[Sequence[Any]], *, xlsx: bool = False) -> tuple[bytes, str]:
    """An upload of ``rows`` (the first is the header): CSV UTF-8, or an Excel workbook; (bytes, file name)."""
    if not xlsx:
        text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\n"
        return text.encode("utf-8"), "table.csv"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "table.xlsx"
