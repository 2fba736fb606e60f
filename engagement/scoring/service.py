"""Use cases of the points ledger: the only code that writes entries and their totals.

Every entry updates the stored totals (person / unit, month / quarter / year, per source)
in the same transaction with an additive upsert, so leaderboards read a few hundred rows
instead of scanning the ledger, and a concurrent writer can never lose an increment.
Features call ``record_points`` / ``record_unit_points`` / ``reverse_points`` inside their
own unit of work; officers call ``adjust``, ``set_criteria``, ``set_options`` and the
display functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.core import audit, limits
from engagement.core.access import Actor, Perm, require
from engagement.core.clock import local_day
from engagement.core.db import lock_key
from engagement.core.errors import Invalid, NotFound
from engagement.core.i18n import N_, Msg
from engagement.core.security import hash_token, new_token
from engagement.org.models import Membership, Person, Unit, UnitGroup
from engagement.scoring import models, rules
from engagement.scoring.dto import DisplayLink
from engagement.scoring.rules import Criterion, Source
from engagement.settings import get_settings


def criteria_on(session: Session, day: date) -> tuple[int | None, dict[Source, Criterion]]:
    """The criteria version in force on ``day`` (defaults when the year has none)."""
    row = session.exec(
        select(models.ScoringCriteria)
        .where(models.ScoringCriteria.year == day.year, models.ScoringCriteria.effective_from <= day)
        .order_by(models.ScoringCriteria.effective_from.desc(), models.ScoringCriteria.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, dict(rules.DEFAULT_CRITERIA)
    return row.id, rules.decode_criteria(row.rules)


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _add(session: Session, model: type, rows: list[dict], keys: list[str], amounts: list[str]) -> None:
    """``INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x`` for each row."""
    if not rows:
        return
    table = model.__table__
    stmt = _insert(session)(table).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + stmt.excluded[name] for name in amounts},
    )
    session.execute(stmt)


def _ancestor_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


# --- one global lock order ------------------------------------------------------------------
#
# A credit upserts its person's totals, then the totals of every unit up to the root. Two
# transactions crediting overlapping people in different orders (a recognition with several
# receivers against a single credit) deadlock on PostgreSQL. So every credit first takes
# transaction-level advisory locks in ONE global order: persons by id, then units by path
# (root first); a transaction crediting several owners takes them all at once, before any
# row lock (``lock_credits``). Re-taking a lock already held costs nothing. SQLite needs
# none (one writer at a time, BEGIN IMMEDIATE).

_PERSON_LOCK, _UNIT_LOCK = 7301, 7302


def _unit_prefixes(path: str) -> list[str]:
    """Every ancestor's path of a unit path, the unit's own included ("/1/", "/1/5/", ...)."""
    parts = [part for part in (path or "").strip("/").split("/") if part]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _take_locks(session: Session, person_ids: Iterable[int], unit_paths: Iterable[str]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for pid in sorted({p for p in person_ids if p is not None}):
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": _PERSON_LOCK, "k": pid % 2**31})
    prefixes = sorted({prefix for path in unit_paths for prefix in _unit_prefixes(path)})
    for prefix in prefixes:
        unit_id = int(prefix.strip("/").rsplit("/", 1)[-1])
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": _UNIT_LOCK, "k": unit_id % 2**31})


def lock_credits(session: Session, *, person_ids: Iterable[int] = (), unit_ids: Iterable[int] = ()) -> None:
    """Lock, in the one global order, what crediting these people and units will touch.

    Call it first when one transaction credits (or reverses) several owners: a recognition
    with several receivers, an activity with several participants. Persons by id, then their
    units and every ancestor by path; a no-op on SQLite.

    Args:
        session: the caller's unit of work (the locks last until it ends).
        person_ids: the people about to be credited.
        unit_ids: units about to be credited themselves (a unit's own points).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    person_ids, unit_ids = list(person_ids), list(unit_ids)
    paths: list[str] = []
    if person_ids:
        paths.extend(session.exec(select(Unit.path).join(Person, Person.unit_id == Unit.id)
                                  .where(Person.id.in_(person_ids))))
    if unit_ids:
        paths.extend(session.exec(select(Unit.path).where(Unit.id.in_(unit_ids))))
    _take_locks(session, person_ids, paths)


def _apply_totals(session: Session, entry: models.PointEntry) -> None:
    """Add one entry's points to every stored total it belongs to."""
    if entry.points == 0:
        return
    months = rules.period_keys(entry.day)
    month = months[0]
    if entry.person_id is not None:
        _add(session, models.PersonPoints,
             [{"period": p, "person_id": entry.person_id, "points": entry.points} for p in months],
             ["period", "person_id"], ["points"])
        _add(session, models.PersonSourcePoints,
             [{"month": month, "person_id": entry.person_id, "source": entry.source, "points": entry.points}],
             ["month", "person_id", "source"], ["points"])
    rows = []
    for ancestor in _ancestor_ids(entry.unit_path):
        own = entry.points if ancestor == entry.unit_id else 0
        rows.extend({"period": p, "unit_id": ancestor, "own_points": own, "total_points": entry.points}
                    for p in months)
    _add(session, models.UnitPoints, rows, ["period", "unit_id"], ["own_points", "total_points"])
    _add(session, models.UnitSourcePoints,
         [{"month": month, "unit_id": entry.unit_id, "source": entry.source, "points": entry.points}],
         ["month", "unit_id", "source"], ["points"])


def _earned_this_month(session: Session, person_id: int, month: str, source: Source) -> int:
    """What the person already has from ``source`` this month, with the row locked (PostgreSQL)
    so two concurrent events cannot both fit under the cap."""
    _add(session, models.PersonSourcePoints,
         [{"month": month, "person_id": person_id, "source": source.value, "points": 0}],
         ["month", "person_id", "source"], ["points"])
    return session.exec(
        select(models.PersonSourcePoints.points).where(
            models.PersonSourcePoints.month == month, models.PersonSourcePoints.person_id == person_id,
            models.PersonSourcePoints.source == source.value)
    ).one()


def _unit_earned_this_month(session: Session, unit_id: int, day: date, source: Source) -> int:
    """What the unit itself (not its members) has from ``source`` in ``day``'s month, under a
    lock on (unit, month, source) so two concurrent credits cannot both fit under the cap."""
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    lock_key(session, "unit-cap", f"{unit_id}:{first.isoformat()}:{source.value}")
    return int(session.exec(
        select(sa.func.coalesce(sa.func.sum(models.PointEntry.points), 0)).where(
            models.PointEntry.unit_id == unit_id, models.PointEntry.person_id.is_(None),
            models.PointEntry.source == source.value, models.PointEntry.day >= first, models.PointEntry.day <= last)
    ).one())


def unit_on(session: Session, person: Person, moment: datetime) -> int:
    """The unit ``person`` belonged to at ``moment`` (membership history, else today's unit)."""
    unit_id = session.exec(
        select(Membership.unit_id)
        .where(Membership.person_id == person.id, Membership.start_at <= moment,
               sa.or_(Membership.end_at.is_(None), Membership.end_at > moment))
        .order_by(Membership.start_at.desc())
        .limit(1)
    ).first()
    return unit_id if unit_id is not None else person.unit_id


def _existing(session: Session, key: str) -> models.PointEntry | None:
    return session.exec(select(models.PointEntry).where(models.PointEntry.entry_key == key)).first()


def _append(session: Session, entry: models.PointEntry) -> bool:
    """Insert ``entry`` unless its key exists (``ON CONFLICT DO NOTHING``: a concurrent
    duplicate waits for the first and then does nothing, instead of failing the caller's
    transaction), then add it to the totals. Returns whether it was appended."""
    _take_locks(session, [entry.person_id], [entry.unit_path])
    table = models.PointEntry.__table__
    values = {c.name: getattr(entry, c.name) for c in table.columns if c.name != "id"}
    stmt = (_insert(session)(table).values(**values)
            .on_conflict_do_nothing(index_elements=["entry_key"]).returning(table.c.id))
    new_id = session.execute(stmt).scalar_one_or_none()
    if new_id is None:
        return False
    entry.id = new_id
    _apply_totals(session, entry)
    return True


def _check_ref(source: Source, source_ref: str) -> tuple[Source, str]:
    source = Source(source)
    ref = (source_ref or "").strip()
    if not ref or len(ref) > 120:
        raise Invalid("A scoring event needs the record it comes from (at most 120 characters).")
    return source, ref


def record_points(
    session: Session,
    *,
    person_id: int,
    source: Source,
    source_ref: str,
    occurred_at: datetime,
    now: datetime,
    quantity: float = 1.0,
) -> int:
    """Append the entry a scoring event earns a person, and update the totals.

    Idempotent: the same (source, source_ref, person) is recorded once; a second call
    returns 0 and writes nothing. Points are ``quantity x weight`` of the criteria in force
    on the event's day, limited by the monthly cap; an event over the cap is still recorded
    (with 0 points and the reason), so the person can see why.

    Args:
        session: the caller's unit of work (the event and its points commit together).
        person_id: who earns the points.
        source: what kind of event.
        source_ref: the event's record, e.g. ``signature:42``.
        occurred_at: when it happened (decides the period and the criteria).
        now: when it is recorded.
        quantity: how many units of the source (e.g. a green action's points).

    Returns:
        The points recorded (0 for a duplicate or a capped event).

    Raises:
        NotFound: no such person.
        Invalid: an empty or overlong source_ref.
    """
    def unit_of() -> Unit:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound("This person does not exist.")
        return session.get(Unit, unit_on(session, person, occurred_at))

    return _credit(session, owner=f"p:{person_id}", person_id=person_id, unit_of=unit_of,
                   earned=lambda _, day, source: _earned_this_month(session, person_id, rules.month_key(day), source),
                   source=source, source_ref=source_ref, occurred_at=occurred_at, now=now, quantity=quantity)


def record_unit_points(
    session: Session,
    *,
    unit_id: int,
    source: Source,
    source_ref: str,
    occurred_at: datetime,
    now: datetime,
    quantity: float = 1.0,
) -> int:
    """Append the entry an event earns a whole unit (a collective commitment, a unit
    commendation, a counter's citizen rating). Idempotent per (source, source_ref, unit).
    The source's monthly cap applies to the unit's own credits from that source (its
    members' points are capped person by person), so a counter cannot out-earn a person.

    Returns:
        The points recorded (0 for a duplicate).

    Raises:
        NotFound: no such unit.
    """
    def unit_of() -> Unit:
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise NotFound("This unit does not exist.")
        return unit

    return _credit(session, owner=f"u:{unit_id}", person_id=None, unit_of=unit_of,
                   earned=lambda unit, day, source: _unit_earned_this_month(session, unit.id, day, source),
                   source=source, source_ref=source_ref, occurred_at=occurred_at, now=now, quantity=quantity)


def _credit(session: Session, *, owner: str, person_id: int | None, unit_of: Callable[[], Unit],
            earned: Callable[[Unit, date, Source], int], source: Source, source_ref: str,
            occurred_at: datetime, now: datetime, quantity: float) -> int:
    """Append the credit entry of ``owner`` (``p:<person id>`` or ``u:<unit id>``) for an event,
    and update the totals: the common body of ``record_points`` and ``record_unit_points``.

    ``unit_of()`` finds the unit the entry counts for (raising ``NotFound``), once the event
    is known to be new; ``earned(unit, day, source)`` is what the owner already earned from
    the source that month, asked only when the source has a monthly cap. Points are
    ``quantity x weight`` of the criteria in force on the event's day, limited by the cap; a
    capped entry carries the reason. ``person_id`` is None for a unit's own credit.

    Returns:
        The points recorded (0 for a duplicate).
    """
    source, ref = _check_ref(source, source_ref)
    key = f"{source.value}|{ref}|{owner}|credit"
    if _existing(session, key) is not None:
        return 0
    unit = unit_of()
    _take_locks(session, [person_id], [unit.path])  # before the cap's row lock below
    day = local_day(occurred_at, get_settings().tz)
    criteria_id, criteria = criteria_on(session, day)
    criterion = criteria[source]
    already = 0
    if criterion.monthly_cap is not None:
        already = earned(unit, day, source)
    points = rules.points_for(criterion, quantity, already)
    raw = round(quantity * criterion.weight) if quantity > 0 else 0
    # Stored in English (a record, like an officer's reason); 'why this score' shows it in the
    # reader's language (queries._reason_text).
    reason = f"Monthly cap of {criterion.monthly_cap} reached" if points < raw else ""
    entry = models.PointEntry(
        entry_key=key, person_id=person_id, unit_id=unit.id, unit_path=unit.path,
        source=source.value, source_ref=ref, points=points, day=day, occurred_at=occurred_at,
        recorded_at=now, criteria_id=criteria_id, reason=reason,
    )
    return points if _append(session, entry) else 0


def credit_rounds(session: Session, *, source: Source, source_ref: str, person_id: int | None = None) -> int:
    """How many times an event credited a person (or anyone, ``person_id`` None: a unit's
    credit too): the credit entries (not reversals) under ``source_ref`` and ``source_ref#n``.
    A decision undone and taken again credits a new ref (``#2``, ``#3``...), since a ref is
    credited once and nothing of the ledger is deleted."""
    source, ref = _check_ref(source, source_ref)
    whose = [models.PointEntry.person_id == person_id] if person_id is not None else []
    return session.exec(select(sa.func.count()).select_from(models.PointEntry).where(
        models.PointEntry.source == source.value, *whose,
        models.PointEntry.reverses_id.is_(None),
        sa.or_(models.PointEntry.source_ref == ref,
               models.PointEntry.source_ref.startswith(ref + "#", autoescape=True)))).one()


def reverse_points(
    session: Session,
    *,
    source: Source,
    source_ref: str,
    reason: str,
    now: datetime,
    actor: Actor | None,
) -> int:
    """Append a reversal for every entry ``source_ref`` earned (a revoked recognition, an
    approval withdrawn). The reversal counts in the original entry's period. Reversing
    twice does nothing more.

    Returns:
        The points taken back (a positive number; 0 when nothing was left to reverse).
    """
    source, ref = _check_ref(source, source_ref)
    # "Reversed" is stored in English and shown translated; a longer reason is refused, never cut.
    reason = limits.within((reason or "").strip(), limit=rules.REASON_MAX, what=N_("reason"),
                           field="reason") or "Reversed"
    credits = session.exec(
        select(models.PointEntry).where(models.PointEntry.source == source.value, models.PointEntry.source_ref == ref,
                                        models.PointEntry.reverses_id.is_(None))
        .order_by(models.PointEntry.id)
    ).all()
    _take_locks(session, [c.person_id for c in credits], [c.unit_path for c in credits])
    taken = 0
    for credit in credits:
        key = credit.entry_key.removesuffix("|credit") + "|reversal"
        if _existing(session, key) is not None:
            continue
        entry = models.PointEntry(
            entry_key=key, person_id=credit.person_id, unit_id=credit.unit_id, unit_path=credit.unit_path,
            source=credit.source, source_ref=credit.source_ref, points=-credit.points, day=credit.day,
            occurred_at=credit.occurred_at, recorded_at=now, criteria_id=credit.criteria_id,
            reverses_id=credit.id, reason=reason, actor_account_id=actor.account_id if actor else None,
        )
        if _append(session, entry):
            taken += credit.points
    return taken


def adjust(
    session: Session,
    *,
    actor: Actor | None,
    person_id: int,
    points: object,
    reason: object,
    now: datetime,
) -> int:
    """An officer's manual adjustment: exact points (no weight, no cap), with a reason.

    Raises:
        NotAllowed: not an emulation officer or admin.
        Invalid: points not a non-zero whole number within +/-1000, a reason too short or too long.
        NotFound: no such person.
    """
    actor = require(actor, Perm.MANAGE_SCORING)
    errors: dict[str, Msg] = {}
    try:
        amount = int(str(points).strip())
    except ValueError:
        amount = 0
    if amount == 0 or abs(amount) > rules.MAX_ADJUSTMENT:
        limit = rules.MAX_ADJUSTMENT
        errors["points"] = N_("Enter a whole number of points between -{limit} and {limit}, not 0.", limit=limit)
    why = str(reason or "").strip()
    if len(why) < 10:
        errors["reason"] = N_("Say why, in at least 10 characters (it is shown with the entry).")
    elif len(why) > rules.REASON_MAX:
        errors["reason"] = limits.too_long(what=N_("reason"), limit=rules.REASON_MAX, typed=len(why),
                                           field="reason").msg
    if errors:
        raise Invalid(next(iter(errors.values())), fields=errors)
    person = session.get(Person, person_id) if isinstance(person_id, int) else None
    if person is None:
        raise NotFound("Choose a person from the list.")
    unit = session.get(Unit, unit_on(session, person, now))
    ref = f"adjustment:{new_token()[:20]}"
    entry = models.PointEntry(
        entry_key=f"{Source.MANUAL.value}|{ref}|p:{person.id}|credit", person_id=person.id, unit_id=unit.id,
        unit_path=unit.path, source=Source.MANUAL.value, source_ref=ref, points=amount,
        day=local_day(now, get_settings().tz), occurred_at=now, recorded_at=now, reason=why,
        actor_account_id=actor.account_id,
    )
    _append(session, entry)
    audit.record(session, actor=actor, action="points.adjust", entity="person", entity_id=person.id,
                 now=now, points=amount, reason=why)
    return amount


def set_criteria(
    session: Session,
    *,
    actor: Actor | None,
    year: object,
    effective_from: object,
    criteria: dict[str, tuple[object, object]],
    note: object = "",
    now: datetime,
) -> int:
    """Publish a new criteria version for a year, effective from the first day of a month.

    Past months keep their rules: the version may not start before the current month.

    Returns:
        The new version number.

    Raises:
        NotAllowed: not an emulation officer or admin.
        Invalid: a bad weight or cap, a year out of range, a start month in the past, a note too long.
    """
    actor = require(actor, Perm.MANAGE_SCORING)
    note_text = limits.within(str(note or "").strip(), limit=rules.NOTE_MAX, what=N_("note"), field="note")
    checked = rules.check_criteria(criteria)
    today = local_day(now, get_settings().tz)
    try:
        year_n = int(str(year).strip())
    except ValueError:
        year_n = 0
    if not today.year - 1 <= year_n <= today.year + 1:
        raise Invalid("Choose a year between {first} and {last}.", first=today.year - 1, last=today.year + 1)
    start_text = str(effective_from or "").strip() or rules.month_key(today)
    kind, start, _ = rules.parse_period(start_text)
    if kind is not rules.PeriodKind.MONTH or start.year != year_n:
        example = rules.month_key(date(year_n, today.month, 1)) if year_n > 0 else rules.month_key(today)
        raise Invalid("The rules take effect from a month of {year}, e.g. {example}.", year=year_n, example=example)
    if start < date(today.year, today.month, 1):
        raise Invalid("Rules cannot change for a month that is already over; choose this month or a later one.")
    last = session.exec(
        select(sa.func.max(models.ScoringCriteria.version)).where(models.ScoringCriteria.year == year_n)
    ).one()
    version = (last or 0) + 1
    payload = {s.value: {"weight": c.weight, "monthly_cap": c.monthly_cap} for s, c in checked.items()}
    session.add(models.ScoringCriteria(
        year=year_n, version=version, effective_from=start, rules=json.dumps(payload, sort_keys=True),
        note=note_text, created_at=now, created_by_account_id=actor.account_id,
    ))
    session.flush()
    audit.record(session, actor=actor, action="scoring.criteria", entity="scoring_criteria",
                 entity_id=f"{year_n}v{version}", now=now, effective_from=start.isoformat(), **payload)
    return version


def set_options(session: Session, *, actor: Actor | None, individual_boards: bool, now: datetime) -> bool:
    """Switch individual leaderboards on or off for the organisation (officers still see them).

    Raises:
        NotAllowed: not an emulation officer or admin.
    """
    actor = require(actor, Perm.MANAGE_SCORING)
    row = session.get(models.ScoringOptions, 1)
    if row is None:
        row = models.ScoringOptions(id=1)
        session.add(row)
    row.individual_boards = bool(individual_boards)
    row.updated_at = now
    row.updated_by_account_id = actor.account_id
    session.flush()
    audit.record(session, actor=actor, action="scoring.options", entity="scoring_options", entity_id=1,
                 now=now, individual_boards=row.individual_boards)
    return row.individual_boards


def create_display(
    session: Session,
    *,
    actor: Actor | None,
    title: object,
    board: object,
    period_kind: object,
    group_id: object = None,
    now: datetime,
) -> DisplayLink:
    """A read-only lobby-screen leaderboard; returns the one-time link (only its hash is kept).

    Raises:
        NotAllowed: not an emulation officer or admin.
        Invalid: no title, an unknown board or period, an unknown group.
    """
    actor = require(actor, Perm.MANAGE_SCORING)
    name = str(title or "").strip()
    if not 3 <= len(name) <= 200:
        raise Invalid("Give the screen a title of 3 to 200 characters, e.g. 'Lobby, floor 1'.")
    if board not in rules.BOARDS:
        raise Invalid("Choose what the screen shows.")
    if period_kind not in {k.value for k in rules.PeriodKind}:
        raise Invalid("Choose the period: this month, this quarter or this year.")
    gid = None
    if group_id not in (None, "", 0, "0"):
        try:
            gid = int(str(group_id))
        except ValueError:
            gid = -1
        if session.get(UnitGroup, gid) is None:
            raise Invalid("Choose a unit group from the list.")
    token = new_token()
    row = models.ScoreDisplay(token_hash=hash_token(token), title=name, board=str(board), period_kind=str(period_kind),
                              group_id=gid, created_at=now, created_by_account_id=actor.account_id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="scoring.display.create", entity="score_display",
                 entity_id=row.id, now=now, title=name, board=board)
    return DisplayLink(id=row.id, title=name, token=token)


def revoke_display(session: Session, *, actor: Actor | None, display_id: int, now: datetime) -> None:
    """Stop a lobby-screen link from working.

    Raises:
        NotAllowed: not an emulation officer or admin.
        NotFound: no such screen.
    """
    actor = require(actor, Perm.MANAGE_SCORING)
    row = session.get(models.ScoreDisplay, display_id) if isinstance(display_id, int) else None
    if row is None:
        raise NotFound("This screen does not exist.")
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
        audit.record(session, actor=actor, action="scoring.display.revoke", entity="score_display",
                     entity_id=row.id, now=now)
