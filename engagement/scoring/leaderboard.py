"""The leaderboard engine: ranks, previous-period ranks, unit boards, points per member,
individual boards (organisation-wide or within a unit) and custom ranges.

Boards read the stored totals (``person_points``, ``unit_points``), never the ledger: a
month's individual top 50 is an index range scan, a unit board reads at most one row per
unit. No authorisation here: ``queries`` checks the actor, then asks for a board.

Languages: the caches here (``_snapshots``, ``_histograms``) hold numbers, ids, and the names
and codes of units only, never a text in one reader's language. Every label of a board (its
title, the period, "new", the numbers) is written when the board is built, per request, in
the current language (``core.i18n.using``, set by the page's read for its reader).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.core import formats
from engagement.core.errors import NotFound
from engagement.core.i18n import _
from engagement.org.models import Person, Unit, UnitGroup, UnitGroupMember
from engagement.org.rules import fold
from engagement.scoring import rules
from engagement.scoring.dto import Board, BoardRow, UnitStanding
from engagement.scoring.models import PersonPoints, UnitPoints
from engagement.scoring.rules import BOARDS

#: Units up to this many people are ranked whole (zeros and rank change included).
SMALL_UNIT = 300


def resolve_period(
    period: str | None, start: str | None, end: str | None, today: date,
) -> tuple[list[str], str, str | None]:
    """Stored period keys to sum, the period's label (current language: "2026-03" in English,
    "Tháng 3/2026" in Vietnamese), and the previous period's key (None for a range).

    Raises:
        Invalid: a malformed period or range.
    """
    if start or end:
        months = rules.month_range(start or "", end or "")
        return rules.compress_months(months), rules.range_label(months[0], months[-1]).render(), None
    key = (period or "").strip() or rules.month_key(today)
    label = rules.period_label(key).render()
    return [key], label, rules.previous_period(key)


def _trend(change: int | None) -> str:
    """The rank change as a code the pages colour by: new, up, down or same."""
    if change is None:
        return "new"
    return "up" if change > 0 else ("down" if change < 0 else "same")


def _change_text(change: int | None) -> str:
    """The rank change as the reader sees it (current language): "new", "▲ 2", "▼ 1", "="."""
    if change is None:
        # TRANSLATORS: a leaderboard row that was not ranked in the previous period.
        return _("new")
    if change > 0:
        return "▲ " + formats.number(change, 0)
    if change < 0:
        return "▼ " + formats.number(-change, 0)
    return "="


def _row(*, rank: int, subject_id: int, name: str, detail: str, points: int, change: int | None,
         compared: bool, per_member: float = 0.0, members: int = 0) -> BoardRow:
    """A board line with its texts in the current language (``compared``: a previous period exists)."""
    return BoardRow(rank=rank, subject_id=subject_id, name=name, detail=detail, points=points,
                    per_member=per_member, members=members, change=change,
                    change_text=_change_text(change) if compared else "", trend=_trend(change) if compared else "",
                    points_text=formats.number(points, 0), per_member_text=formats.number(per_member, 2),
                    members_text=formats.number(members, 0))


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
        rows.append(_row(rank=rank, subject_id=u.id, name=u.name, detail=u.code, points=pts, per_member=pm,
                         members=heads.get(u.id, 0), change=change, compared=prev_key is not None))
    board = "units_per_member" if per_member else "units"
    return Board(board=board, title=title or BOARDS[board].render(), period_label=label, rows=rows, offset=offset,
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
        title = title or _("Individuals in {unit}", unit=unit.name)
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
        rows_out.append(_row(rank=ranks[i], subject_id=pid, name=name, detail=unit_name, points=pts,
                             change=change, compared=prev_key is not None))
    return Board(board="people", title=title or BOARDS["people"].render(), period_label=label, rows=rows_out,
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
        rows.append(_row(rank=rank, subject_id=pid, name=name, detail=unit_name, points=pts, change=change,
                         compared=prev_key is not None))
    title = title or _("Individuals in {unit}", unit=unit.name)
    return Board(board="people", title=title, period_label=label, rows=rows,
                 offset=offset, limit=limit, has_more=len(scored) > offset + limit)



def top_unit_rank(session: Session, *, key: str, unit_id: int) -> tuple[str, int, int] | None:
    """Where a top-level unit stands among the active top-level units by points in period
    ``key``: (its name, its rank, how many are ranked); None when it is not one of them."""
    units = _candidate_units(session, _org_snapshot(session), None, 1)
    ranked = _rank_units(units, _unit_totals(session, [key], {u.id for u in units}), {}, per_member=False)
    for rank, _score, unit, _pts, _pm in ranked:
        if unit.id == unit_id:
            return unit.name, rank, len(ranked)
    return None


# --- for the digests (scheduled jobs, no actor) ------------------------------------------------


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
