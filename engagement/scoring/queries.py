"""Reads for leaderboards, 'why this score', charts and lobby screens.

Leaderboards read the stored totals (``person_points``, ``unit_points``), never the
ledger: a month's individual top 50 is an index range scan, a unit board reads at most
one row per unit. Only 'why this score' reads entries, one page at a time.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.core.access import Actor, Perm, can, require
from engagement.core.errors import Invalid, NotAllowed, NotFound
from engagement.core.security import hash_token
from engagement.org.models import Person, Unit, UnitGroup, UnitGroupMember
from engagement.org.rules import fold
from engagement.scoring import rules
from engagement.scoring.dto import (
    Board,
    BoardRow,
    Breakdown,
    CriteriaVersion,
    DisplayRow,
    EntryRow,
    MonthPoint,
    SourceTotal,
    Standing,
    UnitStanding,
)
from engagement.scoring.models import (
    PersonPoints,
    PersonSourcePoints,
    PointEntry,
    ScoreDisplay,
    ScoringCriteria,
    UnitPoints,
    UnitSourcePoints,
)
from engagement.scoring.rules import SOURCE_LABELS, Source
from engagement.scoring.service import BOARDS, decode_criteria, options

MAX_LIMIT = 200
#: An export reads the whole board in one query (never page by page).
EXPORT_LIMIT = 50_000
#: Units up to this many people are ranked whole (zeros and rank change included).
SMALL_UNIT = 300
PERIOD_KIND_LABELS = {"month": "This month", "quarter": "This quarter", "year": "This year"}


def resolve_period(
    period: str | None, start: str | None, end: str | None, today: date,
) -> tuple[list[str], str, str | None]:
    """Stored period keys to sum, a label, and the previous period's key (None for a range).

    Raises:
        Invalid: a malformed period or range.
    """
    if start or end:
        months = rules.month_range(start or "", end or "")
        return rules.compress_months(months), f"{months[0]} to {months[-1]}", None
    key = (period or "").strip() or rules.month_key(today)
    rules.parse_period(key)
    return [key], key, rules.previous_period(key)


def _change_text(change: int | None) -> str:
    if change is None:
        return "new"
    if change > 0:
        return f"▲ {change}"
    if change < 0:
        return f"▼ {-change}"
    return "="


@dataclass(frozen=True)
class _UnitInfo:
    id: int
    name: str
    code: str
    depth: int
    sort_name: str


@dataclass(frozen=True)
class _OrgSnapshot:
    units: dict[int, _UnitInfo]
    heads: dict[int, int]


#: How long the unit list and head counts used by leaderboards are reused (seconds).
#: Head counts change only when people join, move or leave; a minute-old denominator is
#: fine for "points per member", and it spares a pass over every person on each request.
ORG_SNAPSHOT_SECONDS = 60.0
_snapshots: dict[tuple[int, str], tuple[float, _OrgSnapshot]] = {}


def _org_snapshot(session: Session) -> _OrgSnapshot:
    """Active units (name, code, depth) and active people per unit subtree, cached briefly."""
    bind = session.get_bind()
    key = (id(bind), str(bind.url))
    hit = _snapshots.get(key)
    if hit is not None and time.monotonic() - hit[0] < ORG_SNAPSHOT_SECONDS:
        return hit[1]
    rows = session.exec(select(Unit.id, Unit.name, Unit.code, Unit.depth, Unit.path, Unit.is_active)).all()
    paths = {uid: path for uid, _n, _c, _d, path, _a in rows}
    units = {uid: _UnitInfo(id=uid, name=name, code=code, depth=depth, sort_name=fold(name))
             for uid, name, code, depth, _p, active in rows if active}
    # One index-only pass over person(is_active, unit_id).
    direct = session.exec(
        select(Person.unit_id, sa.func.count()).where(Person.is_active.is_(True)).group_by(Person.unit_id)
    ).all()
    heads: dict[int, int] = defaultdict(int)
    for unit_id, n in direct:
        for part in paths.get(unit_id, "").strip("/").split("/"):
            if part:
                heads[int(part)] += n
    snapshot = _OrgSnapshot(units=units, heads=dict(heads))
    _snapshots[key] = (time.monotonic(), snapshot)
    return snapshot


def _candidate_units(session: Session, snapshot: _OrgSnapshot, group_id: int | None,
                     level: int | None) -> list[_UnitInfo]:
    if group_id:
        if session.get(UnitGroup, group_id) is None:
            raise NotFound("This unit group does not exist.")
        members = session.exec(select(UnitGroupMember.unit_id).where(UnitGroupMember.group_id == group_id)).all()
        return [snapshot.units[u] for u in members if u in snapshot.units]
    depth = level if level is not None else 1
    return [u for u in snapshot.units.values() if u.depth == depth]


def _unit_totals(session: Session, keys: list[str], unit_ids: set[int]) -> dict[int, int]:
    """Subtree totals of the period(s): a range scan of at most one row per unit and period."""
    totals: dict[int, int] = defaultdict(int)
    for uid, points in session.exec(
        select(UnitPoints.unit_id, UnitPoints.total_points).where(UnitPoints.period.in_(keys))
    ).all():
        if uid in unit_ids:
            totals[uid] += points
    return totals


def _rank_units(units: list[_UnitInfo], totals: dict[int, int], heads: dict[int, int], per_member: bool):
    scored = []
    for u in units:
        pts = totals.get(u.id, 0)
        pm = rules.per_member(pts, heads.get(u.id, 0))
        scored.append((pm if per_member else pts, u, pts, pm))
    scored.sort(key=lambda t: (-t[0], t[1].sort_name, t[1].id))
    ranks = rules.competition_ranks([t[0] for t in scored])
    return [(rank, *t) for rank, t in zip(ranks, scored, strict=True)]


def unit_board(
    session: Session, *, keys: list[str], label: str, prev_key: str | None, per_member: bool,
    group_id: int | None, level: int | None, offset: int, limit: int, title: str = "",
) -> Board:
    """Units ranked by subtree points or points per active member."""
    snapshot = _org_snapshot(session)
    units = _candidate_units(session, snapshot, group_id, level)
    ids = {u.id for u in units}
    heads = snapshot.heads
    ranked = _rank_units(units, _unit_totals(session, keys, ids), heads, per_member)
    previous: dict[int, int] = {}
    if prev_key is not None:
        for rank, _score, u, _pts, _pm in _rank_units(units, _unit_totals(session, [prev_key], ids), heads, per_member):
            previous[u.id] = rank
    rows = []
    for rank, _score, u, pts, pm in ranked[offset:offset + limit]:
        change = rules.rank_change(rank, previous.get(u.id)) if prev_key is not None else None
        rows.append(BoardRow(rank=rank, subject_id=u.id, name=u.name, detail=u.code, points=pts,
                             per_member=pm, members=heads.get(u.id, 0), change=change,
                             change_text=_change_text(change) if prev_key is not None else ""))
    board = "units_per_member" if per_member else "units"
    return Board(board=board, title=title or BOARDS[board], period_label=label, rows=rows, offset=offset,
                 limit=limit, has_more=len(ranked) > offset + limit)


def _in_scope(stmt, scope_path: str | None):
    """Limit a person_points query to active people (of one unit subtree when given)."""
    stmt = stmt.join(Person, Person.id == PersonPoints.person_id).where(Person.is_active.is_(True))
    if scope_path is not None:
        stmt = stmt.join(Unit, Unit.id == Person.unit_id).where(Unit.path.startswith(scope_path))
    return stmt


def _active_people_above(session: Session, key: str, points: int, scope_path: str | None = None) -> int:
    return session.exec(
        _in_scope(select(sa.func.count()).select_from(PersonPoints), scope_path)
        .where(PersonPoints.period == key, PersonPoints.points > points)
    ).one()


_histograms: dict[tuple[int, str, str], tuple[float, object]] = {}


def _ranks_by_points(session: Session, key: str):
    """A function giving the org-wide rank of a score in period ``key``, from one pass over
    the period's score histogram (index-only) minus the few inactive people's scores.

    Used for the previous period's ranks ("rank change"), which rarely move once the
    period is over: the pass (~50 ms at 50,000 people) is reused for ORG_SNAPSHOT_SECONDS.
    """
    bind = session.get_bind()
    cache_key = (id(bind), str(bind.url), key)
    hit = _histograms.get(cache_key)
    if hit is not None and time.monotonic() - hit[0] < ORG_SNAPSHOT_SECONDS:
        return hit[1]
    histogram = session.exec(
        select(PersonPoints.points, sa.func.count()).where(PersonPoints.period == key)
        .group_by(PersonPoints.points)
    ).all()
    inactive = session.exec(
        select(PersonPoints.points).join(Person, Person.id == PersonPoints.person_id)
        .where(PersonPoints.period == key, Person.is_active.is_(False))
    ).all()
    above: dict[int, int] = {}
    running = 0
    for points, count in sorted(histogram, reverse=True):
        above[points] = running
        running += count
    gone = sorted(inactive, reverse=True)

    def rank(points: int) -> int:
        ahead = above.get(points, running)
        ahead -= sum(1 for p in gone if p > points)
        return 1 + ahead

    _histograms[cache_key] = (time.monotonic(), rank)
    return rank


def _org_people(session: Session, key: str, offset: int, limit: int,
                scope_path: str | None = None) -> tuple[list[tuple[int, int]], bool]:
    rows = session.exec(
        _in_scope(select(PersonPoints.person_id, PersonPoints.points), scope_path)
        .where(PersonPoints.period == key)
        .order_by(PersonPoints.points.desc(), PersonPoints.person_id.desc())
        .offset(offset).limit(limit + 1)
    ).all()
    return [(pid, pts) for pid, pts in rows[:limit]], len(rows) > limit


def people_board(
    session: Session, *, keys: list[str], label: str, prev_key: str | None, unit_id: int | None,
    offset: int, limit: int, title: str = "",
) -> Board:
    """Individuals ranked by points: across the organisation, or within a unit subtree.

    A unit of up to SMALL_UNIT people is ranked whole (everyone listed, zero included, with
    the rank change); a larger subtree is read like the organisation's board, an index scan
    in points order filtered to the subtree (people with points only, no rank change).
    """
    scope_path: str | None = None
    if unit_id:
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise NotFound("This unit does not exist.")
        if _org_snapshot(session).heads.get(unit.id, 0) <= SMALL_UNIT:
            return _unit_people_board(session, unit, keys, label, prev_key, offset, limit, title)
        scope_path, prev_key = unit.path, None
        title = title or f"Individuals in {unit.name}"
    if len(keys) == 1:
        page, has_more = _org_people(session, keys[0], offset, limit, scope_path)
        first_rank = 1 + _active_people_above(session, keys[0], page[0][1], scope_path) if page else 1
    else:
        summed = (
            _in_scope(select(PersonPoints.person_id, sa.func.sum(PersonPoints.points).label("pts")), scope_path)
            .where(PersonPoints.period.in_(keys))
            .group_by(PersonPoints.person_id)
            .subquery()
        )
        rows = session.exec(
            select(summed.c.person_id, summed.c.pts).order_by(summed.c.pts.desc(), summed.c.person_id.desc())
            .offset(offset).limit(limit + 1)
        ).all()
        page, has_more = [(pid, int(pts)) for pid, pts in rows[:limit]], len(rows) > limit
        first_rank = 1 + (session.exec(
            select(sa.func.count()).select_from(summed).where(summed.c.pts > page[0][1])).one() if page else 0)
    ranks: list[int] = []
    for i, (_pid, pts) in enumerate(page):
        ranks.append(first_rank if i == 0 else (ranks[-1] if pts == page[i - 1][1] else offset + i + 1))
    people = _people_info(session, [pid for pid, _ in page])
    previous: dict[int, int] = {}
    if prev_key is not None and page:
        prev_points = dict(session.exec(
            select(PersonPoints.person_id, PersonPoints.points)
            .where(PersonPoints.period == prev_key, PersonPoints.person_id.in_([pid for pid, _ in page]))
        ).all())
        rank_of = _ranks_by_points(session, prev_key)
        previous = {pid: rank_of(pts) for pid, pts in prev_points.items()}
    rows_out = []
    # Within a tie, list by name: the cut between pages stays deterministic (by id).
    order = sorted(range(len(page)), key=lambda i: (ranks[i], fold(people.get(page[i][0], ("", ""))[0]), page[i][0]))
    for i in order:
        pid, pts = page[i]
        name, unit_name = people.get(pid, ("", ""))
        change = rules.rank_change(ranks[i], previous.get(pid)) if prev_key is not None else None
        rows_out.append(BoardRow(rank=ranks[i], subject_id=pid, name=name, detail=unit_name, points=pts,
                                 change=change, change_text=_change_text(change) if prev_key is not None else ""))
    return Board(board="people", title=title or BOARDS["people"], period_label=label, rows=rows_out,
                 offset=offset, limit=limit, has_more=has_more)


def _people_info(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):  # bounded IN lists, even for a whole-board export
        rows = session.exec(
            select(Person.id, Person.full_name, Unit.name).join(Unit, Unit.id == Person.unit_id)
            .where(Person.id.in_(ids[start:start + 500]))
        ).all()
        out.update({pid: (name, unit_name) for pid, name, unit_name in rows})
    return out


def _unit_people_scores(session: Session, unit: Unit, keys: list[str]) -> list[tuple[int, str, str, int]]:
    pts = sa.func.coalesce(sa.func.sum(PersonPoints.points), 0)
    rows = session.exec(
        select(Person.id, Person.full_name, Unit.name, pts)
        .join(Unit, Unit.id == Person.unit_id)
        .join(PersonPoints, sa.and_(PersonPoints.person_id == Person.id, PersonPoints.period.in_(keys)), isouter=True)
        .where(Person.is_active.is_(True),
               # By unit id (person.unit_id is indexed), not by a path test on every person.
               Person.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path))))
        .group_by(Person.id, Person.full_name, Unit.name)
    ).all()
    out = [(pid, name, unit_name, int(p)) for pid, name, unit_name, p in rows]
    out.sort(key=lambda r: (-r[3], fold(r[1]), r[0]))
    return out


def _unit_people_board(session, unit, keys, label, prev_key, offset, limit, title) -> Board:
    scored = _unit_people_scores(session, unit, keys)
    ranks = rules.competition_ranks([r[3] for r in scored])
    previous: dict[int, int] = {}
    if prev_key is not None:
        prev = _unit_people_scores(session, unit, [prev_key])
        previous = {r[0]: rank for rank, r in zip(rules.competition_ranks([r[3] for r in prev]), prev, strict=True)}
    rows = []
    for rank, (pid, name, unit_name, pts) in list(zip(ranks, scored, strict=True))[offset:offset + limit]:
        change = rules.rank_change(rank, previous.get(pid)) if prev_key is not None else None
        rows.append(BoardRow(rank=rank, subject_id=pid, name=name, detail=unit_name, points=pts, change=change,
                             change_text=_change_text(change) if prev_key is not None else ""))
    return Board(board="people", title=title or f"Individuals in {unit.name}", period_label=label, rows=rows,
                 offset=offset, limit=limit, has_more=len(scored) > offset + limit)


def leaderboard(
    session: Session,
    *,
    actor: Actor | None,
    board: str,
    today: date,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    group_id: int | None = None,
    level: int | None = None,
    unit_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    export: bool = False,
) -> Board:
    """A page of a leaderboard for the actor (``export``: the whole board, up to EXPORT_LIMIT rows).

    Args:
        board: ``units`` (subtree points), ``units_per_member``, or ``people``.
        period: a month, quarter or year key (default: this month); or ``start``/``end``
            months for a custom range.
        group_id: units of one peer cohort (unit boards). ``level``: otherwise units at this
            depth of the tree (default 1, the units directly under the organisation).
        unit_id: people of this unit and its sub-units (people board).

    Raises:
        NotAllowed: not logged in, or individual boards switched off (officers still see them).
        Invalid: a bad period or board.
    """
    require(actor, Perm.VIEW_SCORES)
    if board not in BOARDS:
        raise Invalid("Choose a leaderboard.")
    offset = max(0, int(offset))
    limit = EXPORT_LIMIT if export else min(MAX_LIMIT, max(1, int(limit)))
    keys, label, prev_key = resolve_period(period, start, end, today)
    if board == "people":
        if not options(session).individual_boards and not can(actor, Perm.MANAGE_SCORING):
            raise NotAllowed("Individual rankings are switched off for the organisation; unit rankings remain.")
        return people_board(session, keys=keys, label=label, prev_key=prev_key, unit_id=unit_id,
                            offset=offset, limit=limit)
    return unit_board(session, keys=keys, label=label, prev_key=prev_key, per_member=board == "units_per_member",
                      group_id=group_id, level=level, offset=offset, limit=limit)


def _months_of(keys: list[str]) -> list[str]:
    months: list[str] = []
    for key in keys:
        _kind, first, last = rules.parse_period(key)
        y, m = first.year, first.month
        while date(y, m, 1) <= last:
            months.append(rules.month_key(date(y, m, 1)))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _bounds(keys: list[str]) -> tuple[date, date]:
    spans = [rules.parse_period(k) for k in keys]
    return min(s[1] for s in spans), max(s[2] for s in spans)


def _entry_rows(session: Session, where: list, offset: int, limit: int) -> tuple[list[EntryRow], int]:
    total = session.exec(select(sa.func.count()).select_from(PointEntry).where(*where)).one()
    rows = session.exec(
        select(PointEntry, Person.full_name).join(Person, Person.id == PointEntry.person_id, isouter=True)
        .where(*where).order_by(PointEntry.day.desc(), PointEntry.id.desc()).offset(offset).limit(limit)
    ).all()
    out = [EntryRow(id=e.id, day=e.day.isoformat(), source=e.source, label=SOURCE_LABELS[Source(e.source)],
                    ref=e.source_ref, points=e.points, person=name or "(whole unit)", reason=e.reason,
                    reversal=e.reverses_id is not None) for e, name in rows]
    return out, total


def breakdown(
    session: Session,
    *,
    actor: Actor | None,
    subject: str,
    subject_id: int,
    today: date,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Breakdown:
    """Why a person or unit has its score: totals by source, and the entries themselves for
    those who may see them (the person, their unit heads, officers).

    Raises:
        NotAllowed: not logged in; someone else's individual score while individual boards are off.
        NotFound: no such person or unit.
    """
    require(actor, Perm.VIEW_SCORES)
    keys, label, _prev = resolve_period(period, start, end, today)
    months = _months_of(keys)
    first, last = _bounds(keys)
    offset = max(0, int(offset))
    limit = min(100, max(1, int(limit)))
    if subject == "person":
        person = session.get(Person, subject_id)
        if person is None:
            raise NotFound("This person does not exist.")
        unit = session.get(Unit, person.unit_id)
        own = actor.person_id == person.id
        if (not own and not options(session).individual_boards and not can(actor, Perm.MANAGE_SCORING)):
            raise NotAllowed("Individual scores are switched off for the organisation.")
        by_source = session.exec(
            select(PersonSourcePoints.source, sa.func.sum(PersonSourcePoints.points))
            .where(PersonSourcePoints.person_id == person.id, PersonSourcePoints.month.in_(months))
            .group_by(PersonSourcePoints.source)
        ).all()
        visible = own or can(actor, Perm.MANAGE_SCORING) or can(actor, Perm.VIEW_PEOPLE, unit_path=unit.path)
        where = [PointEntry.person_id == person.id, PointEntry.day >= first, PointEntry.day <= last]
        name = person.full_name
    elif subject == "unit":
        unit = session.get(Unit, subject_id)
        if unit is None:
            raise NotFound("This unit does not exist.")
        by_source = session.exec(
            select(UnitSourcePoints.source, sa.func.sum(UnitSourcePoints.points))
            .join(Unit, Unit.id == UnitSourcePoints.unit_id)
            .where(Unit.path.startswith(unit.path), UnitSourcePoints.month.in_(months))
            .group_by(UnitSourcePoints.source)
        ).all()
        visible = can(actor, Perm.MANAGE_SCORING) or can(actor, Perm.VIEW_PEOPLE, unit_path=unit.path)
        where = [PointEntry.unit_path.startswith(unit.path), PointEntry.day >= first, PointEntry.day <= last]
        name = unit.name
    else:
        raise Invalid("Choose a person or a unit.")
    totals = {src: int(pts or 0) for src, pts in by_source}
    sources = [SourceTotal(source=s.value, label=SOURCE_LABELS[s], points=totals.get(s.value, 0))
               for s in Source if totals.get(s.value)]
    entries, count = _entry_rows(session, where, offset, limit) if visible else ([], 0)
    return Breakdown(subject=subject, subject_id=subject_id, name=name, period_label=label,
                     points=sum(totals.values()), by_source=sources, entry_rows=entries, entries_visible=visible,
                     entries_total=count, offset=offset)


def history(
    session: Session, *, actor: Actor | None, subject: str, subject_id: int, today: date, months: int = 12,
) -> list[MonthPoint]:
    """Points per month by source over the last ``months`` months (oldest first), for charts.

    Raises:
        NotAllowed / NotFound: as ``breakdown``.
    """
    require(actor, Perm.VIEW_SCORES)
    months = min(36, max(1, int(months)))
    keys = []
    y, m = today.year, today.month
    for _ in range(months):
        keys.append(rules.month_key(date(y, m, 1)))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    keys.reverse()
    if subject == "person":
        person = session.get(Person, subject_id)
        if person is None:
            raise NotFound("This person does not exist.")
        if (actor.person_id != person.id and not options(session).individual_boards
                and not can(actor, Perm.MANAGE_SCORING)):
            raise NotAllowed("Individual scores are switched off for the organisation.")
        rows = session.exec(
            select(PersonSourcePoints.month, PersonSourcePoints.source, PersonSourcePoints.points)
            .where(PersonSourcePoints.person_id == person.id, PersonSourcePoints.month.in_(keys))
        ).all()
    elif subject == "unit":
        unit = session.get(Unit, subject_id)
        if unit is None:
            raise NotFound("This unit does not exist.")
        rows = session.exec(
            select(UnitSourcePoints.month, UnitSourcePoints.source, sa.func.sum(UnitSourcePoints.points))
            .join(Unit, Unit.id == UnitSourcePoints.unit_id)
            .where(Unit.path.startswith(unit.path), UnitSourcePoints.month.in_(keys))
            .group_by(UnitSourcePoints.month, UnitSourcePoints.source)
        ).all()
    else:
        raise Invalid("Choose a person or a unit.")
    grid: dict[str, dict[str, int]] = {k: {} for k in keys}
    for month, source, pts in rows:
        if pts:
            grid[month][source] = int(pts)
    return [MonthPoint(month=k, total=sum(v.values()), by_source=v) for k, v in grid.items()]


def display_board(session: Session, *, token: str, today: date) -> Board:
    """The leaderboard a lobby-screen link shows (no login; the link is the credential).

    Raises:
        NotFound: unknown or revoked link.
    """
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound("This screen link is not valid. Ask the emulation officer for a new one.")
    row = session.exec(select(ScoreDisplay).where(ScoreDisplay.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        raise NotFound("This screen link is not valid. Ask the emulation officer for a new one.")
    key = rules.period_key(rules.PeriodKind(row.period_kind), today)
    prev = rules.previous_period(key)
    if row.board == "people":
        if not options(session).individual_boards:
            raise NotFound("Individual rankings are switched off for the organisation.")
        return people_board(session, keys=[key], label=key, prev_key=prev, unit_id=None, offset=0, limit=20,
                            title=row.title)
    return unit_board(session, keys=[key], label=key, prev_key=prev, per_member=row.board == "units_per_member",
                      group_id=row.group_id, level=None, offset=0, limit=20, title=row.title)


def displays(session: Session, *, actor: Actor | None) -> list[DisplayRow]:
    """Lobby screens, newest first (officers)."""
    require(actor, Perm.MANAGE_SCORING)
    rows = session.exec(
        select(ScoreDisplay, UnitGroup.name).join(UnitGroup, UnitGroup.id == ScoreDisplay.group_id, isouter=True)
        .order_by(ScoreDisplay.id.desc()).limit(100)
    ).all()
    return [DisplayRow(id=d.id, title=d.title, board=BOARDS.get(d.board, d.board),
                       period_kind=PERIOD_KIND_LABELS.get(d.period_kind, d.period_kind), group=g or "Top-level units",
                       created_at=d.created_at.date().isoformat(), active=d.revoked_at is None) for d, g in rows]


def criteria_versions(session: Session, *, actor: Actor | None, year: int) -> list[CriteriaVersion]:
    """Every published version of a year's criteria, newest first; the defaults when none."""
    require(actor, Perm.VIEW_SCORES)
    rows = session.exec(
        select(ScoringCriteria).where(ScoringCriteria.year == year)
        .order_by(ScoringCriteria.version.desc())
    ).all()
    out = [CriteriaVersion(year=r.year, version=r.version, effective_from=r.effective_from.isoformat(), note=r.note,
                           rules={s.value: (c.weight, c.monthly_cap) for s, c in decode_criteria(r.rules).items()})
           for r in rows]
    if not out:
        defaults = {s.value: (c.weight, c.monthly_cap) for s, c in rules.DEFAULT_CRITERIA.items()}
        out.append(CriteriaVersion(year=year, version=0, effective_from=f"{year}-01-01", note="Defaults",
                                   rules=defaults))
    return out


