"""Reads of commendations: the catalogue, rating sheets, registrations, initiatives, the register
of titles, and the eligibility engine.

The eligibility of every title for a whole subtree is computed set-based (``compute``): a fixed
number of queries loads the facts of every person and unit at once, and the pure rules judge
them in memory in dependency order (LĐTT before CSTĐCS before CSTĐ cấp tỉnh; people before
collectives). Results are cached per process, keyed by the last audit entry: every write of
this feature (and of the organisation) is audited, so a new entry means the facts may have changed.
"""

from __future__ import annotations

import gc
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from engagement.commendations import models, rules
from engagement.commendations.dto import (
    AwardRow,
    Catalogue,
    ExclusionRow,
    InitiativeRow,
    MyCommendations,
    RatingRow,
    RatingSheet,
    RegistrationRow,
    RuleRow,
    SalaryRow,
    TitleOption,
    TitleRow,
    UnitRatingRow,
    YearSettings,
)
from engagement.commendations.rules import COLLECTIVE, INDIVIDUAL, PersonFacts, UnitFacts
from engagement.core import clock, formats
from engagement.core.access import Actor, Perm, can, reach, require, require_login
from engagement.core.audit import AuditEntry
from engagement.core.clock import local_day
from engagement.core.errors import NotFound
from engagement.core.files import StoredFile
from engagement.core.i18n import N_, Msg
from engagement.org import labels
from engagement.org.models import Person, Unit
from engagement.settings import get_settings

CHUNK = 900
#: Subtrees up to this many people (or units) are read by id rather than by path (see ``compute``).
SMALL_TREE = 2000

SUBJECT_NAMES: dict[str, Msg] = {INDIVIDUAL: N_("Individual"), COLLECTIVE: N_("Collective")}
KIND_NAMES: dict[str, Msg] = {rules.TITLE: N_("Emulation title"), rules.FORM: N_("Form of commendation")}
DECIDER_NAMES: dict[str, Msg] = {
    "org_head": N_("Head of the organisation"),
    "unit_head": N_("Unit head (level {depth})"),
    "higher": N_("Higher authority (the organisation proposes)"),
}
REGISTRATION_NAMES: dict[str, Msg] = {
    rules.REGISTERED: N_("Registered, awaiting confirmation"),
    rules.CONFIRMED: N_("Confirmed"),
    rules.WITHDRAWN: N_("Withdrawn"),
}
SOURCE_NAMES: dict[str, Msg] = {"entered": N_("Entered"), "imported": N_("Imported"), "decided": N_("Decided")}


def today(now: datetime) -> date:
    """The organisation's calendar day of ``now``."""
    return local_day(now, get_settings().tz)


# --- dated rules -------------------------------------------------------------------------------


def version_of(row: models.TitleRule) -> rules.RuleVersion:
    """A rule row as the pure rules read it."""
    return rules.RuleVersion(
        valid_from=row.valid_from, valid_to=row.valid_to, decider=row.decider, coefficient_pct=row.coefficient_pct,
        ballot_required=row.ballot_required, threshold_pct=row.threshold_pct, quota_kind=row.quota_kind,
        quota_pct=row.quota_pct, criteria=tuple(json.loads(row.criteria or "[]")), basis_document=row.basis_document,
        basis_article=row.basis_article, note=row.note, decider_depth=row.decider_depth, id=row.id or 0)


def titles_with_versions(session: Session, *,
                         active_only: bool = True) -> list[tuple[models.Title, list[rules.RuleVersion]]]:
    """Every catalogue entry with all its versions, in catalogue order."""
    stmt = select(models.Title).order_by(models.Title.sort_order, models.Title.id)
    if active_only:
        stmt = stmt.where(models.Title.is_active.is_(True))
    titles = list(session.exec(stmt))
    versions: dict[int, list[rules.RuleVersion]] = {}
    for row in session.exec(select(models.TitleRule).order_by(models.TitleRule.valid_from)):
        versions.setdefault(row.title_id, []).append(version_of(row))
    return [(t, versions.get(t.id, [])) for t in titles]


def base_salaries(session: Session) -> list[tuple[date, int]]:
    """The base salary table as (valid from, amount)."""
    return [(d, a) for d, a in session.exec(select(models.BaseSalary.valid_from, models.BaseSalary.amount)
                                            .order_by(models.BaseSalary.valid_from))]


def exclusions(session: Session) -> rules.Exclusions:
    """The local exclusions switched on."""
    rows = {r.code: r for r in session.exec(select(models.Exclusion))}

    def on(code: str) -> models.Exclusion | None:
        row = rows.get(code)
        return row if row is not None and row.is_enabled else None

    return rules.Exclusions(
        recent_recruit_months=on("recent_recruit").value if on("recent_recruit") else None,
        absent_days=on("absent").value if on("absent") else None,
        not_registered=on("not_registered") is not None, disciplined=on("disciplined") is not None,
        basis={code: r.basis_document for code, r in rows.items() if r.is_enabled})


# --- the eligibility engine ------------------------------------------------------------------


@dataclass
class Subject:
    """A person or unit judged, with what the list shows of them."""

    id: int
    code: str
    name: str
    unit_name: str


@dataclass
class TitleOutcome:
    """Every subject's judgement for one title."""

    title_id: int
    code: str
    abbreviation: str
    name: str
    subject: str
    rule: rules.RuleVersion | None
    judgements: dict[int, rules.Judgement] = field(default_factory=dict)  # subject id -> judgement
    headcount: int = 0

    def count(self, status: str) -> int:
        """How many subjects have ``status``."""
        return sum(1 for j in self.judgements.values() if j.status == status)

    @property
    def allowed(self) -> int | None:
        """How many the quota allows (None without a quota)."""
        if self.rule is None:
            return None
        return rules.quota_allows(self.rule.quota_kind, self.rule.quota_pct, eligible=self.count(rules.ELIGIBLE),
                                  headcount=self.headcount)


