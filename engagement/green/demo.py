"""Demo data: a running green-office campaign and a volunteer campaign with a believable history.

Campaigns, the roster and approvals go through the services (as the demo administrator);
the past activities themselves are written as rows, since the services only accept dates
inside the back-dating window of "now".
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from engagement.core import files, i18n
from engagement.core.access import Actor
from engagement.core.clock import local_day
from engagement.core.errors import Conflict
from engagement.core.i18n import N_, _
from engagement.green import rules, service
from engagement.green.models import Action, Activity, ActivityParticipant, SelfAssessment
from engagement.org import sessions as org_sessions
from engagement.org.demo import DEMO_PASSWORD
from engagement.org.models import Branch, Person, Unit
from engagement.settings import get_settings

#: The demo campaigns' names, written in the organisation's language when seeded.
GREEN_NAME = N_("Green, clean and beautiful office 2026")
VOLUNTEER_NAME = N_("Green Summer 2026")


def _admin(session: Session, now: datetime) -> Actor:
    result = org_sessions.login(session, username="admin", password=DEMO_PASSWORD, client_ip="127.0.0.1",
                               user_agent="engagement seed-demo", now=now)
    actor = org_sessions.resolve_actor(session, token=result.token, now=now) if result.ok else None
    if actor is None:
        raise Conflict("The demo administrator could not log in: {reason}", reason=result.message)
    return actor


def _photo(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)  # noqa: S311 (demo pictures, not secrets)
    image = Image.new("RGB", (480, 360), (235, 245, 235))
    draw = ImageDraw.Draw(image)
    for _tree in range(12):
        x, y = rng.randrange(0, 440), rng.randrange(120, 330)
        green = (rng.randrange(30, 90), rng.randrange(120, 200), rng.randrange(40, 90))
        draw.ellipse((x, y - 60, x + 50, y), fill=green)
        draw.rectangle((x + 22, y, x + 28, y + 30), fill=(110, 80, 50))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_demo(session: Session, *, now: datetime) -> dict[str, int]:
    """Add the green-office slice to the demo organisation (after the org seed).

    What it writes (campaign names, descriptions, reasons, the roster) is the organisation's
    data: it is written in the organisation's language.

    Returns:
        Counts of what was created.
    """
    with i18n.using(i18n.default_language()):
        return _seed(session, now=now)


def _seed(session: Session, *, now: datetime) -> dict[str, int]:
    admin = _admin(session, now)
    today = local_day(now, get_settings().tz)
    rng = random.Random(2026)  # noqa: S311 (a repeatable demo, not secrets)
    green = service.create_campaign(
        session, actor=admin, name=str(GREEN_NAME), kind="green", starts_on=today - timedelta(days=45),
        ends_on=today + timedelta(days=135), backdate_days=7, target_points=40, target_rate=60, now=now,
        description=_("Every union member joins the weekly workplace cleaning, cares for the office plants "
                      "and saves paper and power."))
    service.create_campaign(
        session, actor=admin, name=str(VOLUNTEER_NAME), kind="volunteer", starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=80), backdate_days=14, target_points=30, target_rate=40, now=now,
        description=_("Summer volunteer campaign: cleaning public spaces, blood donation, volunteer hours."))
    actions = {a.name: a for a in session.exec(select(Action).where(Action.campaign_id == green))}
    daily = [a for a in actions.values() if a.limit_period == "day" and not a.photo_required]
    cleaning = actions[next(str(s.name) for s in rules.GREEN_OFFICE_ACTIONS
                            if s.name.msgid == "Weekly workplace cleaning")]
    # The administrator approves the history below, so takes part in none of it.
    people = list(session.exec(select(Person).where(Person.is_active.is_(True), Person.id != admin.person_id)
                               .order_by(Person.id)))
    photos = [files.save(session, clean=files.clean_image(_photo(i)), purpose=rules.PHOTO_PURPOSE,
                         name=f"tong-ve-sinh-{i}", actor=admin, now=now).id for i in range(3)]

    created: list[tuple[int, int, str]] = []  # (activity id, branch id, status wanted)

    def add(person: Person, action: Action, on: date, others: list[Person], photo: int | None,
            amount: float | None, status: str) -> None:
        activity = Activity(campaign_id=green, action_id=action.id, logged_by_person_id=person.id,
                            unit_id=person.unit_id, branch_id=person.union_branch_id or person.youth_branch_id,
                            occurred_on=on, note="", impact_amount=amount, photo_file_id=photo,
                            status="pending", created_at=now - timedelta(days=(today - on).days))
        session.add(activity)
        session.flush()
        for p in [person, *others]:
            session.add(ActivityParticipant(activity_id=activity.id, person_id=p.id, unit_id=p.unit_id))
        created.append((activity.id, activity.branch_id or 0, status))

    # Individual daily actions over the last six weeks (never today or yesterday, so the demo
    # logins can log today's activities themselves).
    for person in people:
        if rng.random() < 0.45:
            continue
        days = rng.sample(range(2, 40), k=rng.randint(1, 3))
        for ago in days:
            action = rng.choice(daily)
            amount = round(rng.uniform(0.5, 6), 1) if action.impact_unit in {"kg", "kWh"} else (
                float(rng.randint(5, 60)) if action.impact_unit == "sheets" else (
                    float(rng.randint(1, 6)) if action.impact_unit == "plants" else None))
            add(person, action, today - timedelta(days=ago), [], None, amount,
                "approved" if rng.random() < 0.85 else "rejected")
    # Weekly group cleaning by union branches, with a photo.
    by_branch: dict[int, list[Person]] = {}
    for person in people:
        if person.union_branch_id:
            by_branch.setdefault(person.union_branch_id, []).append(person)
    monday = today - timedelta(days=today.weekday())
    for index, (_branch, members) in enumerate(sorted(by_branch.items())):
        for week in (1, 2):
            if rng.random() < 0.4 or len(members) < 2:
                continue
            team = rng.sample(members, k=min(3, len(members)))
            add(team[0], cleaning, monday - timedelta(weeks=week) + timedelta(days=4), team[1:],
                photos[(index + week) % len(photos)], None, "approved")
    # A few waiting in the Sở Nội vụ union's queue for union.snv.
    snv_branch = session.exec(select(Branch.id).where(Branch.code == "CD-SNV")).first()
    snv_people = [p for p in people if p.union_branch_id == snv_branch]
    staff_person = session.exec(select(Person).join(Unit, Unit.id == Person.unit_id)
                                .where(Unit.code == "SNV-VP").order_by(Person.id)).all()
    waiting = [p for p in snv_people if p not in staff_person[:3]][:3]
    for i, person in enumerate(waiting):
        add(person, daily[i % len(daily)], today - timedelta(days=2), [], None, 2.0, "pending")
    if waiting:
        add(waiting[0], cleaning, monday - timedelta(days=3), [], photos[0], None, "pending")

    reasons = (_("The photo does not show the result; please take it again."),
               _("Same as an activity logged the day before."))
    for activity_id, _branch, status in created:
        if status == "approved":
            service.approve_activity(session, actor=admin, activity_id=activity_id, now=now)
        elif status == "rejected":
            service.reject_activity(session, actor=admin, activity_id=activity_id,
                                    reason=rng.choice(reasons), now=now)
    if snv_branch is not None:
        service.create_roster(session, actor=admin, branch_id=snv_branch,
                              title=_("Office cleaning on Friday afternoons"), weekday=4, every_weeks=1, per_slot=2,
                              starts_on=today,
                              ends_on=today + timedelta(days=90), now=now)
    snv = session.exec(select(Unit).where(Unit.code == "SNV")).first()
    if snv is not None:
        year, quarter = rules.quarter_of(today)
        for back, score in ((2, 67), (1, 75)):
            q_year, q = (year, quarter - back) if quarter - back >= 1 else (year - 1, quarter - back + 4)
            session.add(SelfAssessment(unit_id=snv.id, year=q_year, quarter=q, score=score,
                                       answers='{"plants": 2, "desks": 1, "signage": 1, "waste": 2, '
                                               '"energy": 1, "paper": 1}', created_at=now - timedelta(days=91 * back),
                                       created_by_account_id=admin.account_id))
    session.flush()
    return {"campaigns": 2, "activities": len(created)}