def my_standing(session: Session, *, actor: Actor | None, today: date) -> Standing:
    """My points this month and this year, and where my top-level unit stands this month."""
    require(actor, Perm.VIEW_SCORES)
    month, year = rules.month_key(today), rules.year_key(today)
    mine = dict(session.exec(
        select(PersonPoints.period, PersonPoints.points)
        .where(PersonPoints.person_id == actor.person_id, PersonPoints.period.in_([month, year]))
    ).all())
    parts = [int(p) for p in actor.unit_path.strip("/").split("/") if p]
    top_id = parts[1] if len(parts) > 1 else None
    if top_id is None:
        return Standing(month=month, my_points=mine.get(month, 0), my_year_points=mine.get(year, 0))
    units = _candidate_units(session, _org_snapshot(session), None, 1)
    ranked = _rank_units(units, _unit_totals(session, [month], {u.id for u in units}), {}, per_member=False)
    for rank, _score, unit, _pts, _pm in ranked:
        if unit.id == top_id:
            return Standing(month=month, my_points=mine.get(month, 0), my_year_points=mine.get(year, 0),
                            unit_name=unit.name, unit_rank=rank, unit_count=len(ranked))
    return Standing(month=month, my_points=mine.get(month, 0), my_year_points=mine.get(year, 0))