@dataclass
class Computation:
    """The eligibility of every title of a year for a subtree."""

    year: int
    people: dict[int, Subject]
    units: dict[int, Subject]
    outcomes: dict[str, TitleOutcome]  # by title code
    people_with_holds: int = 0
    people_with_discipline: int = 0


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _span(titles: list[tuple[models.Title, rules.RuleVersion | None]]) -> int:
    """How many years back the criteria look (the longest chain or initiative window)."""
    longest = 1

    def walk(items):
        nonlocal longest
        for item in items:
            if item.get("kind") in ("any", "all"):
                walk(item.get("of", ()))
            longest = max(longest, int(item.get("years", 1) or 1))

    for _title, rule in titles:
        if rule is not None:
            walk(rule.criteria)
    return longest


#: The facts ``_facts_key`` covers: a new field of ``PersonFacts`` must be added to the key too.
_KEYED_FACTS = {"person_id", "ratings", "months_worked", "absent_days", "registered", "awards", "initiatives",
                "disciplines", "hold"}
if {f.name for f in fields(PersonFacts)} != _KEYED_FACTS:
    raise RuntimeError("PersonFacts changed: update queries._facts_key and _KEYED_FACTS")


def _facts_key(f: PersonFacts, ex: rules.Exclusions) -> tuple | None:
    """Everything of a person's facts a judgement reads, as a hashable key (None with initiatives,
    whose ids a judgement carries). Months worked and days absent only matter, with their value,
    when they exclude the person."""
    if f.initiatives:
        return None
    months = f.months_worked if (ex.recent_recruit_months is not None and f.months_worked is not None
                                 and f.months_worked < ex.recent_recruit_months) else None
    absent = f.absent_days if (ex.absent_days is not None and (f.absent_days or 0) >= ex.absent_days) else None
    return (tuple(sorted(f.ratings.items())), months, absent, f.registered,
            tuple(sorted((code, tuple(sorted(years))) for code, years in f.awards.items())),
            tuple(sorted((d.form, d.starts_on, d.ends_on) for d in f.disciplines)), f.hold)


def compute(session: Session, *, year: int, root_path: str, as_of: date, codes: set[str] | None = None) -> Computation:
    """Judge every active person and unit of the subtree at ``root_path`` for the titles of ``year``.

    Args:
        root_path: the materialised path of the subtree's top unit ("/" prefix of every path = all).
        as_of: the day holds are judged on (today).
        codes: only these titles (and what their criteria need); None for all.

    Returns:
        The judgements, subjects and counts. A constant number of queries, whatever the size.
    """
    with _gc_paused():
        return _compute(session, year=year, root_path=root_path, as_of=as_of, codes=codes)


