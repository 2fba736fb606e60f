"""Pure rules of commendations: levels, criteria, eligibility, bonus, base salary, quota, caps.

No database, no clock. A title's criteria are data (a JSON list stored with each dated rule
version, see ``CRITERIA``); ``judge_person`` and ``judge_unit`` evaluate them against the facts
the queries load in bulk, and name every failed criterion with its legal basis.

Criterion kinds (every one may carry ``basis``, the document and article it comes from):

individuals
- ``min_rating`` {level}: rated ``level`` or better this year.
- ``title_this_year`` {title}: holds, or is eligible this year for, another title.
- ``consecutive_title`` {title, years}: that title in each of the last ``years`` years up to
  this one (this year counts when held or eligible now).
- ``consecutive_rating`` {level, years}: rated ``level`` or better in each of those years.
- ``initiative`` {scope, count=1, years=1, or_rating=None}: ``count`` initiatives recognised
  at ``scope`` or wider in the last ``years`` years and not yet used for another award; or,
  with ``or_rating``, that rating this year instead.
- ``any`` / ``all`` {of: [...]}: one of / each of the inner criteria.

collectives (a unit, with every active person of its subtree as its members)
- ``unit_rating`` {level}: the unit's collective rating.
- ``member_title_share`` {title, pct}: at least pct % of the rated members hold, or are
  eligible for, ``title`` this year.
- ``member_rating_share`` {level, pct}: at least pct % of the rated members rated ``level`` or better.
- ``member_title_count`` {title, min}: at least ``min`` members hold or are eligible for it.
- ``no_member_discipline`` {form}: nobody disciplined this year at ``form`` or heavier.
- ``title_this_year`` as for individuals, with the unit's own titles.

Discipline: achievements count from the end of a discipline period (Decree 152 Art. 4): a
title year counts toward a chain only after the year the period ended, an initiative only
when decided after that day.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engagement.core import limits, workdays
from engagement.core.errors import Conflict, Invalid
from engagement.core.i18n import N_, Amount, Msg

# --- text limits ------------------------------------------------------------------------------
#: Longer is refused, never cut (``core.limits``); the pages show the same limits as counters.
ABBREVIATION_MAX, TITLE_NAME_MAX, BASIS_MAX, RULE_NOTE_MAX = 40, 200, 200, 1000
EXCLUSION_BASIS_MAX, RATING_REASON_MAX = 300, 300
COVENANT_TITLE_MAX, COVENANT_CONTENT_MAX, INITIATIVE_TITLE_MAX = 300, 4000, 300
DECISION_REF_MAX, DECIDED_BY_MAX, RECORD_NOTE_MAX, AWARD_REVOKE_REASON_MAX = 120, 200, 1000, 500
#: A nomination's texts, its public notice's and a comment on it.
OCCASION_REF_MAX, REFERENCE_MAX, SUMMARY_MAX, FILE_LABEL_MAX = 300, 120, 4000, 200
MOVE_REASON_MAX, NOTICE_TITLE_MAX, COMMENT_MAX, COMMENTER_MAX, CONTACT_MAX = 1000, 300, 4000, 120, 200
#: A decision's legal basis ("Căn cứ ..." lines).
DECISION_BASIS_MAX = 8000

# --- vocabularies -----------------------------------------------------------------------------

INDIVIDUAL, COLLECTIVE = "individual", "collective"
SUBJECTS = (INDIVIDUAL, COLLECTIVE)
TITLE, FORM = "title", "form"
KINDS = (TITLE, FORM)
DECIDERS = ("org_head", "unit_head", "higher")
QUOTA_KINDS = ("none", "eligible", "headcount")

#: Rating levels, best first; NONE is "not rated" (with a reason).
EXCELLENT, GOOD, DONE, FAILED, NONE = "HTXSNV", "HTTNV", "HTNV", "KHTNV", "NONE"
LEVELS = (EXCELLENT, GOOD, DONE, FAILED)
RATING_CHOICES = (*LEVELS, NONE)
_RANK = {EXCELLENT: 4, GOOD: 3, DONE: 2, FAILED: 1}

LEVEL_NAMES: dict[str, Msg] = {
    EXCELLENT: N_("Completed tasks excellently (HTXSNV)"),
    GOOD: N_("Completed tasks well (HTTNV)"),
    DONE: N_("Completed tasks (HTNV)"),
    FAILED: N_("Did not complete tasks (KHTNV)"),
    NONE: N_("Not rated"),
}

#: Initiative scopes, narrowest first.
SCOPES = ("unit", "org", "province", "national")
SCOPE_NAMES: dict[str, Msg] = {
    "unit": N_("unit level"),
    "org": N_("organisation level"),
    "province": N_("provincial or ministerial level"),
    "national": N_("national level"),
}

#: Discipline forms, lightest first (Law on Cadres and Civil Servants).
DISCIPLINE_FORMS = ("reprimand", "warning", "demotion", "removal", "dismissal")
DISCIPLINE_NAMES: dict[str, Msg] = {
    "reprimand": N_("Reprimand"),
    "warning": N_("Warning"),
    "demotion": N_("Salary demotion"),
    "removal": N_("Removal from post"),
    "dismissal": N_("Dismissal"),
}

#: Holds (Decree 152 Art. 4): the person cannot be proposed while one lasts.
HOLD_REASONS = ("discipline", "inspection", "complaint", "press")
HOLD_NAMES: dict[str, Msg] = {
    "discipline": N_("Under discipline review"),
    "inspection": N_("Under investigation, inspection or audit"),
    "complaint": N_("A complaint or denunciation is being checked"),
    "press": N_("A press report is being verified"),
}

REGISTERED, CONFIRMED, WITHDRAWN = "registered", "confirmed", "withdrawn"

#: Local exclusions, each switchable with its basis (seeded from the union guidance of 2021).
EXCLUSIONS = ("recent_recruit", "absent", "not_registered", "disciplined")
EXCLUSION_NAMES: dict[str, Msg] = {
    "recent_recruit": N_("Fewer than {value} months since recruitment"),
    "absent": N_("{value} or more working days absent (maternity leave excepted)"),
    "not_registered": N_("Not registered for emulation this year"),
    "disciplined": N_("Disciplined this year"),
}

ELIGIBLE, MISSING, EXCLUDED, HELD = "eligible", "missing", "excluded", "held"
STATUS_NAMES: dict[str, Msg] = {
    ELIGIBLE: N_("Eligible"),
    MISSING: N_("Misses a criterion"),
    EXCLUDED: N_("Excluded"),
    HELD: N_("On hold"),
}

PERSON_PREFIX, UNIT_PREFIX = "p:", "u:"


def person_key(person_id: int) -> str:
    """The subject key of a person (``Registration`` and ``Award`` rows)."""
    return f"{PERSON_PREFIX}{person_id}"


def unit_key(unit_id: int) -> str:
    """The subject key of a unit."""
    return f"{UNIT_PREFIX}{unit_id}"


def at_least(level: str | None, wanted: str) -> bool:
    """Whether a rating ``level`` is ``wanted`` or better (never for "not rated" or none)."""
    return _RANK.get(level or "", 0) >= _RANK[wanted]


def scope_at_least(scope: str, wanted: str) -> bool:
    """Whether an initiative's scope is ``wanted`` or wider."""
    return SCOPES.index(scope) >= SCOPES.index(wanted)