# --- for the digests (scheduled jobs, no actor) ------------------------------------------------


def points_between(session: Session, *, person_ids: list[int], first: date, last: date) -> dict[int, int]:
    """Each person's points from entries dated first..last (reversals included), by index range."""
    if not person_ids:
        return {}
    return dict(session.exec(
        select(PointEntry.person_id, sa.func.sum(PointEntry.points))
        .where(PointEntry.person_id.in_(person_ids), PointEntry.day >= first, PointEntry.day <= last)
        .group_by(PointEntry.person_id)).all())


def person_totals(session: Session, *, person_ids: list[int], periods: list[str]) -> dict[tuple[int, str], int]:
    """(person, period) -> stored total, for the given people and periods."""
    if not person_ids:
        return {}
    return {(pid, period): points for pid, period, points in session.exec(
        select(PersonPoints.person_id, PersonPoints.period, PersonPoints.points)
        .where(PersonPoints.period.in_(periods), PersonPoints.person_id.in_(person_ids))).all()}


def unit_standings(session: Session, *, key: str, prev_key: str | None) -> dict[int, UnitStanding]:
    """Every active unit's standing among the active units of the same depth (the unit board),
    with its active members (sub-units included)."""
    snapshot = _org_snapshot(session)
    by_depth: dict[int, list[_UnitInfo]] = defaultdict(list)
    for u in snapshot.units.values():
        by_depth[u.depth].append(u)
    ids = set(snapshot.units)
    totals = _unit_totals(session, [key], ids)
    previous_totals = _unit_totals(session, [prev_key], ids) if prev_key else None
    out: dict[int, UnitStanding] = {}
    for units in by_depth.values():
        previous: dict[int, int] = {}
        if previous_totals is not None:
            previous = {u.id: rank for rank, _s, u, _p, _m in _rank_units(units, previous_totals, {}, False)}
        for rank, _score, u, pts, _pm in _rank_units(units, totals, {}, False):
            out[u.id] = UnitStanding(points=pts, rank=rank, peers=len(units), previous_rank=previous.get(u.id),
                                    members=snapshot.heads.get(u.id, 0))
    return out