class _GcPause:
    """Pauses Python's cyclic garbage collector while a computation runs (threads may overlap).

    A computation allocates about a million small objects (rows, facts, messages) that all stay
    alive until it returns; every full collection on the way would walk all of them (and every
    cached computation) again: at 50,000 people that was a third to a half of the time, growing
    with each cached result. Cycles made meanwhile (anywhere in the process) are collected after.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.depth == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.depth += 1
        try:
            yield
        finally:
            with self.lock:
                self.depth -= 1
                if self.depth == 0 and self.was_enabled:
                    gc.enable()


_gc_paused = _GcPause()


def _compute(session: Session, *, year: int, root_path: str, as_of: date, codes: set[str] | None) -> Computation:
    catalogue = [(t, rules.rule_for_year(v, year)) for t, v in titles_with_versions(session)]
    by_code = {t.code: (t, r) for t, r in catalogue}
    order = rules.evaluation_order({t.code: (r.criteria if r else ()) for t, r in catalogue})
    if codes is not None:
        needed: set[str] = set()
        stack = [c for c in codes if c in by_code]
        while stack:
            code = stack.pop()
            if code in needed:
                continue
            needed.add(code)
            rule = by_code[code][1]
            stack.extend(c for c in rules.referenced_titles(rule.criteria if rule else ()) if c in by_code)
        order = [c for c in order if c in needed]
    span = _span([by_code[c] for c in order])
    first_year = year - span + 1
    in_tree = Unit.path.startswith(root_path)

    # Each unit with its parent's name: the list tells two "Văn phòng" apart.
    parent = labels.shown_parent()
    tree = session.exec(select(Unit.id, Unit.path, Unit.code, Unit.name, parent.name)
                        .outerjoin(parent, labels.shown_parent_on(parent, Unit))
                        .where(in_tree, Unit.is_active.is_(True))).all()
    shown = {uid: labels.unit_label(name, parent_name) for uid, _p, _c, name, parent_name in tree}
    units = {uid: (path, Subject(uid, code, shown[uid], shown[uid])) for uid, path, code, _n, _pn in tree}
    people: dict[int, Subject] = {}
    person_path: dict[int, str] = {}
    facts: dict[int, PersonFacts] = {}
    for pid, code, name, unit_id, path, unit_name in session.exec(
            select(Person.id, Person.employee_code, Person.full_name, Person.unit_id, Unit.path, Unit.name)
            .join(Unit, Unit.id == Person.unit_id).where(in_tree, Person.is_active.is_(True))):
        people[pid] = Subject(pid, code, name, shown.get(unit_id, unit_name))
        person_path[pid] = path
        facts[pid] = PersonFacts(person_id=pid)

    small = len(people) <= SMALL_TREE

    def person_rows(stmt, person_col):
        """Rows of ``stmt`` for the people of the subtree (joined on their current unit's path).

        A small subtree (a unit head's) is read by its people's ids instead: a path prefix cannot
        use an index on SQLite, so the join would scan a whole year of the organisation's rows.
        """
        if small:
            return [row for chunk in _chunks(list(people)) for row in session.exec(stmt.where(person_col.in_(chunk)))]
        return session.exec(stmt.join(Person, Person.id == person_col).join(Unit, Unit.id == Person.unit_id)
                            .where(in_tree, Person.is_active.is_(True))).all()

    for pid, y, level, months, days in person_rows(
            select(models.Rating.person_id, models.Rating.year, models.Rating.level, models.Rating.months_worked,
                   models.Rating.absent_days).where(models.Rating.year >= first_year, models.Rating.year <= year),
            models.Rating.person_id):
        f = facts[pid]
        f.ratings[y] = level
        if y == year:
            f.months_worked, f.absent_days = months, days
    for pid in person_rows(select(models.Registration.person_id).where(  # one column: sqlmodel gives scalars
            models.Registration.year == year, models.Registration.status != rules.WITHDRAWN,
            models.Registration.person_id.is_not(None)).distinct(), models.Registration.person_id):
        facts[pid].registered = True
    code_of = {t.id: t.code for t, _r in catalogue}
    for pid, title_id, y in person_rows(
            select(models.Award.person_id, models.Award.title_id, models.Award.year).where(
                models.Award.year >= first_year, models.Award.year <= year, models.Award.revoked_at.is_(None),
                models.Award.person_id.is_not(None)), models.Award.person_id):
        if title_id in code_of:
            facts[pid].awards.setdefault(code_of[title_id], set()).add(y)
    for pid, iid, scope, y, decided_on, used in person_rows(
            select(models.InitiativeAuthor.person_id, models.Initiative.id, models.Initiative.scope,
                   models.Initiative.year, models.Initiative.decided_on, models.Initiative.used_for_award_id)
            .join(models.Initiative, models.Initiative.id == models.InitiativeAuthor.initiative_id)
            .where(models.Initiative.year >= first_year, models.Initiative.year <= year),
            models.InitiativeAuthor.person_id):
        facts[pid].initiatives.append(rules.InitiativeFact(iid, scope, y, decided_on, used is not None))
    with_discipline = set()
    for pid, form, starts_on, ends_on in person_rows(
            select(models.Discipline.person_id, models.Discipline.form, models.Discipline.starts_on,
                   models.Discipline.ends_on).where(models.Discipline.starts_on <= rules.year_end(year)),
            models.Discipline.person_id):
        facts[pid].disciplines.append(rules.DisciplineFact(form, starts_on, ends_on))
        with_discipline.add(pid)
    held = 0
    for pid, reason in person_rows(
            select(models.Hold.person_id, models.Hold.reason).where(
                models.Hold.lifted_at.is_(None), models.Hold.starts_on <= as_of,
                sa.or_(models.Hold.ends_on.is_(None), models.Hold.ends_on >= as_of)), models.Hold.person_id):
        if facts[pid].hold is None:
            held += 1
        facts[pid].hold = reason
    ex = exclusions(session)
    names = {t.code: t.abbreviation for t, _r in catalogue}
    outcomes: dict[str, TitleOutcome] = {}
    eligible_now: dict[str, set[str]] = {}
    individual_codes = [c for c in order if by_code[c][0].subject == INDIVIDUAL]
    collective_codes = [c for c in order if by_code[c][0].subject == COLLECTIVE]
    # People with the same facts get the same judgement: most of a province shares a handful of
    # rating histories, so each distinct set of facts is judged once per title and the (frozen)
    # judgement shared. A judgement depends on the person only through their initiatives (their
    # ids are in it: such people are judged one by one) and, for criteria naming another title
    # this year, whether they are eligible for it now (part of the key).
    person_keys = {pid: rules.person_key(pid) for pid in facts}
    groups: dict[tuple, int] = {}  # a key's number: the memo below hashes small tuples
    shared: dict[int, int | None] = {}
    for pid, f in facts.items():
        facts_key = _facts_key(f, ex)
        shared[pid] = None if facts_key is None else groups.setdefault(facts_key, len(groups))
    for code in individual_codes:
        title, rule = by_code[code]
        outcome = TitleOutcome(title.id, code, title.abbreviation, title.name, INDIVIDUAL, rule,
                               headcount=len(people))
        outcomes[code] = outcome
        if rule is None:
            continue
        ctx = rules.Context(year=year, code=code, abbreviation=title.abbreviation, names=names,
                            eligible_now=eligible_now)
        refs = [eligible_now.get(c, set()) for c in sorted(rules.referenced_titles(rule.criteria))]
        seen: dict[tuple[int, ...], rules.Judgement] = {}
        keys: set[str] = set()
        for pid, f in facts.items():
            key, base = person_keys[pid], shared[pid]
            if base is None:
                judgement = rules.judge_person(rule.criteria, f, ctx, ex)
            else:
                memo = (base, *(key in r for r in refs))
                judgement = seen.get(memo)
                if judgement is None:
                    judgement = seen[memo] = rules.judge_person(rule.criteria, f, ctx, ex)
            outcome.judgements[pid] = judgement
            if judgement.status == rules.ELIGIBLE:
                keys.add(key)
        eligible_now[code] = keys

    if collective_codes:
        unit_facts = _unit_facts(session, year=year, units=units, facts=facts, person_path=person_path,
                                 eligible_now=eligible_now, code_of=code_of, in_tree=in_tree)
        for code in collective_codes:
            title, rule = by_code[code]
            outcome = TitleOutcome(title.id, code, title.abbreviation, title.name, COLLECTIVE, rule,
                                   headcount=len(units))
            outcomes[code] = outcome
            if rule is None:
                continue
            ctx = rules.Context(year=year, code=code, abbreviation=title.abbreviation, names=names,
                                eligible_now=eligible_now)
            keys = set()
            for uid, uf in unit_facts.items():
                judgement = rules.judge_unit(rule.criteria, uf, ctx)
                outcome.judgements[uid] = judgement
                if judgement.status == rules.ELIGIBLE:
                    keys.add(rules.unit_key(uid))
            eligible_now[code] = keys
    return Computation(year=year, people=people, units={u: s for u, (_p, s) in units.items()}, outcomes=outcomes,
                       people_with_holds=held, people_with_discipline=len(with_discipline))


def _unit_facts(session: Session, *, year: int, units: dict[int, tuple[str, Subject]], facts: dict[int, PersonFacts],
                person_path: dict[int, str], eligible_now: dict[str, set[str]], code_of: dict[int, str],
                in_tree: sa.ColumnElement) -> dict[int, UnitFacts]:
    """Each unit's rating, titles and its members' outcomes (members: every active person of its subtree)."""
    out = {uid: UnitFacts(unit_id=uid) for uid in units}

    def unit_rows(stmt, unit_col):
        """Rows of ``stmt`` for the units of the subtree (by id when there are few, as for people)."""
        if len(units) <= SMALL_TREE:
            return [row for chunk in _chunks(list(units)) for row in session.exec(stmt.where(unit_col.in_(chunk)))]
        return session.exec(stmt.join(Unit, Unit.id == unit_col).where(in_tree)).all()

    for uid, level in unit_rows(select(models.UnitRating.unit_id, models.UnitRating.level)
                                .where(models.UnitRating.year == year), models.UnitRating.unit_id):
        if uid in out:
            out[uid].rating = level
    for uid, title_id, y in unit_rows(select(models.Award.unit_id, models.Award.title_id, models.Award.year)
                                      .where(models.Award.year <= year, models.Award.year >= year - 9,
                                             models.Award.revoked_at.is_(None)), models.Award.unit_id):
        if uid in out and title_id in code_of:
            out[uid].awards.setdefault(code_of[title_id], set()).add(y)
    first, last = date(year, 1, 1), rules.year_end(year)
    eligible_people = {code: {int(k[2:]) for k in keys} for code, keys in eligible_now.items()}
    awarded_now: dict[str, set[int]] = {}
    for pid, f in facts.items():
        for code, years in f.awards.items():
            if year in years:
                awarded_now.setdefault(code, set()).add(pid)
    for pid, f in facts.items():
        ancestors = [int(x) for x in person_path[pid].strip("/").split("/") if x]
        level = f.ratings.get(year)
        rated = level is not None and level != rules.NONE
        titles_held = [code for code in set(eligible_people) | set(awarded_now)
                       if pid in eligible_people.get(code, ()) or pid in awarded_now.get(code, ())]
        forms = {d.form for d in f.disciplines if d.starts_on <= last and d.ends_on >= first}
        for uid in ancestors:
            uf = out.get(uid)
            if uf is None:
                continue
            if rated:
                uf.members += 1
                uf.member_levels[level] = uf.member_levels.get(level, 0) + 1
            for code in titles_held:
                uf.member_titles[code] = uf.member_titles.get(code, 0) + 1
            for form in forms:
                uf.disciplined[form] = uf.disciplined.get(form, 0) + 1
    return out


_CACHE: OrderedDict[tuple, Computation] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 6


#: The audit action of a view of an eligibility list (not a write: it does not change the facts).
ELIGIBILITY_VIEW = "commendations.eligibility.view"


def cached_compute(session: Session, *, year: int, root_path: str, as_of: date) -> Computation:
    """``compute`` for all titles, reused while nothing was written.

    The key is the last audit entry that is not a view of a list: every write of this feature
    and of the organisation's people and units is audited. Scanning the primary key backwards
    stops at the first such entry, however long the log.
    """
    last = session.exec(select(AuditEntry.id).where(AuditEntry.action != ELIGIBILITY_VIEW)
                        .order_by(AuditEntry.id.desc()).limit(1)).first()
    key = (str(session.get_bind().url), year, root_path, as_of, last)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    result = compute(session, year=year, root_path=root_path, as_of=as_of)
    with _CACHE_LOCK:
        _CACHE[key] = result
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def clear_cache() -> None:
    """Forget cached computations (tests)."""
    with _CACHE_LOCK:
        _CACHE.clear()


# --- catalogue -------------------------------------------------------------------------------


def _criterion_text(item: dict, names: dict[str, str]) -> str:
    kind = item.get("kind")
    title = names.get(item.get("title", ""), item.get("title", ""))
    if kind == "min_rating":
        text = N_("Rated {level} or better", level=item["level"])
    elif kind == "title_this_year":
        text = N_("{title} in the same year", title=title)
    elif kind == "consecutive_title":
        text = N_("{title} in {n} consecutive years", title=title, n=item["years"])
    elif kind == "consecutive_rating":
        text = N_("Rated {level} or better in {n} consecutive years", level=item["level"], n=item["years"])
    elif kind == "initiative":
        text = N_("{count} initiative(s) recognised at {scope} or wider within {years} year(s)",
                  count=item.get("count", 1), scope=rules.SCOPE_NAMES[item["scope"]], years=item.get("years", 1))
        if item.get("or_rating"):
            text = N_("{text}, or rated {level}", text=text, level=item["or_rating"])
    elif kind == "unit_rating":
        text = N_("Collective rating {level} or better", level=item["level"])
    elif kind == "member_title_share":
        text = N_("At least {pct}% of members with {title}", pct=item["pct"], title=title)
    elif kind == "member_rating_share":
        text = N_("At least {pct}% of members rated {level} or better", pct=item["pct"], level=item["level"])
    elif kind == "member_title_count":
        text = N_("At least {n} member(s) with {title}", n=item["min"], title=title)
    elif kind == "no_member_discipline":
        text = N_("No member disciplined at {form} or heavier", form=rules.DISCIPLINE_NAMES[item["form"]])
    else:
        inner = [_criterion_text(i, names) for i in item.get("of", ())]
        joiner = N_(" or ").render() if kind == "any" else N_(" and ").render()
        return "(" + joiner.join(inner) + ")"
    basis = item.get("basis")
    return N_("{text} — {basis}", text=text, basis=basis).render() if basis else text.render()


def _rule_row(rule: rules.RuleVersion, names: dict[str, str], salary: int | None, day: date) -> RuleRow:
    decider = DECIDER_NAMES[rule.decider]
    if rule.decider == "unit_head":
        decider = N_("Unit head (level {depth})", depth=rule.decider_depth or 0)
    quota = N_("No quota")
    if rule.quota_kind == "eligible":
        quota = N_("At most {pct}% of those eligible", pct=rule.quota_pct)
    elif rule.quota_kind == "headcount":
        quota = N_("At most {pct}% of the head count", pct=rule.quota_pct)
    ballot = N_("Council ballot: {pct}% of all members", pct=rule.threshold_pct) if rule.ballot_required \
        else N_("No ballot")
    return RuleRow(
        id=rule.id, valid_from=formats.day(rule.valid_from),
        valid_to=formats.day(rule.valid_to) if rule.valid_to else "", decider=decider.render(),
        coefficient=formats.number(rule.coefficient_pct / 100, 2),
        bonus_now=formats.number(rules.bonus(rule.coefficient_pct, salary), 0) if salary else "",
        ballot=ballot.render(), quota=quota.render(), criteria=[_criterion_text(i, names) for i in rule.criteria],
        criteria_json=json.dumps(list(rule.criteria), ensure_ascii=False, indent=1),
        basis="; ".join(x for x in (rule.basis_document, rule.basis_article) if x), note=rule.note,
        in_force=rules.in_force([rule], day) is not None)


def _exclusion_order(row: models.Exclusion) -> int:
    return rules.EXCLUSIONS.index(row.code) if row.code in rules.EXCLUSIONS else len(rules.EXCLUSIONS)


def catalogue_view(session: Session, *, actor: Actor | None, now: datetime) -> Catalogue:
    """The catalogue with every version, the base salary table and the exclusions (officers).

    Raises:
        NotAllowed: not an officer.
    """
    require(actor, Perm.MANAGE_TITLES)
    day = today(now)
    entries = titles_with_versions(session, active_only=False)
    names = {t.code: t.abbreviation for t, _v in entries}
    table = base_salaries(session)
    salary = rules.base_salary_on(table, day)
    titles = []
    for title, versions in entries:
        current = rules.in_force(versions, day)
        titles.append(TitleRow(
            id=title.id, code=title.code, abbreviation=title.abbreviation, name=title.name, subject=title.subject,
            subject_label=SUBJECT_NAMES[title.subject].render(), kind_label=KIND_NAMES[title.kind].render(),
            is_local=title.is_local, is_active=title.is_active,
            current=_rule_row(current, names, salary, day) if current else None,
            versions=[_rule_row(v, names, rules.base_salary_on(table, v.valid_from), day) for v in reversed(versions)]))
    in_force_from = max((d for d, _a in table if d <= day), default=None)
    salaries = [SalaryRow(valid_from=formats.day(d), amount=formats.number(a, 0), basis=b, in_force=d == in_force_from)
                for d, a, b in session.exec(select(models.BaseSalary.valid_from, models.BaseSalary.amount,
                                                   models.BaseSalary.basis_document)
                                            .order_by(models.BaseSalary.valid_from.desc()))]
    exclusion_rows = [ExclusionRow(code=r.code, label=N_(rules.EXCLUSION_NAMES[r.code].msgid, value=r.value).render(),
                                   enabled=r.is_enabled, value=r.value, basis=r.basis_document)
                      for r in sorted(session.exec(select(models.Exclusion)), key=_exclusion_order)]
    return Catalogue(titles=titles, salaries=salaries, exclusions=exclusion_rows)


def title_options(session: Session, *, subject: str | None = None, kind: str | None = None) -> list[TitleOption]:
    """Active titles for a selector (anyone logged in may see the catalogue's names).

    Args:
        subject: only titles for individuals or for collectives. kind: only emulation titles
            (``rules.TITLE``: what people register for) or only forms of commendation.
    """
    stmt = select(models.Title).where(models.Title.is_active.is_(True)).order_by(models.Title.sort_order,
                                                                                 models.Title.id)
    if subject:
        stmt = stmt.where(models.Title.subject == subject)
    if kind:
        stmt = stmt.where(models.Title.kind == kind)
    return [TitleOption(id=t.id, code=t.code, label=f"{t.abbreviation} – {t.name}", subject=t.subject)
            for t in session.exec(stmt)]


def year_settings(session: Session, *, year: int, now: datetime) -> YearSettings:
    """A year's window and cap (defaults when the officer has not set them)."""
    row = session.get(models.Year, year)
    day = today(now)
    opens = row.registration_opens_on if row else None
    closes = row.registration_closes_on if row else None
    return YearSettings(year=year, opens_on=formats.day(opens) if opens else "",
                        closes_on=formats.day(closes) if closes else "",
                        opens_iso=opens.isoformat() if opens else "", closes_iso=closes.isoformat() if closes else "",
                        cap_pct=row.excellent_cap_pct if row else 20,
                        window_open=bool(opens and closes and opens <= day <= closes))


# --- lists --------------------------------------------------------------------------------------


def _registration_rows(session: Session, stmt) -> list[RegistrationRow]:
    out = []
    found = session.exec(stmt).all()
    shown = labels.unit_labels(session, {unit_id for *_r, unit_id in found})  # "Văn phòng · Sở Tài chính"
    for reg, abbreviation, person_name, unit_name, unit_id in found:
        unit_name = shown.get(unit_id, unit_name or "")
        out.append(RegistrationRow(
            id=reg.id, year=reg.year, title=abbreviation, subject_name=person_name or unit_name or "",
            unit_name=unit_name or "", status=reg.status, status_label=REGISTRATION_NAMES[reg.status].render(),
            registered_at=formats.moment(reg.registered_at)))
    return out


def _registrations_stmt():
    person_unit = sa.orm.aliased(Unit)
    own_unit = sa.orm.aliased(Unit)
    return (select(models.Registration, models.Title.abbreviation, Person.full_name,
                   func.coalesce(person_unit.name, own_unit.name), func.coalesce(person_unit.id, own_unit.id))
            .join(models.Title, models.Title.id == models.Registration.title_id)
            .outerjoin(Person, Person.id == models.Registration.person_id)
            .outerjoin(person_unit, person_unit.id == Person.unit_id)
            .outerjoin(own_unit, own_unit.id == models.Registration.unit_id)), person_unit, own_unit


def registrations(session: Session, *, actor: Actor | None, unit_id: int, year: int,
                  status: str = "") -> list[RegistrationRow]:
    """The registrations of a unit subtree for a year (people and units), for the unit head to confirm.

    Raises:
        NotAllowed (outside the actor's units), NotFound (no such unit).
    """
    require(actor, Perm.RATE_PEOPLE)
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise NotFound("This unit does not exist.")
    require(actor, Perm.RATE_PEOPLE, unit_path=unit.path)
    stmt, person_unit, own_unit = _registrations_stmt()
    stmt = stmt.where(models.Registration.year == year, sa.or_(person_unit.path.startswith(unit.path),
                                                               own_unit.path.startswith(unit.path)))
    if status in REGISTRATION_NAMES:
        stmt = stmt.where(models.Registration.status == status)
    return _registration_rows(session, stmt.order_by(models.Registration.status, Person.sort_key).limit(2000))


def _initiative_rows(session: Session, initiatives: list[models.Initiative]) -> list[InitiativeRow]:
    ids = [i.id for i in initiatives]
    authors: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        for iid, name in session.exec(select(models.InitiativeAuthor.initiative_id, Person.full_name)
                                      .join(Person, Person.id == models.InitiativeAuthor.person_id)
                                      .where(models.InitiativeAuthor.initiative_id.in_(chunk))
                                      .order_by(Person.sort_key)):
            authors.setdefault(iid, []).append(name)
    award_ids = [i.used_for_award_id for i in initiatives if i.used_for_award_id]
    used: dict[int, str] = {}
    for chunk in _chunks(award_ids):
        for aid, y, abbreviation in session.exec(select(models.Award.id, models.Award.year, models.Title.abbreviation)
                                                 .join(models.Title, models.Title.id == models.Award.title_id)
                                                 .where(models.Award.id.in_(chunk))):
            used[aid] = f"{abbreviation} {y}"
    unit_names = labels.unit_labels(session, {i.unit_id for i in initiatives})
    return [InitiativeRow(id=i.id, title=i.title, year=i.year, scope=i.scope,
                          scope_label=rules.SCOPE_NAMES[i.scope].render(), decision_ref=i.decision_ref,
                          decided_on=formats.day(i.decided_on), authors=", ".join(authors.get(i.id, [])),
                          unit_name=unit_names.get(i.unit_id, ""), used_for=used.get(i.used_for_award_id or 0, ""),
                          file_id=i.file_id or 0) for i in initiatives]


def initiatives(session: Session, *, actor: Actor | None, year: int | None = None,
                unit_id: int | None = None) -> list[InitiativeRow]:
    """The initiatives registered by the units the actor rates (officers: all), newest first.

    Raises:
        NotAllowed: the actor rates no unit.
    """
    require(actor, Perm.RATE_PEOPLE)
    where = reach(actor, Perm.RATE_PEOPLE)
    stmt = select(models.Initiative).join(Unit, Unit.id == models.Initiative.unit_id)
    if not where.org:
        stmt = stmt.where(sa.or_(*[Unit.path.startswith(p) for p in where.unit_paths]))
    if year:
        stmt = stmt.where(models.Initiative.year == year)
    if unit_id:
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise NotFound("This unit does not exist.")
        stmt = stmt.where(Unit.path.startswith(unit.path))
    rows = list(session.exec(stmt.order_by(models.Initiative.year.desc(), models.Initiative.id.desc()).limit(500)))
    return _initiative_rows(session, rows)


def _award_rows(session: Session, stmt) -> list[AwardRow]:
    found = session.exec(stmt).all()
    shown = labels.unit_labels(session, {a.unit_id for a, *_r in found if a.unit_id})
    return [AwardRow(id=a.id, year=a.year, title=abbreviation,
                     subject_name=person_name or shown.get(a.unit_id or 0, unit_name or ""),
                     decision_ref=a.decision_ref, decided_on=formats.day(a.decided_on),
                     bonus=formats.number(a.bonus_amount, 0), source=SOURCE_NAMES[a.source].render(),
                     revoked=a.revoked_at is not None)
            for a, abbreviation, person_name, unit_name in found]


def _awards_stmt():
    return (select(models.Award, models.Title.abbreviation, Person.full_name, Unit.name)
            .join(models.Title, models.Title.id == models.Award.title_id)
            .outerjoin(Person, Person.id == models.Award.person_id)
            .outerjoin(Unit, Unit.id == models.Award.unit_id))


def awards(session: Session, *, actor: Actor | None, year: int | None = None, text: str = "") -> list[AwardRow]:
    """The register of titles awarded (officers), newest first, at most 500.

    Raises:
        NotAllowed: not an officer.
    """
    require(actor, Perm.MANAGE_TITLES)
    stmt = _awards_stmt()
    if year:
        stmt = stmt.where(models.Award.year == year)
    if text.strip():
        from engagement.org.rules import fold

        needle = f"%{fold(text)}%"
        stmt = stmt.where(sa.or_(Person.name_key.like(needle), Person.employee_code.ilike(f"%{text.strip()}%"),
                                 Unit.name.ilike(f"%{text.strip()}%")))
    return _award_rows(session, stmt.order_by(models.Award.year.desc(), models.Award.id.desc()).limit(500))


def my_commendations(session: Session, *, actor: Actor | None, year: int, now: datetime) -> MyCommendations:
    """My registrations of a year, my titles, my initiatives and my own ratings.

    Raises:
        NotAllowed: not logged in.
    """
    me = require_login(actor)
    stmt, _pu, _ou = _registrations_stmt()
    regs = _registration_rows(session, stmt.where(models.Registration.person_id == me.person_id,
                                                  models.Registration.year == year)
                              .order_by(models.Registration.id))
    mine = _award_rows(session, _awards_stmt().where(models.Award.person_id == me.person_id)
                       .order_by(models.Award.year.desc(), models.Award.id))
    ids = list(session.exec(select(models.InitiativeAuthor.initiative_id)
                            .where(models.InitiativeAuthor.person_id == me.person_id)))
    inits = list(session.exec(select(models.Initiative).where(models.Initiative.id.in_(ids))
                              .order_by(models.Initiative.year.desc()))) if ids else []
    ratings = [(y, level) for y, level in session.exec(
        select(models.Rating.year, models.Rating.level).where(models.Rating.person_id == me.person_id)
        .order_by(models.Rating.year.desc()))]
    return MyCommendations(year=year, window=year_settings(session, year=year, now=now), registrations=regs,
                           awards=mine, initiatives=_initiative_rows(session, inits), ratings=ratings,
                           titles=title_options(session, subject=INDIVIDUAL, kind=rules.TITLE))


def rated_units(session: Session, *, actor: Actor | None) -> list[tuple[int, str, int]]:
    """The active units the actor rates (id, name, depth), in tree order.

    Raises:
        NotAllowed: the actor rates no unit.
    """
    require(actor, Perm.RATE_PEOPLE)
    where = reach(actor, Perm.RATE_PEOPLE)
    stmt = select(Unit.id, Unit.name, Unit.depth, Unit.path).where(Unit.is_active.is_(True)).order_by(Unit.path)
    if not where.org:
        stmt = stmt.where(sa.or_(*[Unit.path.startswith(p) for p in where.unit_paths]))
    return [(uid, name, depth) for uid, name, depth, _path in session.exec(stmt)]


def can_rate(actor: Actor | None) -> bool:
    """Whether the actor rates anyone (menus)."""
    return can(actor, Perm.RATE_PEOPLE)


# --- rating sheets ----------------------------------------------------------------------------

SHEET_PAGE = 50


def rating_sheet(session: Session, *, actor: Actor | None, unit_id: int, year: int, page: int = 1,
                 text: str = "", only_unrated: bool = False) -> RatingSheet:
    """A page of the people of a unit subtree with their rating of ``year`` and the evidence beside it.

    The HTXSNV count is set against the year's cap (a share of those rated HTTNV) for the whole
    subtree, not the page.

    Raises:
        NotAllowed (outside the actor's units), NotFound.
    """
    from engagement.commendations.evidence import COMMITMENT_NAMES, evidence

    require(actor, Perm.RATE_PEOPLE)
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None or not unit.is_active:
        raise NotFound("This unit does not exist or is inactive.")
    require(actor, Perm.RATE_PEOPLE, unit_path=unit.path)
    year = rules.check_year(year, today=today(clock.now()))
    in_tree = sa.and_(Unit.path.startswith(unit.path), Person.is_active.is_(True))
    rating_join = sa.and_(models.Rating.person_id == Person.id, models.Rating.year == year)
    counts = {level or "": n for level, n in session.exec(
        select(models.Rating.level, func.count()).select_from(Person).join(Unit, Unit.id == Person.unit_id)
        .outerjoin(models.Rating, rating_join).where(in_tree).group_by(models.Rating.level))}
    stmt = (select(Person, Unit.name, models.Rating).join(Unit, Unit.id == Person.unit_id)
            .outerjoin(models.Rating, rating_join).where(in_tree))
    if text.strip():
        from engagement.org.rules import fold

        stmt = stmt.where(sa.or_(Person.name_key.like(f"%{fold(text)}%"),
                                 Person.employee_code.ilike(f"%{text.strip()}%")))
    if only_unrated:
        stmt = stmt.where(models.Rating.id.is_(None))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    pages = max(1, -(-total // SHEET_PAGE))
    page = min(max(1, page), pages)
    found = session.exec(stmt.order_by(Unit.path, Person.sort_key, Person.id)
                         .offset((page - 1) * SHEET_PAGE).limit(SHEET_PAGE)).all()
    proof = evidence(session, person_ids=[p.id for p, _u, _r in found], year=year)
    shown = labels.unit_labels(session, {p.unit_id for p, _u, _r in found})
    rows = []
    for person, unit_name, rating in found:
        unit_name = shown.get(person.unit_id, unit_name)
        ev = proof.get(person.id)
        rows.append(RatingRow(
            person_id=person.id, employee_code=person.employee_code, full_name=person.full_name, unit_name=unit_name,
            level=rating.level if rating else "", reason=rating.reason if rating else "",
            months_worked="" if rating is None or rating.months_worked is None else str(rating.months_worked),
            absent_days="" if rating is None or rating.absent_days is None else str(rating.absent_days),
            commitment=ev.commitment if ev else "none",
            commitment_label=COMMITMENT_NAMES[ev.commitment if ev else "none"].render(),
            points=formats.number(ev.points, 0) if ev else "0",
            rank=f"{ev.rank}/{ev.rank_of}" if ev and ev.rank else "",
            recognitions=ev.recognitions if ev else 0,
            citizens=(f"{ev.citizen_avg} ({ev.citizen_count})" if ev and ev.citizen_count else ""),
            spot_checks=(N_("{failed} failed of {checked} checked ({repeats} repeated)", failed=ev.failures,
                            checked=ev.checks, repeats=ev.repeats).render() if ev and ev.checks else "")))
    settings = year_settings(session, year=year, now=clock.now())
    excellent, good = counts.get(rules.EXCELLENT, 0), counts.get(rules.GOOD, 0)
    share = rules.excellent_share(excellent, good)
    allowed = rules.excellent_allowed(good, settings.cap_pct)
    unit_rows = [UnitRatingRow(unit_id=u.id, name=u.name, code=u.code, depth=u.depth - unit.depth,
                               level=r.level if r else "", reason=r.reason if r else "")
                 for u, r in session.exec(
                     select(Unit, models.UnitRating).outerjoin(models.UnitRating, sa.and_(
                         models.UnitRating.unit_id == Unit.id, models.UnitRating.year == year))
                     .where(Unit.path.startswith(unit.path), Unit.is_active.is_(True),
                            Unit.depth <= unit.depth + 2).order_by(Unit.path).limit(200))]
    return RatingSheet(rows=rows, page=page, pages=pages, total=total,
                       counts={k: v for k, v in counts.items() if k},
                       excellent_share="" if share is None else f"{share}%", cap_pct=settings.cap_pct,
                       excellent_allowed=allowed, over_cap=excellent > allowed, units=unit_rows)


# --- initiative documents -------------------------------------------------------------------------

#: The purpose ``service.record_initiative`` stores an initiative's document under.
INITIATIVE_FILE = "commendations.initiative"


def may_see_initiative_file(session: Session, actor: Actor | None, file: StoredFile) -> bool:
    """The /files reader for initiative documents: the authors, and whoever rates the unit that registered it."""
    if actor is None or file.purpose != INITIATIVE_FILE:
        return False
    found = session.exec(select(models.Initiative.id, Unit.path).join(Unit, Unit.id == models.Initiative.unit_id)
                         .where(models.Initiative.file_id == file.id)).first()
    if found is None:
        return False
    initiative_id, path = found
    if can(actor, Perm.RATE_PEOPLE, unit_path=path):
        return True
    return session.exec(select(models.InitiativeAuthor.person_id).where(
        models.InitiativeAuthor.initiative_id == initiative_id,
        models.InitiativeAuthor.person_id == actor.person_id)).first() is not None


# --- for the register of good models and the movement's review report (issue 20) --------------------


def initiative_labels(session: Session, ids: set[int] | list[int]) -> dict[int, str]:
    """Initiative id -> "title (decision, year)", for the ids that exist."""
    wanted = sorted({int(i) for i in ids if i})
    if not wanted:
        return {}
    return {iid: f"{title} ({ref}, {year})" for iid, title, ref, year in session.exec(
        select(models.Initiative.id, models.Initiative.title, models.Initiative.decision_ref,
               models.Initiative.year).where(models.Initiative.id.in_(wanted)))}


def award_labels(session: Session, ids: set[int] | list[int]) -> dict[int, str]:
    """Award id -> "title year · person or unit (decision)", for the ids that exist and are not revoked."""
    wanted = sorted({int(i) for i in ids if i})
    if not wanted:
        return {}
    found = session.exec(_awards_stmt().where(models.Award.id.in_(wanted), models.Award.revoked_at.is_(None))).all()
    shown = labels.unit_labels(session, {a.unit_id for a, *_r in found if a.unit_id})
    return {a.id: f"{abbreviation} {a.year} · {person_name or shown.get(a.unit_id or 0, unit_name or '')} "
                  f"({a.decision_ref})"
            for a, abbreviation, person_name, unit_name in found}


def recent_initiatives(session: Session, *, limit: int = 300) -> list[tuple[int, str]]:
    """The latest initiatives as (id, label), newest first: the choices to link a good model to."""
    ids = list(session.exec(select(models.Initiative.id)
                            .order_by(models.Initiative.year.desc(), models.Initiative.id.desc()).limit(limit)))
    labels = initiative_labels(session, ids)
    return [(i, labels[i]) for i in ids if i in labels]


def recent_unit_awards(session: Session, *, limit: int = 300) -> list[tuple[int, str]]:
    """The latest awards to units (collective titles), not revoked, as (id, label), newest first."""
    ids = list(session.exec(select(models.Award.id).where(models.Award.unit_id.is_not(None),
                                                          models.Award.revoked_at.is_(None))
                            .order_by(models.Award.year.desc(), models.Award.id.desc()).limit(limit)))
    labels = award_labels(session, ids)
    return [(i, labels[i]) for i in ids if i in labels]


def awards_between(session: Session, *, start: date, end: date) -> list[tuple[int | None, str, str, int]]:
    """(unit, title abbreviation, title name, count) of awards decided in [start, end], not revoked.

    One grouped statement: a person's award counts for the unit they are in now, a unit's for the unit.
    """
    unit_of = sa.func.coalesce(models.Award.unit_id, Person.unit_id)
    return [(unit_id, abbreviation, name, n) for unit_id, abbreviation, name, n in session.exec(
        select(unit_of, models.Title.abbreviation, models.Title.name, func.count())
        .join(models.Title, models.Title.id == models.Award.title_id)
        .outerjoin(Person, Person.id == models.Award.person_id)
        .where(models.Award.decided_on >= start, models.Award.decided_on <= end, models.Award.revoked_at.is_(None))
        .group_by(unit_of, models.Title.abbreviation, models.Title.name, models.Title.sort_order)
        .order_by(models.Title.sort_order, models.Title.abbreviation)).all()]