def discipline_at_least(form: str, wanted: str) -> bool:
    """Whether a discipline form is ``wanted`` or heavier."""
    return DISCIPLINE_FORMS.index(form) >= DISCIPLINE_FORMS.index(wanted)


# --- money --------------------------------------------------------------------------------------

BONUS_STEP = 10_000


def bonus(coefficient_pct: int, base_salary: int) -> int:
    """The bonus of a title: coefficient x base salary, rounded UP to the next 10,000 VND.

    Integer arithmetic, so 0.3 x 2,340,000 is exactly 702,000 -> 710,000 (Decree 152 Art. 49).

    Args:
        coefficient_pct: the coefficient in hundredths (30 = 0.3).
        base_salary: the base salary in VND in force on the decision date.
    """
    if coefficient_pct < 0 or base_salary < 0:
        raise ValueError("coefficient and base salary must not be negative")
    step = 100 * BONUS_STEP
    return -(-(coefficient_pct * base_salary) // step) * BONUS_STEP


def base_salary_on(table: Iterable[tuple[date, int]], day: date) -> int | None:
    """The base salary in force on ``day`` from ``(valid_from, amount)`` rows; None before the first."""
    best: tuple[date, int] | None = None
    for valid_from, amount in table:
        if valid_from <= day and (best is None or valid_from > best[0]):
            best = (valid_from, amount)
    return best[1] if best else None


def coefficient_text(coefficient_pct: int) -> str:
    """A coefficient as people write it: 30 -> "0.3", 150 -> "1.5", 1200 -> "12"."""
    whole, part = divmod(coefficient_pct, 100)
    return f"{whole}" if part == 0 else f"{whole}.{part:02d}".rstrip("0")


def quota_allows(quota_kind: str, quota_pct: int, *, eligible: int, headcount: int) -> int | None:
    """How many a quota allows (rounded down), or None when the title has no quota."""
    if quota_kind == "none" or quota_pct <= 0:
        return None
    base = eligible if quota_kind == "eligible" else headcount
    return base * quota_pct // 100


def excellent_share(excellent: int, good: int) -> int | None:
    """HTXSNV as a whole percent of those rated HTTNV (the Party's cap is 20 %); None when none is HTTNV."""
    if good <= 0:
        return None
    return excellent * 100 // good


def excellent_allowed(good: int, cap_pct: int) -> int:
    """How many HTXSNV ratings the cap allows for ``good`` HTTNV ratings."""
    return good * cap_pct // 100


# --- dated rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleVersion:
    """The values of a title in force over a period (a ``TitleRule`` row, as plain data)."""

    valid_from: date
    valid_to: date | None
    decider: str
    coefficient_pct: int
    ballot_required: bool
    threshold_pct: int
    quota_kind: str
    quota_pct: int
    criteria: tuple[dict, ...]
    basis_document: str
    basis_article: str = ""
    note: str = ""
    decider_depth: int | None = None
    id: int = 0


def in_force(versions: Iterable[RuleVersion], day: date) -> RuleVersion | None:
    """The version in force on ``day`` (the latest start on or before it that has not ended)."""
    best = None
    for v in versions:
        if v.valid_from <= day and (v.valid_to is None or day <= v.valid_to) and (
                best is None or v.valid_from > best.valid_from):
            best = v
    return best


def year_end(year: int) -> date:
    """The day a year's titles are judged by: its last day (DECISIONS "Commendations")."""
    return date(year, 12, 31)


def rule_for_year(versions: Iterable[RuleVersion], year: int) -> RuleVersion | None:
    """The version that applies to the titles of ``year``: the one in force on its last day."""
    return in_force(versions, year_end(year))


# --- criteria as data -------------------------------------------------------------------------

_INDIVIDUAL_KINDS = {"min_rating", "title_this_year", "consecutive_title", "consecutive_rating", "initiative",
                     "any", "all"}
_COLLECTIVE_KINDS = {"unit_rating", "member_title_share", "member_rating_share", "member_title_count",
                     "no_member_discipline", "title_this_year", "any", "all"}
CRITERIA = _INDIVIDUAL_KINDS | _COLLECTIVE_KINDS


def _fail(message: Msg) -> Invalid:
    return Invalid(message, {"criteria": N_("Not valid")})


def check_criteria(criteria: Any, *, subject: str, titles: Mapping[str, str]) -> tuple[dict, ...]:
    """Validate criteria sent by an officer (JSON text or a list) and return them as a tuple.

    Args:
        subject: "individual" or "collective": which kinds are allowed.
        titles: every catalogue code -> its subject, for ``title`` references.

    Raises:
        Invalid: not a list of criteria, an unknown kind, a missing or out-of-range parameter,
            or a reference to a title that does not exist.
    """
    if isinstance(criteria, str):
        try:
            criteria = json.loads(criteria or "[]")
        except ValueError:
            raise _fail(N_("The criteria are not valid JSON.")) from None
    if not isinstance(criteria, list):
        raise _fail(N_("The criteria must be a list."))
    allowed = _INDIVIDUAL_KINDS if subject == INDIVIDUAL else _COLLECTIVE_KINDS
    out = []
    for item in criteria:
        if not isinstance(item, dict) or item.get("kind") not in allowed:
            raise _fail(N_("Unknown criterion: {kind}.",
                           kind=str(item.get("kind") if isinstance(item, dict) else item)))
        _check_one(item, subject=subject, titles=titles)
        out.append(item)
    return tuple(out)


def _number(item: dict, name: str, low: int, high: int, default: int | None = None) -> int:
    value = item.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _fail(N_("Criterion {kind}: {name} must be a whole number from {low} to {high}.",
                       kind=item["kind"], name=name, low=low, high=high))
    return value


def _check_one(item: dict, *, subject: str, titles: Mapping[str, str]) -> None:
    kind = item["kind"]
    if kind in ("any", "all"):
        inner = item.get("of")
        if not isinstance(inner, list) or not inner:
            raise _fail(N_("Criterion {kind} needs a non-empty list of criteria in 'of'.", kind=kind))
        check_criteria(inner, subject=subject, titles=titles)
        return
    if ("level" in item or kind in ("min_rating", "consecutive_rating", "unit_rating", "member_rating_share")) \
            and item.get("level") not in LEVELS:
        raise _fail(N_("Criterion {kind}: level must be one of {levels}.", kind=kind, levels=", ".join(LEVELS)))
    if kind in ("title_this_year", "consecutive_title", "member_title_share", "member_title_count"):
        code = item.get("title")
        wanted = COLLECTIVE if (kind == "title_this_year" and subject == COLLECTIVE) else INDIVIDUAL
        if titles.get(code) != wanted:
            raise _fail(N_("Criterion {kind}: {title} is not a title of the catalogue.", kind=kind, title=str(code)))
    if kind in ("consecutive_title", "consecutive_rating"):
        _number(item, "years", 1, 10)
    if kind == "initiative":
        if item.get("scope") not in SCOPES:
            raise _fail(N_("Criterion initiative: scope must be one of {scopes}.", scopes=", ".join(SCOPES)))
        _number(item, "count", 1, 10, 1)
        _number(item, "years", 1, 10, 1)
        if item.get("or_rating") is not None and item["or_rating"] not in LEVELS:
            raise _fail(N_("Criterion initiative: or_rating must be one of {levels}.", levels=", ".join(LEVELS)))
    if kind in ("member_title_share", "member_rating_share"):
        _number(item, "pct", 1, 100)
    if kind == "member_title_count":
        _number(item, "min", 1, 1000)
    if kind == "no_member_discipline" and item.get("form") not in DISCIPLINE_FORMS:
        raise _fail(N_("Criterion no_member_discipline: form must be one of {forms}.",
                       forms=", ".join(DISCIPLINE_FORMS)))


def referenced_titles(criteria: Iterable[dict]) -> set[str]:
    """The catalogue codes a list of criteria refers to (for the evaluation order)."""
    out: set[str] = set()
    for item in criteria:
        if item.get("kind") in ("any", "all"):
            out |= referenced_titles(item.get("of", ()))
        elif "title" in item:
            out.add(item["title"])
    return out


def evaluation_order(criteria_by_code: Mapping[str, Iterable[dict]]) -> list[str]:
    """Title codes ordered so that every title comes after those its criteria refer to.

    Raises:
        Invalid: the criteria refer to each other in a circle.
    """
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(code: str, trail: tuple[str, ...]) -> None:
        if state.get(code) == 2:
            return
        if state.get(code) == 1:
            raise Invalid("The criteria of {titles} refer to each other in a circle.", titles=" → ".join(trail))
        state[code] = 1
        for ref in sorted(referenced_titles(criteria_by_code.get(code, ()))):
            if ref in criteria_by_code:
                visit(ref, (*trail, ref))
        state[code] = 2
        order.append(code)

    for code in sorted(criteria_by_code):
        visit(code, (code,))
    return order


# --- facts and judgement -----------------------------------------------------------------------


@dataclass(frozen=True)
class InitiativeFact:
    """An initiative one of whose authors is the person."""

    id: int
    scope: str
    year: int
    decided_on: date
    used: bool = False


@dataclass(frozen=True)
class DisciplineFact:
    """A discipline period."""

    form: str
    starts_on: date
    ends_on: date


@dataclass
class PersonFacts:
    """What the eligibility of one person rests on, loaded in bulk by the queries."""

    person_id: int
    ratings: dict[int, str] = field(default_factory=dict)  # year -> level
    months_worked: int | None = None  # this year
    absent_days: int | None = None  # this year
    registered: bool = False  # for any title this year
    awards: dict[str, set[int]] = field(default_factory=dict)  # title code -> years held
    initiatives: list[InitiativeFact] = field(default_factory=list)
    disciplines: list[DisciplineFact] = field(default_factory=list)
    hold: str | None = None  # the reason of a hold in force, if any


@dataclass
class UnitFacts:
    """What the eligibility of one unit rests on: its own rating and its members' outcomes."""

    unit_id: int
    rating: str | None = None
    awards: dict[str, set[int]] = field(default_factory=dict)
    members: int = 0  # rated members (not counting "not rated")
    member_levels: dict[str, int] = field(default_factory=dict)  # level -> members rated so
    member_titles: dict[str, int] = field(default_factory=dict)  # title -> members holding or eligible
    disciplined: dict[str, int] = field(default_factory=dict)  # form -> members disciplined this year


@dataclass(frozen=True)
class Exclusions:
    """The local exclusions switched on, with their thresholds and legal basis."""

    recent_recruit_months: int | None = None
    absent_days: int | None = None
    not_registered: bool = False
    disciplined: bool = False
    basis: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Judgement:
    """A subject's outcome for one title, with every reason (failed criteria, exclusions, hold)."""

    status: str
    reasons: tuple[Msg, ...] = ()
    initiative_ids: tuple[int, ...] = ()  # the initiatives that would be used


@dataclass(frozen=True)
class Context:
    """What every judgement of one year and title shares."""

    year: int
    code: str  # the title being judged
    abbreviation: str
    names: Mapping[str, str]  # code -> abbreviation, for messages
    eligible_now: Mapping[str, set[str]] = field(default_factory=dict)  # code -> subject keys eligible


def _basis(item: dict) -> str:
    return str(item.get("basis") or "")


def _reason(text: Msg, item: dict) -> Msg:
    basis = _basis(item)
    return N_("{reason} ({basis})", reason=text, basis=basis) if basis else text


def _level_text(level: str | None) -> Msg:
    """What a refusal says of the rating held: "rated HTNV", "not rated yet", "not rated"."""
    if level is None:
        return N_("not rated yet")
    if level == NONE:
        return N_("not rated (with a reason)")
    return N_("rated {level}", level=level)


def _counts_from(disciplines: Sequence[DisciplineFact], year: int) -> date | None:
    """The day achievements count from: the day after the last discipline period that ended by
    the end of ``year`` (None when there is none)."""
    ends = [d.ends_on for d in disciplines if d.ends_on <= year_end(year)]
    return max(ends) if ends else None


def disciplined_in(disciplines: Iterable[DisciplineFact], year: int, *, form: str = "reprimand") -> bool:
    """Whether a discipline of ``form`` or heavier overlaps ``year``."""
    first, last = date(year, 1, 1), year_end(year)
    return any(d.starts_on <= last and d.ends_on >= first and discipline_at_least(d.form, form)
               for d in disciplines)


def _holds(awards: Mapping[str, set[int]], ctx: Context, key: str, code: str, year: int) -> bool:
    """Whether the subject holds ``code`` for ``year`` (this year: held or eligible now)."""
    if year in awards.get(code, set()):
        return True
    return year == ctx.year and key in ctx.eligible_now.get(code, set())


def _person_criterion(item: dict, facts: PersonFacts, ctx: Context) -> Msg | None:
    """None when the person meets the criterion, else the reason naming it."""
    kind, year, key = item["kind"], ctx.year, person_key(facts.person_id)
    counts_from = _counts_from(facts.disciplines, year)
    if kind == "min_rating":
        level = facts.ratings.get(year)
        if at_least(level, item["level"]):
            return None
        return _reason(N_("{title} needs {level} or better in {year}: {rating}",
                          title=ctx.abbreviation, level=item["level"], year=year, rating=_level_text(level)), item)
    if kind == "title_this_year":
        if _holds(facts.awards, ctx, key, item["title"], year):
            return None
        return _reason(N_("{title} needs {other} in {year}: not met",
                          title=ctx.abbreviation, other=ctx.names.get(item["title"], item["title"]), year=year), item)
    if kind == "consecutive_title":
        n, code = item["years"], item["title"]
        run = 0
        for y in range(year, year - n, -1):
            if counts_from is not None and y <= counts_from.year:
                break
            if not _holds(facts.awards, ctx, key, code, y):
                break
            run += 1
        if run >= n:
            return None
        return _reason(N_("{title} needs {other} in {n} consecutive years up to {year}: {run} in a row",
                          title=ctx.abbreviation, other=ctx.names.get(code, code), n=n, year=year, run=run), item)
    if kind == "consecutive_rating":
        n, run = item["years"], 0
        for y in range(year, year - n, -1):
            if counts_from is not None and y <= counts_from.year:
                break
            if not at_least(facts.ratings.get(y), item["level"]):
                break
            run += 1
        if run >= n:
            return None
        return _reason(N_("{title} needs {level} or better in {n} consecutive years up to {year}: {run} in a row",
                          title=ctx.abbreviation, level=item["level"], n=n, year=year, run=run), item)
    if kind == "initiative":
        found = usable_initiatives(facts, item, year)
        if len(found) >= item.get("count", 1):
            return None
        alt = item.get("or_rating")
        if alt and at_least(facts.ratings.get(year), alt):
            return None
        scope = SCOPE_NAMES[item["scope"]]
        if alt:
            return _reason(N_("{title} needs an initiative recognised at {scope} or wider, or a {level} rating, "
                              "in {year}: {rating}, no unused initiative",
                              title=ctx.abbreviation, scope=scope, level=alt, year=year,
                              rating=_level_text(facts.ratings.get(year))), item)
        return _reason(N_("{title} needs {count} unused initiative(s) recognised at {scope} or wider in "
                          "{first}–{year}: {found} found",
                          title=ctx.abbreviation, count=item.get("count", 1), scope=scope,
                          first=year - item.get("years", 1) + 1, year=year, found=len(found)), item)
    return _combined(item, lambda inner: _person_criterion(inner, facts, ctx), ctx)


def usable_initiatives(facts: PersonFacts, item: dict, year: int) -> list[InitiativeFact]:
    """The initiatives that meet an ``initiative`` criterion: scope, years, unused, after any discipline."""
    counts_from = _counts_from(facts.disciplines, year)
    first = year - item.get("years", 1) + 1
    return [i for i in facts.initiatives
            if not i.used and first <= i.year <= year and scope_at_least(i.scope, item["scope"])
            and (counts_from is None or i.decided_on > counts_from)]


def _combined(item: dict, judge: Any, ctx: Context) -> Msg | None:
    reasons = [judge(inner) for inner in item["of"]]
    if item["kind"] == "all":
        failed = [r for r in reasons if r is not None]
        return failed[0] if failed else None
    if any(r is None for r in reasons):
        return None
    # Each option already names its own basis; the whole is not wrapped in it again.
    return N_("{title} needs one of: {options}", title=ctx.abbreviation,
              options=_joined([r for r in reasons if r is not None]))


def _joined(reasons: list[Msg]) -> Msg:
    if len(reasons) == 1:
        return reasons[0]
    return N_("{first}; or {rest}", first=reasons[0], rest=_joined(reasons[1:]))


def _exclusions(facts: PersonFacts, ex: Exclusions, year: int) -> list[Msg]:
    out: list[Msg] = []

    def basis(code: str, text: Msg) -> Msg:
        doc = ex.basis.get(code, "")
        return N_("{reason} ({basis})", reason=text, basis=doc) if doc else text

    if ex.recent_recruit_months is not None and facts.months_worked is not None \
            and facts.months_worked < ex.recent_recruit_months:
        out.append(basis("recent_recruit", N_("Excluded: {months} months since recruitment, fewer than {value}",
                                              months=facts.months_worked, value=ex.recent_recruit_months)))
    if ex.absent_days is not None and (facts.absent_days or 0) >= ex.absent_days:
        out.append(basis("absent", N_("Excluded: {days} working days absent, {value} or more",
                                      days=facts.absent_days, value=ex.absent_days)))
    if ex.not_registered and not facts.registered:
        out.append(basis("not_registered", N_("Excluded: not registered for emulation in {year}", year=year)))
    if ex.disciplined and disciplined_in(facts.disciplines, year):
        out.append(basis("disciplined", N_("Excluded: disciplined in {year}", year=year)))
    return out


def judge_person(criteria: Sequence[dict], facts: PersonFacts, ctx: Context, exclusions: Exclusions) -> Judgement:
    """A person's outcome for one title and year.

    A hold comes first (the person cannot be proposed at all), then the exclusions, then the
    criteria; every reason found is kept so the list shows all that stands in the way.
    """
    reasons: list[Msg] = []
    status = ELIGIBLE
    if facts.hold:
        status = HELD
        reasons.append(N_("On hold: {reason} (Decree 152/2025/NĐ-CP, Art. 4)", reason=HOLD_NAMES[facts.hold]))
    excluded = _exclusions(facts, exclusions, ctx.year)
    if excluded:
        status = status if status == HELD else EXCLUDED
        reasons.extend(excluded)
    failed = [r for r in (_person_criterion(item, facts, ctx) for item in criteria) if r is not None]
    if failed:
        status = status if status != ELIGIBLE else MISSING
        reasons.extend(failed)
    used: list[int] = []
    if status == ELIGIBLE:
        for item in _flat(criteria, lambda inner: _person_criterion(inner, facts, ctx) is None):
            alt = item.get("or_rating")
            if item["kind"] == "initiative" and not (alt and at_least(facts.ratings.get(ctx.year), alt)):
                found = usable_initiatives(facts, item, ctx.year)
                used.extend(i.id for i in found[: item.get("count", 1)])
    return Judgement(status=status, reasons=tuple(reasons), initiative_ids=tuple(dict.fromkeys(used)))


def _flat(criteria: Iterable[dict], met: Any) -> Iterable[dict]:
    """The criteria an eligible outcome rests on: each of an ``all``, the first met option of an ``any``."""
    for item in criteria:
        if item["kind"] == "all":
            yield from _flat(item["of"], met)
        elif item["kind"] == "any":
            yield from _flat([inner for inner in item["of"] if met(inner)][:1], met)
        else:
            yield item


def _unit_criterion(item: dict, facts: UnitFacts, ctx: Context) -> Msg | None:
    kind, year = item["kind"], ctx.year
    if kind == "unit_rating":
        if at_least(facts.rating, item["level"]):
            return None
        return _reason(N_("{title} needs a collective rating of {level} or better in {year}: {rating}",
                          title=ctx.abbreviation, level=item["level"], year=year, rating=_level_text(facts.rating)),
                          item)
    if kind == "title_this_year":
        if _holds(facts.awards, ctx, unit_key(facts.unit_id), item["title"], year):
            return None
        return _reason(N_("{title} needs {other} in {year}: not met",
                          title=ctx.abbreviation, other=ctx.names.get(item["title"], item["title"]), year=year), item)
    if kind in ("member_title_share", "member_rating_share"):
        if kind == "member_title_share":
            have, what = facts.member_titles.get(item["title"], 0), ctx.names.get(item["title"], item["title"])
        else:
            have = sum(n for level, n in facts.member_levels.items() if at_least(level, item["level"]))
            what = item["level"]
        if facts.members and have * 100 >= item["pct"] * facts.members:
            return None
        share = have * 100 // facts.members if facts.members else 0
        return _reason(N_("{title} needs at least {pct}% of members with {what}: {have} of {members} ({share}%)",
                          title=ctx.abbreviation, pct=item["pct"], what=what, have=have, members=facts.members,
                          share=share), item)
    if kind == "member_title_count":
        have = facts.member_titles.get(item["title"], 0)
        if have >= item["min"]:
            return None
        return _reason(N_("{title} needs at least {min} member(s) with {what}: {have}",
                          title=ctx.abbreviation, min=item["min"], what=ctx.names.get(item["title"], item["title"]),
                          have=have), item)
    if kind == "no_member_discipline":
        have = sum(n for form, n in facts.disciplined.items() if discipline_at_least(form, item["form"]))
        if have == 0:
            return None
        return _reason(N_("{title} needs no member disciplined at {form} or heavier in {year}: {have}",
                          title=ctx.abbreviation, form=DISCIPLINE_NAMES[item["form"]], year=year, have=have), item)
    return _combined(item, lambda inner: _unit_criterion(inner, facts, ctx), ctx)


def judge_unit(criteria: Sequence[dict], facts: UnitFacts, ctx: Context) -> Judgement:
    """A unit's outcome for one collective title and year."""
    failed = [r for r in (_unit_criterion(item, facts, ctx) for item in criteria) if r is not None]
    return Judgement(status=MISSING if failed else ELIGIBLE, reasons=tuple(failed))


# --- input checks --------------------------------------------------------------------------------


def check_year(year: Any, *, today: date) -> int:
    """An emulation year a person may work on: from 2000 to next year.

    Raises:
        Invalid: not a year in that range.
    """
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= today.year + 1:
        raise Invalid("Choose a year from 2000 to {last}.", {"year": N_("Out of range")}, last=today.year + 1)
    return year


def check_rating(level: str, *, reason: str, months_worked: int | None, absent_days: int | None) -> None:
    """Validate one annual rating.

    Raises:
        Invalid: an unknown level, a reason over ``RATING_REASON_MAX``, "not rated" without a reason,
            months outside 0–12, days outside 0–366.
    """
    if level not in RATING_CHOICES:
        raise Invalid("Choose a rating: HTXSNV, HTTNV, HTNV, KHTNV or not rated.", {"level": N_("Choose one")})
    limits.within(reason, limit=RATING_REASON_MAX, what=N_("reason"), field="reason")
    if level == NONE and not reason.strip():
        raise Invalid("Say why the person is not rated (for example: fewer than 6 months worked).",
                      {"reason": N_("Required")})
    if months_worked is not None and not 0 <= months_worked <= 12:
        raise Invalid("Months worked is a number from 0 to 12.", {"months_worked": N_("Out of range")})
    if absent_days is not None and not 0 <= absent_days <= 366:
        raise Invalid("Days absent is a number from 0 to 366.", {"absent_days": N_("Out of range")})


def check_period(starts_on: date | None, ends_on: date | None, *, open_end: bool = False) -> None:
    """A period with a start and (unless ``open_end``) an end not before it.

    Raises:
        Invalid: a missing date, or an end before the start.
    """
    if starts_on is None:
        raise Invalid("Enter the start date.", {"starts_on": N_("Required")})
    if ends_on is None and not open_end:
        raise Invalid("Enter the end date.", {"ends_on": N_("Required")})
    if ends_on is not None and ends_on < starts_on:
        raise Invalid("The end date is before the start date.", {"ends_on": N_("Before the start")})


# --- part 2: the nomination workflow, the council, decisions -----------------------------------

DRAFT, SUBMITTED, RECEIVED, RETURNED, APPRAISED = "draft", "submitted", "received", "returned", "appraised"
NOTICE, COUNCIL, DECIDED, PROPOSED, CLOSED = "notice", "council", "decided", "proposed", "closed"
NOMINATION_STATUSES = (DRAFT, SUBMITTED, RECEIVED, RETURNED, APPRAISED, NOTICE, COUNCIL, DECIDED, PROPOSED, CLOSED)
NOMINATION_NAMES: dict[str, Msg] = {
    DRAFT: N_("Draft"),
    SUBMITTED: N_("Submitted"),
    RECEIVED: N_("Received, being appraised"),
    RETURNED: N_("Returned for completion"),
    APPRAISED: N_("Appraised"),
    NOTICE: N_("On public notice"),
    COUNCIL: N_("Before the council"),
    DECIDED: N_("Decided"),
    PROPOSED: N_("Proposed to the higher level"),
    CLOSED: N_("Closed without an award"),
}

#: Who may move a nomination from a status to the next: "proposer" (a unit head of the proposing
#: unit or an officer) or "officer". The flow of the issue: draft -> submitted -> received ->
#: returned (-> submitted again) | appraised -> notice (when the title requires it) -> council ->
#: decided | proposed upward | closed (nobody approved).
NOMINATION_FLOW: dict[tuple[str, str], str] = {
    (DRAFT, SUBMITTED): "proposer",
    (RETURNED, SUBMITTED): "proposer",
    (SUBMITTED, RECEIVED): "officer",
    (SUBMITTED, RETURNED): "officer",
    (RECEIVED, RETURNED): "officer",
    (RECEIVED, APPRAISED): "officer",
    (APPRAISED, NOTICE): "officer",
    (APPRAISED, COUNCIL): "officer",
    (NOTICE, COUNCIL): "officer",
    (COUNCIL, DECIDED): "officer",
    (COUNCIL, PROPOSED): "officer",
    (COUNCIL, CLOSED): "officer",
    (APPRAISED, CLOSED): "officer",
}
#: Moves that must say why (a return, a closing).
NEEDS_REASON = {(SUBMITTED, RETURNED), (RECEIVED, RETURNED), (COUNCIL, CLOSED), (APPRAISED, CLOSED)}


def check_move(current: str, wanted: str, *, reason: str = "") -> str:
    """Who may make the move ``current -> wanted`` ("proposer" or "officer").

    Raises:
        Invalid: the move is not in the flow, or it needs a reason and has none.
    """
    who = NOMINATION_FLOW.get((current, wanted))
    if who is None:
        raise Invalid("A nomination that is “{current}” cannot become “{wanted}”.",
                      current=NOMINATION_NAMES.get(current, N_("unknown")),
                      wanted=NOMINATION_NAMES.get(wanted, N_("unknown")))
    if (current, wanted) in NEEDS_REASON and not reason.strip():
        raise Invalid("Say why, so the proposer knows what to do.", {"reason": N_("Required")})
    return who


# Appraisal outcomes of a nominee, and the council's.
APPRAISED_ELIGIBLE, APPRAISED_INELIGIBLE = "eligible", "ineligible"
APPROVED, REJECTED = "approved", "rejected"

#: Occasions a nomination is for.
OCCASIONS: dict[str, Msg] = {
    "year": N_("The year's results"),
    "movement": N_("An emulation movement"),
    "campaign": N_("A campaign"),
    "special": N_("A special achievement"),
}


def may_submit(eligibility: str, *, overridden: bool) -> bool:
    """Whether a nominee with the part-1 ``eligibility`` status may be submitted.

    Eligible nominees may; someone who misses a criterion only with an officer's written override;
    excluded or held people never (a hold forbids any proposal: Decree 152 Art. 4).
    """
    if eligibility == ELIGIBLE:
        return True
    return eligibility == MISSING and overridden


# --- the council -------------------------------------------------------------------------------

MAX_ROUNDS = 2
POSITIONS = ("chair", "standing", "secretary", "member")
POSITION_NAMES: dict[str, Msg] = {
    "chair": N_("Chair"),
    "standing": N_("Standing member"),
    "secretary": N_("Secretary"),
    "member": N_("Member"),
}


def quorum_needed(total: int, num: int, den: int) -> int:
    """How many members must be present: the share ``num/den`` of ALL members, rounded up."""
    if total <= 0 or den <= 0:
        return 0
    return -(-total * num // den)


def quorum_met(present: int, total: int, num: int, den: int) -> bool:
    """Whether ``present`` members make the quorum (2/3 of all members by default)."""
    return total > 0 and present >= quorum_needed(total, num, den)


def votes_needed(total: int, threshold_pct: int) -> int:
    """Agreeing votes a nominee needs: ``threshold_pct`` % of ALL members (not of those present),
    rounded up; without a threshold, more than half of all members."""
    if threshold_pct <= 0:
        return total // 2 + 1
    return -(-total * threshold_pct // 100)


def passes(agree: int, total: int, threshold_pct: int) -> bool:
    """Whether ``agree`` votes approve a nominee (Decree 98 Art. 30(7): counted on all members)."""
    return total > 0 and agree >= votes_needed(total, threshold_pct)


def voting_order(items: Iterable[tuple[int, int, str]]) -> list[int]:
    """Item ids in voting order: lower titles first (catalogue order), then by name.

    Args:
        items: (item id, the title's sort order, the nominee's name).
    """
    return [i for i, _o, _n in sorted(items, key=lambda x: (x[1], x[2], x[0]))]


# --- working days ------------------------------------------------------------------------------


# ``add_working_days`` lives in ``core.workdays`` (every feature counts working days the same way).
add_working_days = workdays.add_working_days


# --- decisions, payments, revocation -----------------------------------------------------------


def decision_number(number: int, issuer_code: str) -> str:
    """A decision's number as written on it: ``12/QĐ-SNV``."""
    return f"{number}/QĐ-{issuer_code}"


def payable(awards: Iterable[tuple[int, str, int, int]]) -> set[int]:
    """Which awards of one subject and one period are paid (Decree 152 Art. 49).

    Args:
        awards: (award id, kind "title" or "form", the title's coefficient in hundredths, the
            award's order in the catalogue).

    Returns:
        The ids paid: among emulation titles only the highest (largest coefficient, then the
        highest in the catalogue); every form of commendation is paid besides.
    """
    titles = [a for a in awards if a[1] == TITLE]
    forms = {a[0] for a in awards if a[1] == FORM}
    if not titles:
        return forms
    best = max(titles, key=lambda a: (a[2], a[3], -a[0]))
    return forms | {best[0]}


#: Grounds of a revocation (Law 06/2022 Art. 93(1)).
REVOCATION_GROUNDS: dict[str, Msg] = {
    "dishonest": N_("Achievements declared dishonestly (Art. 93(1)(a))"),
    "forged": N_("False information or forged documents (Art. 93(1)(b))"),
    "unlawful": N_("The appraisal, review or proposal broke the law (Art. 93(1)(c))"),
    "unmet": N_("A later finding shows the criteria were not met, e.g. a rating cancelled (Art. 93(1)(d))"),
}


# --- nominations (engagement/commendations/nominations.py) ---------------------------------------


def may_override(status: str, missed: int) -> bool:
    """Whether an officer may override a nominee's eligibility with a written reason.

    Only someone who misses exactly one criterion (``missed`` counts the reasons of a
    "missing" judgement, one per failed criterion); never someone held or excluded.
    """
    return status == MISSING and missed == 1


#: The achievement report (báo cáo thành tích) of an individual, after Decree 152's form 05:
#: field -> the longest text it takes. ``birth_year`` is four digits.
INDIVIDUAL_REPORT: dict[str, int] = {
    "full_name": 120, "birth_year": 4, "sex": 20, "post": 200, "unit": 200, "qualification": 300,
    "duties": 2000, "achievements": 8000, "initiatives": 4000, "titles_held": 4000, "discipline": 1000,
    "proposal": 1000,
}
#: The report of a collective (the collective form of the same annex).
COLLECTIVE_REPORT: dict[str, int] = {
    "name": 200, "address": 300, "head": 200, "structure": 2000, "duties": 2000, "achievements": 8000,
    "initiatives": 4000, "titles_held": 4000, "discipline": 1000, "proposal": 1000,
}
#: What a report must say before its nomination is submitted.
REPORT_REQUIRED: dict[str, tuple[str, ...]] = {
    INDIVIDUAL: ("full_name", "achievements"),
    COLLECTIVE: ("name", "achievements"),
}
REPORT_FIELD_NAMES: dict[str, Msg] = {
    "full_name": N_("Full name"),
    "birth_year": N_("Year of birth"),
    "sex": N_("Sex"),
    "post": N_("Post"),
    "unit": N_("Unit"),
    "qualification": N_("Qualifications"),
    "name": N_("Name of the collective"),
    "address": N_("Address"),
    "head": N_("Head of the collective"),
    "structure": N_("Organisation and staff"),
    "duties": N_("Functions and duties"),
    "achievements": N_("Achievements"),
    "initiatives": N_("Initiatives and solutions"),
    "titles_held": N_("Titles and commendations held"),
    "discipline": N_("Discipline"),
    "proposal": N_("Proposal"),
}


def report_fields(subject: str) -> dict[str, int]:
    """The fields of the report of a ``subject`` ("individual" or "collective"), in form order."""
    return INDIVIDUAL_REPORT if subject == INDIVIDUAL else COLLECTIVE_REPORT


def check_report(subject: str, fields: Any, *, this_year: int) -> dict[str, str]:
    """Validate the fields of an achievement report and return them trimmed (empty ones dropped).

    Args:
        subject: "individual" (form 05) or "collective".
        fields: field name -> text (``birth_year`` may be a number).
        this_year: the current year (a year of birth cannot be after it).

    Raises:
        Invalid: not a mapping, an unknown field, a value that is not text, too long, or a
            year of birth that is not four digits from 1900 to this year.
    """
    if not isinstance(fields, Mapping):
        raise Invalid("The report must be a set of named fields.")
    allowed = report_fields(subject)
    out: dict[str, str] = {}
    for name, value in fields.items():
        if name not in allowed:
            raise Invalid("The report has no field “{name}”.", {str(name): N_("Unknown field")}, name=str(name))
        if name == "birth_year" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise Invalid("{field} must be text.", {name: N_("Not valid")}, field=REPORT_FIELD_NAMES[name])
        text = "\n".join(" ".join(line.split()) for line in value.replace("\r", "").split("\n")).strip()
        if len(text) > allowed[name]:
            raise Invalid("{field} is {length} characters long; keep it under {max}.", {name: N_("Too long")},
                          field=REPORT_FIELD_NAMES[name], length=len(text), max=allowed[name])
        if name == "birth_year" and text and not (text.isdigit() and len(text) == 4
                                                  and 1900 <= int(text) <= this_year):
            raise Invalid("Enter the year of birth as four digits, e.g. 1985.", {name: N_("Not valid")})
        if text:
            out[name] = text
    return out


def report_missing(subject: str, report: Mapping[str, str]) -> tuple[str, ...]:
    """The required fields a report still lacks (empty when it may be submitted)."""
    return tuple(name for name in REPORT_REQUIRED[subject] if not str(report.get(name, "")).strip())


def notice_open(opens_on: date, closes_on: date, today: date) -> bool:
    """Whether a public notice takes comments on ``today`` (both ends included)."""
    return opens_on <= today <= closes_on


def canonical_json(content: Any) -> str:
    """The exact text a dossier version is hashed over: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


# --- council (engagement/commendations/council.py) -----------------------------------------------

#: Why a member does not vote on a nominee (stored in ``Recusal.reason``).
RECUSED_NOMINEE, RECUSED_UNIT_HEAD = "nominee", "unit_head"
RECUSAL_NAMES: dict[str, Msg] = {
    RECUSED_NOMINEE: N_("The member is the nominee"),
    RECUSED_UNIT_HEAD: N_("The member heads the nominee's unit"),
}
#: A council session's statuses.
SESSION_SCHEDULED, SESSION_OPEN, SESSION_CLOSED = "scheduled", "open", "closed"
SESSION_NAMES: dict[str, Msg] = {
    SESSION_SCHEDULED: N_("Scheduled"),
    SESSION_OPEN: N_("In session"),
    SESSION_CLOSED: N_("Closed"),
}
OUTCOME_NAMES: dict[str, Msg] = {
    "": N_("Not decided yet"),
    APPROVED: N_("Approved"),
    REJECTED: N_("Not approved"),
}


def check_quorum_share(num: int, den: int) -> None:
    """Validate a quorum given as the share ``num/den`` of all members (2/3 by default, 4/5 for 80 %).

    Raises:
        Invalid: not whole numbers, or not a share between 1/100 and the whole council.
    """
    if (not isinstance(num, int) or not isinstance(den, int) or isinstance(num, bool) or isinstance(den, bool)
            or not 1 <= num <= den <= 100):
        raise Invalid("The quorum is a share of all members, such as 2/3 or 4/5.", {"quorum": N_("Not valid")})


def check_attendance(present: bool, written: bool) -> None:
    """Validate one member's attendance: a member present votes in person; only an absent one in writing.

    Raises:
        Invalid: not yes/no values, or both present and voting in writing.
    """
    if not isinstance(present, bool) or not isinstance(written, bool):
        raise Invalid("Say whether the member is present and whether they vote in writing.")
    if present and written:
        raise Invalid("A member who is present votes in person; only an absent member votes in writing.",
                      {"written": N_("Only for an absent member")})


def recusal(member_person_id: int, *, nominee_person_id: int | None, nominee_unit_path: str,
            head_unit_paths: Iterable[str]) -> str | None:
    """Why a council member does not vote on a nominee, or None when they vote.

    Args:
        member_person_id: the member.
        nominee_person_id: the nominated person (None for a nominated unit).
        nominee_unit_path: the path of the nominee's unit: the person's unit, or the nominated unit.
        head_unit_paths: the paths of the units the member heads (live ``unit_head`` grants). Only
            the head of the nominee's own unit is recused: the head of a unit above (often the
            council's chair, who heads the whole organisation) judges as the council's rules
            expect, and recusing them would empty the council for every item.

    Returns:
        ``RECUSED_NOMINEE``, ``RECUSED_UNIT_HEAD`` or None.
    """
    if nominee_person_id is not None and member_person_id == nominee_person_id:
        return RECUSED_NOMINEE
    if nominee_unit_path and nominee_unit_path in set(head_unit_paths):
        return RECUSED_UNIT_HEAD
    return None


def ballot_threshold(rule: RuleVersion | None) -> int:
    """The threshold a round is counted against: the title's share of ALL members when its rule
    requires a ballot; 0 (more than half of all members, ``votes_needed``) otherwise."""
    return rule.threshold_pct if rule is not None and rule.ballot_required else 0


def next_round(current: int, *, round_open: bool, outcome: str) -> int:
    """The round to open on an agenda item that had ``current`` rounds (0 = none yet).

    Raises:
        Conflict: a round is open, the item is decided, or it had the two rounds allowed.
    """
    if round_open:
        raise Conflict("A round of voting on this nominee is already open; close it first.")
    if outcome:
        raise Conflict("The council has already decided on this nominee.")
    if current >= MAX_ROUNDS:
        raise Conflict("This nominee has had the two rounds of voting the rules allow.")
    return current + 1


def round_outcome(round_no: int, agree: int, total: int, threshold_pct: int) -> str:
    """What a closed round decides: ``APPROVED``; ``REJECTED`` after the last round; "" after a
    first round without approval (a second round may follow)."""
    if passes(agree, total, threshold_pct):
        return APPROVED
    return REJECTED if round_no >= MAX_ROUNDS else ""


def lower_titles_pending(sort_order: int, others: Iterable[tuple[int, bool]]) -> bool:
    """Whether items of lower titles still wait for their first round to close (vote lower titles first).

    Args:
        sort_order: the catalogue order of the title of the item whose first round would open.
        others: the session's other items as (their title's catalogue order, first round closed).
    """
    return any(order < sort_order and not closed for order, closed in others)


# --- decisions (engagement/commendations/decisions.py) -------------------------------------------

#: How the ledger weighs an award: one COMMENDATION unit (the ledger's weight, 50 points by default)
#: per 0.3 of the bonus coefficient, rounded, at least one: LĐTT and Giấy khen (0.3) earn 1,
#: TTLĐTT (0.8) 3, CSTĐCS (1.0) 3, Bằng khen (1.5) 5. The coefficient is the law's own ranking of
#: titles, so a higher title always earns at least as much as a lower one.
POINTS_STEP_PCT = 30


def award_points_quantity(coefficient_pct: int) -> int:
    """The points quantity (``scoring.record_points(quantity=...)``) an award of a title earns."""
    return max(1, (max(0, coefficient_pct) + POINTS_STEP_PCT // 2) // POINTS_STEP_PCT)


@dataclass(frozen=True)
class Due:
    """What a new award pays: ``amount`` (VND) and, when less than its bonus, why.

    ``deducted`` is what earlier awards of the same subject and year already paid for a lower
    title (subtracted so that only the highest title is paid in all); ``unpaid_for`` names the
    award (a key of ``held`` or ``new``) whose higher title is paid instead, when this one pays nothing.
    """

    amount: int
    deducted: int = 0
    unpaid_for: object = None


def amounts_due(new: Sequence[tuple[object, str, int, int, int]],
                held: Sequence[tuple[object, str, int, int, int]] = ()) -> dict[object, Due]:
    """What each new award of ONE subject and ONE year pays (Decree 152 Art. 49: several titles for
    the same period pay only the highest; every form of commendation is paid besides).

    Awards already made are never changed (they were decided and paid); instead:
    - a new title lower than a title held or decided with it pays 0;
    - the highest new title pays its bonus less what lower titles of the year already paid,
      so the subject receives the highest bonus once in all.

    Args:
        new: (key, kind "title" or "form", coefficient in hundredths, catalogue order, bonus) of
            the awards being decided. Keys are the caller's (any hashable, distinct from ``held``'s).
        held: the same for the subject's awards of that year already in the register (not
            revoked), with what each paid as the bonus.

    Returns:
        key -> ``Due`` for every new award.
    """
    everything = [*held, *new]
    paid = payable([(index, kind, coef, order) for index, (_key, kind, coef, order, _bonus) in enumerate(everything)])
    best = next((everything[i][0] for i in sorted(paid) if everything[i][1] == TITLE), None)
    before = sum(bonus for _key, kind, _coef, _order, bonus in held if kind == TITLE)
    out: dict[object, Due] = {}
    for index, (key, kind, _coef, _order, bonus) in enumerate(new, start=len(held)):
        if kind != TITLE:
            out[key] = Due(amount=bonus)
        elif index not in paid:
            out[key] = Due(amount=0, unpaid_for=best)
        else:
            out[key] = Due(amount=max(0, bonus - before), deducted=min(bonus, before))
    return out


def check_issuer_code(code: Any) -> str:
    """An issuer's code as it appears in decision numbers (``SNV`` in ``12/QĐ-SNV``), upper-cased.

    Raises:
        Invalid: empty, longer than 40, or with characters other than letters, digits and hyphens.
    """
    text = str(code or "").strip().upper()
    if not text or len(text) > 40 or not all(ch.isalnum() or ch == "-" for ch in text) or text.startswith("-"):
        raise Invalid("Enter the issuer's code as it appears in decision numbers, e.g. SNV in 12/QĐ-SNV.",
                      {"issuer_code": N_("Not valid")})
    return text


def parse_decision_number(text: Any) -> tuple[int, str] | None:
    """A decision number as written (``12/QĐ-SNV``, ``12/QD-SNV``, any case) -> (12, "SNV"); None otherwise."""
    raw = " ".join(str(text or "").split()).replace(" ", "")
    number, slash, rest = raw.partition("/")
    if not slash or not number.isdigit() or len(number) > 9:
        return None
    head, dash, issuer = rest.partition("-")
    if not dash or head.upper() not in ("QĐ", "QD"):
        return None
    try:
        return int(number), check_issuer_code(issuer)
    except Invalid:
        return None


#: The alphabet of certificate codes: no look-alikes (0/O, 1/I/L), so a code read off paper is typed right.
CERTIFICATE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CERTIFICATE_LENGTH = 16


def normalise_certificate_code(text: Any) -> str | None:
    """A certificate code typed or scanned (spaces, hyphens, lower case allowed) in its stored form, or None."""
    code = "".join(ch for ch in str(text or "").upper() if ch not in " -")
    if len(code) != CERTIFICATE_LENGTH or any(ch not in CERTIFICATE_ALPHABET for ch in code):
        return None
    return code


def check_refund(refund_amount: Any, bonus_amount: int) -> int:
    """The money to recover on a revocation: a whole number of VND from 0 to what the award paid.

    Raises:
        Invalid: not a whole number, negative, or more than the award paid.
    """
    if not isinstance(refund_amount, int) or isinstance(refund_amount, bool) or not 0 <= refund_amount <= bonus_amount:
        raise Invalid("The amount to recover is a whole number of VND from 0 to {paid} VND, what the award paid.",
                      {"refund_amount": N_("Out of range")}, paid=Amount(bonus_amount))
    return refund_amount
