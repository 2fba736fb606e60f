"""Use cases of commendations, part 1: the only code here that writes.

Every function: ``verb(session, *, actor, ..., now)``; authorises first, validates, then writes
(with an audit entry) and flushes; the caller's ``unit_of_work`` commits. Ratings, discipline
records and holds are personnel data: each change is audited with the old value, and each view
of a discipline record or hold is audited too (``personnel_records``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.commendations import catalogue, models, queries, rules
from engagement.commendations.dto import (
    DisciplineRow,
    EligibilityRow,
    EligibilityView,
    HoldRow,
    ImportReport,
    PersonnelRecords,
)
from engagement.commendations.rules import INDIVIDUAL
from engagement.core import audit, files, formats, limits
from engagement.core.access import Actor, Perm, Role, can, require, require_login
from engagement.core.clock import local_day
from engagement.core.errors import Conflict, Invalid, NotFound
from engagement.core.i18n import N_, Msg
from engagement.core.sheets import RowError, read_table
from engagement.org.models import Person, Unit
from engagement.org.rules import fold
from engagement.settings import get_settings

# --- shared lookups ---------------------------------------------------------------------------


def _today(now: datetime) -> date:
    return local_day(now, get_settings().tz)


def _person(session: Session, person_id: int) -> tuple[Person, Unit]:
    person = session.get(Person, person_id) if person_id else None
    if person is None or not person.is_active:
        raise NotFound("This person does not exist or has left the organisation.")
    return person, session.get(Unit, person.unit_id)


def _unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None or not unit.is_active:
        raise NotFound("This unit does not exist or is inactive.")
    return unit


def _title(session: Session, title_id: int, *, subject: str | None = None) -> models.Title:
    title = session.get(models.Title, title_id) if title_id else None
    if title is None or not title.is_active:
        raise NotFound("This title is not in the catalogue, or it has been retired.")
    if subject is not None and title.subject != subject:
        if subject == INDIVIDUAL:
            raise Invalid("{title} is a title for collectives; choose a title for individuals.",
                          title=title.abbreviation)
        raise Invalid("{title} is a title for individuals; choose a title for collectives.", title=title.abbreviation)
    return title


def _person_in_reach(session: Session, actor: Actor | None, perm: Perm, person_id: int) -> tuple[Person, Unit]:
    """The person when ``perm`` reaches their unit; otherwise a refusal that does not say whether they exist."""
    require(actor, perm)
    person, unit = _person(session, person_id)
    require(actor, perm, unit_path=unit.path)
    return person, unit


def _year(year: int, now: datetime) -> int:
    return rules.check_year(year, today=_today(now))


def ensure_catalogue(session: Session, *, now: datetime) -> int:
    """Seed the national titles, the base salary table and the exclusions where they are missing.

    Idempotent (the migrate command calls it every time). Runs with the server's authority.

    Returns:
        How many catalogue entries were added.
    """
    have = set(session.exec(select(models.Title.code)))
    added = 0
    for seed in catalogue.SEEDS:
        if seed.code in have:
            continue
        title = models.Title(code=seed.code, abbreviation=seed.abbreviation, name=seed.name, subject=seed.subject,
                             kind=seed.kind, sort_order=seed.sort_order, created_at=now)
        session.add(title)
        session.flush()
        for version in catalogue.versions(seed):
            session.add(models.TitleRule(title_id=title.id, **{**version, "criteria": json.dumps(
                version["criteria"], ensure_ascii=False)}, created_at=now))
        added += 1
    salaries = set(session.exec(select(models.BaseSalary.valid_from)))
    for valid_from, amount, basis in catalogue.BASE_SALARIES:
        if valid_from not in salaries:
            session.add(models.BaseSalary(valid_from=valid_from, amount=amount, basis_document=basis, created_at=now))
    exclusions = set(session.exec(select(models.Exclusion.code)))
    for code, (enabled, value, basis) in catalogue.EXCLUSION_SEEDS.items():
        if code not in exclusions:
            session.add(models.Exclusion(code=code, is_enabled=enabled, value=value, basis_document=basis,
                                         updated_at=now))
    session.flush()
    return added


# --- catalogue (officers) ------------------------------------------------------------------------


def _codes(session: Session) -> dict[str, str]:
    return dict(session.exec(select(models.Title.code, models.Title.subject)).all())


def _check_rule_values(*, decider: str, decider_depth: int | None, coefficient_pct: int, threshold_pct: int,
                       quota_kind: str, quota_pct: int, basis_document: str) -> None:
    if decider not in rules.DECIDERS:
        raise Invalid("Choose who decides: the head of the organisation, a unit head, or a higher authority.",
                      {"decider": N_("Choose one")})
    if decider == "unit_head" and (decider_depth is None or not 0 <= decider_depth <= 10):
        raise Invalid("Say at which level of the unit tree the unit head decides (0 is the top).",
                      {"decider_depth": N_("Required")})
    if not 0 <= coefficient_pct <= 10_000:
        raise Invalid("The bonus coefficient must be between 0 and 100.", {"coefficient": N_("Out of range")})
    if not 0 <= threshold_pct <= 100:
        raise Invalid("The approval threshold is a percent between 0 and 100.", {"threshold_pct": N_("Out of range")})
    if quota_kind not in rules.QUOTA_KINDS:
        raise Invalid("Choose a quota: none, a share of those eligible, or a share of the head count.",
                      {"quota_kind": N_("Choose one")})
    if quota_kind != "none" and not 1 <= quota_pct <= 100:
        raise Invalid("The quota is a percent between 1 and 100.", {"quota_pct": N_("Out of range")})
    if not basis_document.strip():
        raise Invalid("Name the legal basis (the document that sets this rule).", {"basis_document": N_("Required")})


def _rule_texts(basis_document: str, basis_article: str, note: str) -> tuple[str, str, str]:
    """A rule version's legal basis and note, each within its limit (refused, never cut)."""
    return (limits.clean_line(basis_document, limit=rules.BASIS_MAX, what=N_("basis document"),
                              field="basis_document"),
            limits.clean_line(basis_article, limit=rules.BASIS_MAX, what=N_("article"), field="basis_article"),
            limits.within((note or "").strip(), limit=rules.RULE_NOTE_MAX, what=N_("note"), field="note"))


def _decision_ref(text: str) -> str:
    """A decision's number within ``DECISION_REF_MAX`` (refused, never cut)."""
    return limits.clean_line(text, limit=rules.DECISION_REF_MAX, what=N_("decision number"), field="decision_ref")


def _note(text: str) -> str:
    """A record's note within ``RECORD_NOTE_MAX`` (refused, never cut)."""
    return limits.within((text or "").strip(), limit=rules.RECORD_NOTE_MAX, what=N_("note"), field="note")


def _check_award_texts(decision_ref: str, decided_by: str) -> None:
    """An award's decision number and decider within their limits (an import names the line)."""
    _decision_ref(decision_ref)
    limits.clean_line(decided_by, limit=rules.DECIDED_BY_MAX, what=N_("decided by"), field="decided_by")


def add_title(
    session: Session, *, actor: Actor | None, code: str, abbreviation: str, name: str, subject: str, kind: str,
    decider: str, decider_depth: int | None = None, coefficient_pct: int, ballot_required: bool = False,
    threshold_pct: int = 0, quota_kind: str = "none", quota_pct: int = 0, criteria: str | list = "[]",
    basis_document: str, basis_article: str = "", valid_from: date, note: str = "", now: datetime,
) -> int:
    """Add a local catalogue entry with its first rule version.

    Returns:
        The new title's id.

    Raises:
        NotAllowed: not an officer. Conflict: the code is taken. Invalid: a bad value or criterion.
    """
    require(actor, Perm.MANAGE_TITLES)
    code = code.strip().upper()
    if not code or len(code) > 40 or not all(ch.isalnum() or ch == "_" for ch in code):
        raise Invalid("The code is 1 to 40 letters, digits or underscores, e.g. GK_CD.", {"code": N_("Not valid")})
    abbreviation = limits.clean_line(abbreviation, limit=rules.ABBREVIATION_MAX, what=N_("abbreviation"),
                                     field="abbreviation")
    name = limits.clean_line(name, limit=rules.TITLE_NAME_MAX, what=N_("title's name"), field="name")
    if not abbreviation or not name:
        raise Invalid("Enter the name and the abbreviation people use.", {"name": N_("Required")})
    basis_document, basis_article, note = _rule_texts(basis_document, basis_article, note)
    if subject not in rules.SUBJECTS or kind not in rules.KINDS:
        raise Invalid("Choose whether it is for individuals or collectives, and a title or a form.")
    codes = _codes(session)
    if code in codes:
        raise Conflict("The code {code} is already in the catalogue.", code=code)
    _check_rule_values(decider=decider, decider_depth=decider_depth, coefficient_pct=coefficient_pct,
                       threshold_pct=threshold_pct, quota_kind=quota_kind, quota_pct=quota_pct,
                       basis_document=basis_document)
    checked = rules.check_criteria(criteria, subject=subject, titles=codes)
    title = models.Title(code=code, abbreviation=abbreviation, name=name, subject=subject,
                         kind=kind, is_local=True, sort_order=500, created_at=now)
    session.add(title)
    session.flush()
    session.add(models.TitleRule(
        title_id=title.id, valid_from=valid_from, decider=decider, decider_depth=decider_depth,
        coefficient_pct=coefficient_pct, ballot_required=ballot_required, threshold_pct=threshold_pct,
        quota_kind=quota_kind, quota_pct=quota_pct if quota_kind != "none" else 0,
        criteria=json.dumps(list(checked), ensure_ascii=False), basis_document=basis_document,
        basis_article=basis_article, note=note, created_at=now,
        created_by_account_id=actor.account_id))
    audit.record(session, actor=actor, action="commendations.title.add", entity="commend_title", entity_id=title.id,
                 now=now, code=code)
    session.flush()
    return title.id


def set_rule(
    session: Session, *, actor: Actor | None, title_id: int, valid_from: date, decider: str,
    decider_depth: int | None = None, coefficient_pct: int, ballot_required: bool, threshold_pct: int,
    quota_kind: str, quota_pct: int, criteria: str | list, basis_document: str, basis_article: str = "",
    note: str = "", now: datetime,
) -> int:
    """Override a title's values from a date, with the legal basis of the change.

    The version in force until then ends the day before; years already past keep their rules,
    so a new version may not start on or before the start of the latest one, except an earlier
    version for years before the first (entering past titles): it ends the day before the first.

    Returns:
        The new version's id.

    Raises:
        NotAllowed, NotFound, Invalid (a bad value, a start not after the latest version's start).
    """
    require(actor, Perm.MANAGE_TITLES)
    title = _title(session, title_id)
    basis_document, basis_article, note = _rule_texts(basis_document, basis_article, note)
    _check_rule_values(decider=decider, decider_depth=decider_depth, coefficient_pct=coefficient_pct,
                       threshold_pct=threshold_pct, quota_kind=quota_kind, quota_pct=quota_pct,
                       basis_document=basis_document)
    checked = rules.check_criteria(criteria, subject=title.subject, titles=_codes(session))
    existing = list(session.exec(select(models.TitleRule).where(models.TitleRule.title_id == title.id)
                                 .order_by(models.TitleRule.valid_from)))
    latest = existing[-1] if existing else None
    first = existing[0] if existing else None
    # An earlier version for years no rule covered yet changes no year already judged by one.
    earlier = first is not None and valid_from < first.valid_from
    if latest is not None and valid_from <= latest.valid_from and not earlier:
        raise Invalid("The new rule must start after {day}, when the current one started; past years keep the rules "
                      "that applied then.", {"valid_from": N_("Too early")}, day=formats.day(latest.valid_from))
    # A circle through the new criteria is refused before anything is written.
    graph = {t: () for t in _codes(session)}
    for rule in _rules_in_force(session, valid_from):
        graph[rule[0]] = rule[1]
    graph[title.code] = checked
    rules.evaluation_order(graph)
    if earlier:
        valid_to = first.valid_from - timedelta(days=1)
    elif latest is not None and (latest.valid_to is None or latest.valid_to >= valid_from):
        latest.valid_to, valid_to = valid_from - timedelta(days=1), None
        session.add(latest)
    else:
        valid_to = None
    row = models.TitleRule(valid_to=valid_to,
        title_id=title.id, valid_from=valid_from, decider=decider, decider_depth=decider_depth,
        coefficient_pct=coefficient_pct, ballot_required=ballot_required, threshold_pct=threshold_pct,
        quota_kind=quota_kind, quota_pct=quota_pct if quota_kind != "none" else 0,
        criteria=json.dumps(list(checked), ensure_ascii=False), basis_document=basis_document,
        basis_article=basis_article, note=note, created_at=now,
        created_by_account_id=actor.account_id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="commendations.rule.set", entity="commend_title", entity_id=title.id,
                 now=now, valid_from=valid_from.isoformat(), coefficient_pct=coefficient_pct,
                 basis=basis_document)
    return row.id


def _rules_in_force(session: Session, day: date) -> list[tuple[str, tuple[dict, ...]]]:
    out = []
    for code, rule in session.exec(select(models.Title.code, models.TitleRule)
                                   .join(models.TitleRule, models.TitleRule.title_id == models.Title.id)):
        if rule.valid_from <= day and (rule.valid_to is None or day <= rule.valid_to):
            out.append((code, tuple(json.loads(rule.criteria or "[]"))))
    return out


def set_title_active(session: Session, *, actor: Actor | None, title_id: int, active: bool, now: datetime) -> None:
    """Retire a catalogue entry (no new registrations or awards) or bring it back.

    Raises:
        NotAllowed, NotFound.
    """
    require(actor, Perm.MANAGE_TITLES)
    title = session.get(models.Title, title_id) if title_id else None
    if title is None:
        raise NotFound("This title is not in the catalogue.")
    title.is_active = active
    session.add(title)
    audit.record(session, actor=actor, action="commendations.title.active", entity="commend_title",
                 entity_id=title.id, now=now, active=active)
    session.flush()


def add_base_salary(session: Session, *, actor: Actor | None, valid_from: date, amount: int, basis_document: str,
                    now: datetime) -> None:
    """Record a new base salary from a date (bonuses decided from then use it).

    Raises:
        NotAllowed. Invalid: an amount out of range or no basis. Conflict: a row already starts that day.
    """
    require(actor, Perm.MANAGE_TITLES)
    if not 100_000 <= amount <= 100_000_000:
        raise Invalid("Enter the base salary in VND per month, e.g. 2340000.", {"amount": N_("Out of range")})
    basis_document = limits.clean_line(basis_document, limit=rules.BASIS_MAX, what=N_("basis document"),
                                       field="basis_document")
    if not basis_document:
        raise Invalid("Name the decree that sets this base salary.", {"basis_document": N_("Required")})
    if session.exec(select(models.BaseSalary.id).where(models.BaseSalary.valid_from == valid_from)).first():
        raise Conflict("A base salary already starts on {day}.", day=formats.day(valid_from))
    session.add(models.BaseSalary(valid_from=valid_from, amount=amount, basis_document=basis_document,
                                  created_at=now, created_by_account_id=actor.account_id))
    audit.record(session, actor=actor, action="commendations.base_salary.add", entity="commend_base_salary",
                 now=now, valid_from=valid_from.isoformat(), amount=amount)
    session.flush()


def set_year(session: Session, *, actor: Actor | None, year: int, opens_on: date | None, closes_on: date | None,
             excellent_cap_pct: int, now: datetime) -> None:
    """Open (or change) a year's registration window and set its HTXSNV cap.

    Raises:
        NotAllowed. Invalid: a bad year, a window with one date or closing before it opens, a cap out of range.
    """
    require(actor, Perm.MANAGE_TITLES)
    year = _year(year, now)
    if (opens_on is None) != (closes_on is None):
        raise Invalid("Enter both the opening and the closing date of the registration window, or neither.",
                      {"closes_on": N_("Required")})
    if opens_on is not None:
        rules.check_period(opens_on, closes_on)
    if not 1 <= excellent_cap_pct <= 100:
        raise Invalid("The HTXSNV cap is a percent between 1 and 100.", {"excellent_cap_pct": N_("Out of range")})
    row = session.get(models.Year, year) or models.Year(year=year, updated_at=now)
    old = {"opens": str(row.registration_opens_on), "closes": str(row.registration_closes_on),
           "cap": row.excellent_cap_pct}
    row.registration_opens_on, row.registration_closes_on = opens_on, closes_on
    row.excellent_cap_pct, row.updated_at, row.updated_by_account_id = excellent_cap_pct, now, actor.account_id
    session.add(row)
    audit.record(session, actor=actor, action="commendations.year.set", entity="commend_year", entity_id=year,
                 now=now, old=old, new={"opens": str(opens_on), "closes": str(closes_on), "cap": excellent_cap_pct})
    session.flush()


def set_exclusion(session: Session, *, actor: Actor | None, code: str, enabled: bool, value: int,
                  basis_document: str, now: datetime) -> None:
    """Switch a local exclusion on or off, with its threshold and basis.

    Raises:
        NotAllowed, NotFound (no such exclusion), Invalid (a threshold out of range, no basis when on).
    """
    require(actor, Perm.MANAGE_TITLES)
    row = session.get(models.Exclusion, code) if code in rules.EXCLUSIONS else None
    if row is None:
        raise NotFound("There is no such exclusion rule.")
    if code in ("recent_recruit", "absent") and not 1 <= value <= (12 if code == "recent_recruit" else 366):
        raise Invalid("The threshold is out of range.", {"value": N_("Out of range")})
    basis_document = limits.clean_line(basis_document, limit=rules.EXCLUSION_BASIS_MAX, what=N_("basis document"),
                                       field="basis_document")
    if enabled and not basis_document:
        raise Invalid("Name the document this exclusion rests on.", {"basis_document": N_("Required")})
    old = {"enabled": row.is_enabled, "value": row.value}
    row.is_enabled, row.basis_document = enabled, basis_document
    if code in ("recent_recruit", "absent"):
        row.value = value
    row.updated_at, row.updated_by_account_id = now, actor.account_id
    session.add(row)
    audit.record(session, actor=actor, action="commendations.exclusion.set", entity="commend_exclusion",
                 entity_id=code, now=now, old=old, new={"enabled": enabled, "value": row.value})
    session.flush()


# --- ratings (unit heads for their units, officers) ----------------------------------------------


def _store_rating(session: Session, *, actor: Actor, person: Person, year: int, level: str, reason: str,
                  months_worked: int | None, absent_days: int | None, now: datetime) -> str:
    """Write one person's rating; returns "created", "changed" or "same"."""
    row = session.exec(select(models.Rating).where(models.Rating.person_id == person.id,
                                                   models.Rating.year == year)).first()
    new = {"level": level, "reason": reason, "months_worked": months_worked, "absent_days": absent_days}
    if row is not None:
        old = {"level": row.level, "reason": row.reason, "months_worked": row.months_worked,
               "absent_days": row.absent_days}
        if old == new:
            return "same"
        row.level, row.reason, row.months_worked, row.absent_days = level, reason, months_worked, absent_days
        row.unit_id, row.rated_at, row.rated_by_account_id = person.unit_id, now, actor.account_id
        outcome = "changed"
    else:
        old = None
        row = models.Rating(person_id=person.id, year=year, level=level, reason=reason, months_worked=months_worked,
                            absent_days=absent_days, unit_id=person.unit_id, rated_at=now,
                            rated_by_account_id=actor.account_id)
        outcome = "created"
    session.add(row)
    audit.record(session, actor=actor, action="commendations.rating.set", entity="person", entity_id=person.id,
                 now=now, year=year, old=old, new=new)
    return outcome


def rate_person(
    session: Session, *, actor: Actor | None, person_id: int, year: int, level: str, reason: str = "",
    months_worked: int | None = None, absent_days: int | None = None, now: datetime,
) -> str:
    """Record (or correct) a person's annual rating.

    Returns:
        "created", "changed" or "same".

    Raises:
        NotAllowed: the person is outside the units the actor rates. NotFound, Invalid.
    """
    person, _unit_row = _person_in_reach(session, actor, Perm.RATE_PEOPLE, person_id)
    year = _year(year, now)
    reason = reason.strip()
    rules.check_rating(level, reason=reason, months_worked=months_worked, absent_days=absent_days)
    outcome = _store_rating(session, actor=actor, person=person, year=year, level=level, reason=reason,
                            months_worked=months_worked, absent_days=absent_days, now=now)
    session.flush()
    return outcome


def rate_unit(session: Session, *, actor: Actor | None, unit_id: int, year: int, level: str, reason: str = "",
              now: datetime) -> None:
    """Record (or correct) a unit's collective rating; the unit head of a parent unit or an officer rates it.

    Raises:
        NotAllowed (outside the actor's units), NotFound, Invalid.
    """
    require(actor, Perm.RATE_PEOPLE)
    unit = _unit(session, unit_id)
    require(actor, Perm.RATE_PEOPLE, unit_path=unit.path)
    year = _year(year, now)
    reason = reason.strip()
    rules.check_rating(level, reason=reason, months_worked=None, absent_days=None)
    row = session.exec(select(models.UnitRating).where(models.UnitRating.unit_id == unit.id,
                                                       models.UnitRating.year == year)).first()
    old = {"level": row.level, "reason": row.reason} if row else None
    row = row or models.UnitRating(unit_id=unit.id, year=year, level=level, rated_at=now)
    row.level, row.reason, row.rated_at, row.rated_by_account_id = level, reason, now, actor.account_id
    session.add(row)
    audit.record(session, actor=actor, action="commendations.unit_rating.set", entity="unit", entity_id=unit.id,
                 now=now, year=year, old=old, new={"level": level, "reason": reason})
    session.flush()


RATING_COLUMNS = ("employee_code", "level", "reason", "months_worked", "absent_days", "full_name")


def _optional_int(value: str, low: int, high: int) -> int | None:
    if not value.strip():
        return None
    number = int(value)  # ValueError is reported by the caller
    if not low <= number <= high:
        raise ValueError
    return number


def import_ratings(
    session: Session, *, actor: Actor | None, data: bytes, filename: str, year: int, now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a year's ratings from CSV or XLSX: every row valid, or nothing written and every error reported.

    Columns: employee_code, level (HTXSNV / HTTNV / HTNV / KHTNV / NONE), reason (required for NONE),
    months_worked, absent_days; full_name may be there and is ignored.

    Raises:
        NotAllowed: the actor rates nobody. Invalid: the file itself cannot be read.
    """
    require(actor, Perm.RATE_PEOPLE)
    year = _year(year, now)
    rows = read_table(data, filename, required=("employee_code", "level"), allowed=RATING_COLUMNS)
    codes = sorted({r.get("employee_code", "").strip().upper() for r in rows} - {""})
    people: dict[str, tuple[Person, str]] = {}
    for start in range(0, len(codes), 900):
        for person, path in session.exec(
                select(Person, Unit.path).join(Unit, Unit.id == Person.unit_id)
                .where(Person.employee_code.in_(codes[start:start + 900]), Person.is_active.is_(True))):
            people[person.employee_code.upper()] = (person, path)
    errors: list[RowError] = []
    valid: list[tuple[Person, str, str, int | None, int | None]] = []
    seen: dict[str, int] = {}
    for row in rows:
        code = row.get("employee_code", "").strip().upper()
        found = people.get(code)
        before = len(errors)
        if not code:
            errors.append(RowError(row.line, "employee_code", N_("Required").render()))
        elif found is None:
            errors.append(RowError(row.line, "employee_code", N_(
                "No active person has the code {code}.", code=code).render()))
        elif not can(actor, Perm.RATE_PEOPLE, unit_path=found[1]):
            errors.append(RowError(row.line, "employee_code", N_(
                "{code} is outside the units you rate.", code=code).render()))
        elif code in seen:
            errors.append(RowError(row.line, "employee_code", N_(
                "{code} is already on line {line}.", code=code, line=seen[code]).render()))
        seen.setdefault(code, row.line)
        level = row.get("level", "").strip().upper()
        reason = row.get("reason", "").strip()
        try:
            months = _optional_int(row.get("months_worked", ""), 0, 12)
        except ValueError:
            months = None
            errors.append(RowError(row.line, "months_worked", N_("Months worked is a number from 0 to 12.").render()))
        try:
            days = _optional_int(row.get("absent_days", ""), 0, 366)
        except ValueError:
            days = None
            errors.append(RowError(row.line, "absent_days", N_("Days absent is a number from 0 to 366.").render()))
        try:
            rules.check_rating(level, reason=reason, months_worked=months, absent_days=days)
        except Invalid as exc:
            errors.append(RowError(row.line, "level" if level not in rules.RATING_CHOICES else "reason", exc.message))
        if len(errors) == before and found is not None:
            valid.append((found[0], level, reason, months, days))
    if errors:
        return ImportReport(written=0, total_rows=len(rows), errors=[(e.line, e.column, e.message) for e in errors])
    for index, (person, level, reason, months, days) in enumerate(valid, start=1):
        _store_rating(session, actor=actor, person=person, year=year, level=level, reason=reason,
                      months_worked=months, absent_days=days, now=now)
        if index % 500 == 0:
            session.flush()
            if progress is not None:
                progress(index, len(valid))
    audit.record(session, actor=actor, action="commendations.rating.import", entity="commend_rating", now=now,
                 year=year, rows=len(valid))
    session.flush()
    return ImportReport(written=len(valid), total_rows=len(rows), errors=[])


# --- registration and covenants ---------------------------------------------------------------------


def _window_open(session: Session, actor: Actor, year: int, now: datetime) -> None:
    """Refuse a registration outside the year's window (officers may record one at any time)."""
    if can(actor, Perm.MANAGE_TITLES):
        return
    row = session.get(models.Year, year)
    today = _today(now)
    if row is None or row.registration_opens_on is None:
        raise Conflict("Registration for {year} has not been opened yet; the emulation officer opens it.", year=year)
    if today < row.registration_opens_on:
        raise Conflict("Registration for {year} opens on {day}.", year=year, day=formats.day(row.registration_opens_on))
    if today > row.registration_closes_on:
        raise Conflict("Registration for {year} closed on {day}; ask the emulation officer.", year=year,
                       day=formats.day(row.registration_closes_on))


def _register(session: Session, *, actor: Actor, year: int, title: models.Title, person_id: int | None,
              unit_id: int | None, confirmed: bool, now: datetime) -> int:
    if title.kind != rules.TITLE:
        raise Invalid("{title} is a form of commendation, not an emulation title; register for a title such as "
                      "LĐTT or CSTĐCS.", title=title.abbreviation)
    key = rules.person_key(person_id) if person_id else rules.unit_key(unit_id)
    row = session.exec(select(models.Registration).where(
        models.Registration.year == year, models.Registration.title_id == title.id,
        models.Registration.subject_key == key)).first()
    if row is not None and row.status != rules.WITHDRAWN and (row.status == rules.CONFIRMED or not confirmed):
        raise Conflict("{title} is already registered for {year}.", title=title.abbreviation, year=year)
    row = row or models.Registration(year=year, title_id=title.id, subject_key=key, person_id=person_id,
                                     unit_id=unit_id, registered_at=now)
    if row.status == rules.WITHDRAWN or row.id is None:
        row.registered_at, row.registered_by_account_id = now, actor.account_id
    row.status = rules.CONFIRMED if confirmed else rules.REGISTERED
    if confirmed:
        row.confirmed_at, row.confirmed_by_account_id = now, actor.account_id
    else:
        row.confirmed_at = row.confirmed_by_account_id = None
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="commendations.registration.add", entity="commend_registration",
                 entity_id=row.id, now=now, year=year, title=title.code, subject=key, status=row.status)
    return row.id


def register_self(session: Session, *, actor: Actor | None, year: int, title_id: int, now: datetime) -> int:
    """Register myself for an individual title in the year's window (my unit head confirms it).

    Raises:
        NotAllowed (not logged in), NotFound (no such title), Invalid (a collective title, a bad year),
        Conflict (outside the window, already registered).
    """
    me = require(actor, Perm.REGISTER_EMULATION)
    year = _year(year, now)
    title = _title(session, title_id, subject=INDIVIDUAL)
    _window_open(session, me, year, now)
    return _register(session, actor=me, year=year, title=title, person_id=me.person_id, unit_id=None,
                     confirmed=False, now=now)


def register_person(session: Session, *, actor: Actor | None, person_id: int, year: int, title_id: int,
                    now: datetime) -> int:
    """A unit head registers one of their people (confirmed at once), or confirms the person's own registration.

    Raises:
        NotAllowed (outside the actor's units), NotFound, Invalid, Conflict (window, already confirmed).
    """
    person, _unit_row = _person_in_reach(session, actor, Perm.RATE_PEOPLE, person_id)
    year = _year(year, now)
    title = _title(session, title_id, subject=INDIVIDUAL)
    _window_open(session, actor, year, now)
    return _register(session, actor=actor, year=year, title=title, person_id=person.id, unit_id=None,
                     confirmed=True, now=now)


def register_unit(session: Session, *, actor: Actor | None, unit_id: int, year: int, title_id: int,
                  now: datetime) -> int:
    """A unit head registers their unit (or a unit below it) for a collective title.

    Raises:
        NotAllowed, NotFound, Invalid (an individual title), Conflict (window, already registered).
    """
    require(actor, Perm.RATE_PEOPLE)
    unit = _unit(session, unit_id)
    require(actor, Perm.RATE_PEOPLE, unit_path=unit.path)
    year = _year(year, now)
    title = _title(session, title_id, subject=rules.COLLECTIVE)
    _window_open(session, actor, year, now)
    return _register(session, actor=actor, year=year, title=title, person_id=None, unit_id=unit.id, confirmed=True,
                     now=now)


def _registration(session: Session, registration_id: int) -> tuple[models.Registration, str]:
    row = session.get(models.Registration, registration_id) if registration_id else None
    if row is None:
        raise NotFound("This registration does not exist.")
    if row.person_id is not None:
        _person_row, unit = _person(session, row.person_id)
    else:
        unit = _unit(session, row.unit_id)
    return row, unit.path


def confirm_registration(session: Session, *, actor: Actor | None, registration_id: int, now: datetime) -> None:
    """A unit head confirms a person's registration.

    Raises:
        NotAllowed (outside the actor's units), NotFound, Conflict (withdrawn or already confirmed).
    """
    require(actor, Perm.RATE_PEOPLE)
    row, path = _registration(session, registration_id)
    require(actor, Perm.RATE_PEOPLE, unit_path=path)
    if row.status != rules.REGISTERED:
        raise Conflict("This registration is already confirmed or was withdrawn.")
    row.status, row.confirmed_at, row.confirmed_by_account_id = rules.CONFIRMED, now, actor.account_id
    session.add(row)
    audit.record(session, actor=actor, action="commendations.registration.confirm", entity="commend_registration",
                 entity_id=row.id, now=now)
    session.flush()


def withdraw_registration(session: Session, *, actor: Actor | None, registration_id: int, now: datetime) -> None:
    """Withdraw a registration: the person their own (in the window), a unit head any of their units'.

    Raises:
        NotAllowed, NotFound, Conflict (already withdrawn; the window closed for the person).
    """
    me = require_login(actor)
    row, path = _registration(session, registration_id)
    own = row.person_id is not None and row.person_id == me.person_id
    if not own:
        require(me, Perm.RATE_PEOPLE, unit_path=path)
    if row.status == rules.WITHDRAWN:
        raise Conflict("This registration was already withdrawn.")
    if own and not can(me, Perm.RATE_PEOPLE, unit_path=path):
        _window_open(session, me, row.year, now)
    row.status = rules.WITHDRAWN
    session.add(row)
    audit.record(session, actor=me, action="commendations.registration.withdraw", entity="commend_registration",
                 entity_id=row.id, now=now)
    session.flush()


def record_covenant(session: Session, *, actor: Actor | None, unit_id: int, year: int, title: str, signed_on: date,
                    content: str = "", signatory_unit_ids: Sequence[int] = (), now: datetime) -> int:
    """Record a collective covenant (giao ước thi đua) with the units that signed it.

    Raises:
        NotAllowed, NotFound (a unit), Invalid (no title, no signatory, a bad year).
    """
    require(actor, Perm.RATE_PEOPLE)
    unit = _unit(session, unit_id)
    require(actor, Perm.RATE_PEOPLE, unit_path=unit.path)
    year = _year(year, now)
    title = limits.clean_line(title, limit=rules.COVENANT_TITLE_MAX, what=N_("covenant's title"), field="title")
    content = limits.within(content.strip(), limit=rules.COVENANT_CONTENT_MAX, what=N_("covenant's content"),
                            field="content")
    if not title:
        raise Invalid("Enter the covenant's title.", {"title": N_("Required")})
    signatories = sorted(set(signatory_unit_ids) | {unit.id})
    found = set(session.exec(select(Unit.id).where(Unit.id.in_(signatories), Unit.is_active.is_(True))))
    if len(found) != len(signatories):
        raise Invalid("One of the signatory units does not exist or is inactive.")
    if len(signatories) < 2:
        raise Invalid("A covenant is signed by at least two units; choose the other signatories.",
                      {"signatories": N_("Required")})
    row = models.Covenant(year=year, unit_id=unit.id, title=title, signed_on=signed_on,
                          content=content, created_at=now, created_by_account_id=actor.account_id)
    session.add(row)
    session.flush()
    session.add_all([models.CovenantSignatory(covenant_id=row.id, unit_id=u) for u in signatories])
    audit.record(session, actor=actor, action="commendations.covenant.add", entity="commend_covenant",
                 entity_id=row.id, now=now, units=len(signatories))
    session.flush()
    return row.id


# --- initiatives ----------------------------------------------------------------------------------


def record_initiative(
    session: Session, *, actor: Actor | None, title: str, year: int, scope: str, decision_ref: str,
    decided_on: date | None, unit_id: int, author_ids: Sequence[int], document: bytes | None = None,
    document_name: str = "", now: datetime,
) -> int:
    """Register an initiative recognised at a scope by a decision, with its authors and document.

    Raises:
        NotAllowed (the unit is outside the actor's), NotFound (a unit), Invalid (a missing field, an
        unknown author, a decision after today), Conflict (the same title already registered that year).
    """
    require(actor, Perm.RATE_PEOPLE)
    unit = _unit(session, unit_id)
    require(actor, Perm.RATE_PEOPLE, unit_path=unit.path)
    year = _year(year, now)
    name = limits.clean_line(title, limit=rules.INITIATIVE_TITLE_MAX, what=N_("initiative's title"), field="title")
    decision_ref = _decision_ref(decision_ref)
    if not name:
        raise Invalid("Enter the initiative's title.", {"title": N_("Required")})
    if scope not in rules.SCOPES:
        raise Invalid("Choose the level at which it was recognised.", {"scope": N_("Choose one")})
    if not decision_ref.strip():
        raise Invalid("Enter the number of the decision that recognised it.", {"decision_ref": N_("Required")})
    if decided_on is None:
        raise Invalid("Enter the date of the decision.", {"decided_on": N_("Required")})
    if decided_on > _today(now):
        raise Invalid("The decision date cannot be in the future.", {"decided_on": N_("In the future")})
    authors = sorted(set(author_ids))
    if not authors:
        raise Invalid("Choose at least one author.", {"authors": N_("Required")})
    found = set(session.exec(select(Person.id).where(Person.id.in_(authors), Person.is_active.is_(True))))
    if len(found) != len(authors):
        raise Invalid("One of the authors does not exist or has left the organisation.")
    key = fold(name)
    if session.exec(select(models.Initiative.id).where(models.Initiative.year == year,
                                                       models.Initiative.title_key == key)).first():
        raise Conflict("An initiative with this title is already registered for {year}.", year=year)
    file_id = None
    if document:
        stored = files.save(session, clean=files.clean_scan(document), purpose=queries.INITIATIVE_FILE,
                            name=document_name or name, actor=actor, now=now)
        file_id = stored.id
    row = models.Initiative(title=name, title_key=key, year=year, scope=scope, decision_ref=decision_ref,
                            decided_on=decided_on, unit_id=unit.id, file_id=file_id, created_at=now,
                            created_by_account_id=actor.account_id)
    session.add(row)
    session.flush()
    session.add_all([models.InitiativeAuthor(initiative_id=row.id, person_id=p) for p in authors])
    audit.record(session, actor=actor, action="commendations.initiative.add", entity="commend_initiative",
                 entity_id=row.id, now=now, year=year, scope=scope, authors=len(authors))
    session.flush()
    return row.id


# --- discipline and holds (personnel data) ---------------------------------------------------------


def record_discipline(
    session: Session, *, actor: Actor | None, person_id: int, form: str, starts_on: date | None,
    ends_on: date | None, decision_ref: str, note: str = "", now: datetime,
) -> int:
    """Record a disciplinary measure with its period.

    Raises:
        NotAllowed (outside the actor's units), NotFound, Invalid.
    """
    person, _unit_row = _person_in_reach(session, actor, Perm.RECORD_DISCIPLINE, person_id)
    if form not in rules.DISCIPLINE_FORMS:
        raise Invalid("Choose the form of discipline.", {"form": N_("Choose one")})
    rules.check_period(starts_on, ends_on)
    decision_ref, note = _decision_ref(decision_ref), _note(note)
    if not decision_ref:
        raise Invalid("Enter the number of the discipline decision.", {"decision_ref": N_("Required")})
    row = models.Discipline(person_id=person.id, form=form, starts_on=starts_on, ends_on=ends_on,
                            decision_ref=decision_ref, note=note, created_at=now,
                            created_by_account_id=actor.account_id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="commendations.discipline.add", entity="person", entity_id=person.id,
                 now=now, form=form, starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat())
    return row.id


def place_hold(session: Session, *, actor: Actor | None, person_id: int, reason: str, starts_on: date | None,
               ends_on: date | None = None, note: str = "", now: datetime) -> int:
    """Hold a person's commendations (Decree 152 Art. 4) from a date, until lifted or an end date.

    Raises:
        NotAllowed (officers only), NotFound, Invalid.
    """
    person, _unit_row = _person_in_reach(session, actor, Perm.MANAGE_HOLDS, person_id)
    if reason not in rules.HOLD_REASONS:
        raise Invalid("Choose why the commendations are held.", {"reason": N_("Choose one")})
    rules.check_period(starts_on, ends_on, open_end=True)
    note = _note(note)
    row = models.Hold(person_id=person.id, reason=reason, starts_on=starts_on, ends_on=ends_on,
                      note=note, created_at=now, created_by_account_id=actor.account_id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="commendations.hold.place", entity="person", entity_id=person.id,
                 now=now, reason=reason)
    return row.id


def lift_hold(session: Session, *, actor: Actor | None, hold_id: int, now: datetime) -> None:
    """Lift a hold (it stays on record with who lifted it and when).

    Raises:
        NotAllowed, NotFound, Conflict (already lifted).
    """
    require(actor, Perm.MANAGE_HOLDS)
    row = session.get(models.Hold, hold_id) if hold_id else None
    if row is None:
        raise NotFound("This hold does not exist.")
    if row.lifted_at is not None:
        raise Conflict("This hold was already lifted.")
    row.lifted_at, row.lifted_by_account_id = now, actor.account_id
    session.add(row)
    audit.record(session, actor=actor, action="commendations.hold.lift", entity="person", entity_id=row.person_id,
                 now=now)
    session.flush()


def _before_my_council(session: Session, me: Actor, person_id: int) -> bool:
    """Whether ``person_id`` is a nominee on the agenda of a council session ``me`` sits on, not yet
    closed, and ``me`` is not recused from that item: the member then reads their records."""
    if Role.COUNCIL_MEMBER not in me.roles:
        return False
    return session.exec(
        select(models.AgendaItem.id)
        .join(models.Nominee, models.Nominee.id == models.AgendaItem.nominee_id)
        .join(models.CouncilSession, models.CouncilSession.id == models.AgendaItem.session_id)
        .join(models.SessionMember, sa.and_(models.SessionMember.session_id == models.AgendaItem.session_id,
                                            models.SessionMember.person_id == me.person_id))
        .outerjoin(models.Recusal, sa.and_(models.Recusal.item_id == models.AgendaItem.id,
                                           models.Recusal.person_id == me.person_id))
        .where(models.Nominee.person_id == person_id, models.CouncilSession.status != "closed",
               models.Recusal.person_id.is_(None))
        .limit(1)).first() is not None


def personnel_records(session: Session, *, actor: Actor | None, person_id: int, now: datetime) -> PersonnelRecords:
    """A person's discipline records and holds; the person, their unit heads and officers see them,
    and the council members while the person is before them (on the agenda of a session not yet
    closed, unless they are recused from that item).

    Every view is audited (the personal data protection law applies), so this read lives here.

    Raises:
        NotAllowed (anyone else, without saying whether records exist), NotFound.
    """
    me = require_login(actor)
    person, unit = _person(session, person_id)
    basis = "own"
    if person.id != me.person_id:
        basis = "personnel"
        if not can(me, Perm.VIEW_PERSONNEL, unit_path=unit.path):
            if not _before_my_council(session, me, person.id):
                require(me, Perm.VIEW_PERSONNEL, unit_path=unit.path)
            basis = "council"
    disciplines = [DisciplineRow(id=d.id, form=d.form, form_label=rules.DISCIPLINE_NAMES[d.form].render(),
                                 starts_on=formats.day(d.starts_on), ends_on=formats.day(d.ends_on),
                                 decision_ref=d.decision_ref, note=d.note)
                   for d in session.exec(select(models.Discipline).where(models.Discipline.person_id == person.id)
                                         .order_by(models.Discipline.starts_on.desc()))]
    today = _today(now)
    holds = [HoldRow(id=h.id, reason=h.reason, reason_label=rules.HOLD_NAMES[h.reason].render(),
                     starts_on=formats.day(h.starts_on), ends_on=formats.day(h.ends_on) if h.ends_on else "",
                     note=h.note, in_force=h.lifted_at is None and h.starts_on <= today
                     and (h.ends_on is None or today <= h.ends_on), lifted=h.lifted_at is not None)
             for h in session.exec(select(models.Hold).where(models.Hold.person_id == person.id)
                                   .order_by(models.Hold.starts_on.desc()))]
    audit.record(session, actor=me, action="commendations.personnel.view", entity="person", entity_id=person.id,
                 now=now, disciplines=len(disciplines), holds=len(holds), basis=basis)
    session.flush()
    return PersonnelRecords(person_id=person.id, full_name=person.full_name, employee_code=person.employee_code,
                            unit_name=unit.name, disciplines=disciplines, holds=holds,
                            can_record=can(me, Perm.RECORD_DISCIPLINE, unit_path=unit.path),
                            can_hold=can(me, Perm.MANAGE_HOLDS, unit_path=unit.path))


# --- the register of titles held ---------------------------------------------------------------------


def _bonus_for(session: Session, title: models.Title, year: int, decided_on: date) -> int:
    versions = [_version(r) for r in session.exec(select(models.TitleRule).where(
        models.TitleRule.title_id == title.id))]
    rule = rules.rule_for_year(versions, year)
    base = rules.base_salary_on(session.exec(select(models.BaseSalary.valid_from, models.BaseSalary.amount)).all(),
                                decided_on)
    if rule is None or base is None:
        return 0
    return rules.bonus(rule.coefficient_pct, base)


def _version(row: models.TitleRule) -> rules.RuleVersion:
    return rules.RuleVersion(
        valid_from=row.valid_from, valid_to=row.valid_to, decider=row.decider, coefficient_pct=row.coefficient_pct,
        ballot_required=row.ballot_required, threshold_pct=row.threshold_pct, quota_kind=row.quota_kind,
        quota_pct=row.quota_pct, criteria=tuple(json.loads(row.criteria or "[]")), basis_document=row.basis_document,
        basis_article=row.basis_article, note=row.note, decider_depth=row.decider_depth, id=row.id or 0)


def _store_award(session: Session, *, actor: Actor, title: models.Title, year: int, person_id: int | None,
                 unit_id: int | None, decision_ref: str, decided_on: date, decided_by: str, source: str,
                 now: datetime) -> models.Award:
    key = rules.person_key(person_id) if person_id else rules.unit_key(unit_id)
    row = models.Award(year=year, title_id=title.id, subject_key=key, person_id=person_id, unit_id=unit_id,
                       decision_ref=decision_ref.strip(), decided_on=decided_on,
                       decided_by=decided_by.strip(), bonus_amount=_bonus_for(session, title, year, decided_on),
                       source=source, created_at=now, created_by_account_id=actor.account_id)
    session.add(row)
    return row


def _check_award(title: models.Title, year: int, decision_ref: str, decided_on: date | None, today: date) -> None:
    if not decision_ref.strip():
        raise Invalid("Enter the number of the decision.", {"decision_ref": N_("Required")})
    if decided_on is None:
        raise Invalid("Enter the date of the decision.", {"decided_on": N_("Required")})
    if decided_on > today:
        raise Invalid("The decision date cannot be in the future.", {"decided_on": N_("In the future")})
    if decided_on.year < year:
        raise Invalid("A title for {year} cannot be decided before that year ({day}).", {"decided_on": N_("Too early")},
                      year=year, day=formats.day(decided_on))


def record_award(
    session: Session, *, actor: Actor | None, title_id: int, year: int, person_id: int | None = None,
    unit_id: int | None = None, decision_ref: str, decided_on: date | None, decided_by: str = "",
    initiative_ids: Sequence[int] = (), now: datetime,
) -> int:
    """Enter a title already awarded (also for past years, so consecutive-year rules work at once).

    The bonus is the title's coefficient for that year x the base salary on the decision date,
    rounded up to 10,000 VND. Initiatives named serve this award and cannot serve another.

    Raises:
        NotAllowed (officers), NotFound, Invalid (a person for a collective title or the reverse, bad
        dates), Conflict (already in the register, an initiative already used).
    """
    require(actor, Perm.MANAGE_TITLES)
    year = _year(year, now)
    title = _title(session, title_id)
    if (person_id is None) == (unit_id is None):
        raise Invalid("Choose the person or the unit that received it.")
    if title.subject == INDIVIDUAL:
        if person_id is None:
            raise Invalid("{title} is a title for individuals; choose a person.", title=title.abbreviation)
        _person(session, person_id)
    else:
        if unit_id is None:
            raise Invalid("{title} is a title for collectives; choose a unit.", title=title.abbreviation)
        _unit(session, unit_id)
    _check_award(title, year, decision_ref, decided_on, _today(now))
    _check_award_texts(decision_ref, decided_by)
    key = rules.person_key(person_id) if person_id else rules.unit_key(unit_id)
    if session.exec(select(models.Award.id).where(models.Award.year == year, models.Award.title_id == title.id,
                                                  models.Award.subject_key == key,
                                                  models.Award.revoked_at.is_(None))).first() is not None:
        raise Conflict("{title} for {year} is already in the register for them.", title=title.abbreviation, year=year)
    initiatives = []
    for initiative_id in sorted(set(initiative_ids)):
        initiative = session.get(models.Initiative, initiative_id)
        if initiative is None:
            raise NotFound("This initiative is not in the register.")
        if initiative.used_for_award_id is not None:
            raise Conflict("The initiative “{name}” already served another award; an initiative serves one award only.",
                           name=initiative.title)
        if person_id is not None and not session.exec(select(models.InitiativeAuthor).where(
                models.InitiativeAuthor.initiative_id == initiative.id,
                models.InitiativeAuthor.person_id == person_id)).first():
            raise Invalid("The initiative “{name}” is not by this person.", name=initiative.title)
        initiatives.append(initiative)
    # A revoked entry stays as it was (with its revocation); the new one is a row of its own.
    row = _store_award(session, actor=actor, title=title, year=year, person_id=person_id, unit_id=unit_id,
                       decision_ref=decision_ref, decided_on=decided_on, decided_by=decided_by, source="entered",
                       now=now)
    session.flush()
    for initiative in initiatives:
        initiative.used_for_award_id = row.id
        session.add(initiative)
    audit.record(session, actor=actor, action="commendations.award.add", entity="commend_award", entity_id=row.id,
                 now=now, title=title.code, year=year, subject=key, bonus=row.bonus_amount)
    session.flush()
    return row.id


AWARD_COLUMNS = ("year", "title_code", "employee_code", "unit_code", "decision_ref", "decided_on", "decided_by",
                 "full_name")


def import_awards(session: Session, *, actor: Actor | None, data: bytes, filename: str,
                  now: datetime) -> ImportReport:
    """Import titles already awarded from CSV or XLSX, all or nothing.

    Columns: year, title_code, employee_code (individual titles) or unit_code (collective ones),
    decision_ref, decided_on (yyyy-mm-dd or dd/mm/yyyy), decided_by; full_name is ignored.

    Raises:
        NotAllowed (officers). Invalid: the file itself cannot be read.
    """
    require(actor, Perm.MANAGE_TITLES)
    rows = read_table(data, filename, required=("year", "title_code", "decision_ref", "decided_on"),
                      allowed=AWARD_COLUMNS)
    titles = {t.code.upper(): t for t in session.exec(select(models.Title).where(models.Title.is_active.is_(True)))}
    people = {code.upper(): pid for pid, code in session.exec(select(Person.id, Person.employee_code)
                                                            .where(Person.is_active.is_(True)))}
    units = {code.upper(): uid for uid, code in session.exec(select(Unit.id, Unit.code)
                                                            .where(Unit.is_active.is_(True)))}
    taken = {(y, t, k) for y, t, k in session.exec(select(models.Award.year, models.Award.title_id,
                                                          models.Award.subject_key)
                                                   .where(models.Award.revoked_at.is_(None)))}
    today = _today(now)
    errors: list[RowError] = []
    valid = []
    for row in rows:
        before = len(errors)

        def error(column: str, message: Msg) -> None:
            errors.append(RowError(row.line, column, message.render()))  # noqa: B023

        try:
            year = rules.check_year(int(row.get("year", "")), today=today)
        except (ValueError, Invalid):
            year = 0
            error("year", N_("Enter the year as four digits, from 2000 to {last}.", last=today.year + 1))
        title = titles.get(row.get("title_code", "").strip().upper())
        if title is None:
            error("title_code", N_("No title of the catalogue has the code {code}.", code=row.get("title_code", "")))
        person_id = unit_id = None
        if title is not None and title.subject == INDIVIDUAL:
            person_id = people.get(row.get("employee_code", "").strip().upper())
            if person_id is None:
                error("employee_code", N_("No active person has the code {code}.", code=row.get("employee_code", "")))
        elif title is not None:
            unit_id = units.get(row.get("unit_code", "").strip().upper())
            if unit_id is None:
                error("unit_code", N_("No active unit has the code {code}.", code=row.get("unit_code", "")))
        decided_on = _parse_day(row.get("decided_on", ""))
        if decided_on is None:
            error("decided_on", N_("Enter the decision date as dd/mm/yyyy."))
        elif title is not None and year:
            try:
                _check_award(title, year, row.get("decision_ref", ""), decided_on, today)
            except Invalid as exc:
                errors.append(RowError(row.line, next(iter(exc.fields), "decided_on"), exc.message))
        try:
            _check_award_texts(row.get("decision_ref", ""), row.get("decided_by", ""))
        except Invalid as exc:
            errors.append(RowError(row.line, next(iter(exc.fields), "decision_ref"), exc.message))
        if title is not None and (person_id or unit_id) and year:
            key = rules.person_key(person_id) if person_id else rules.unit_key(unit_id)
            if (year, title.id, key) in taken:
                error("title_code", N_("{title} for {year} is already in the register for them, or earlier in "
                                       "the file.", title=title.abbreviation, year=year))
            taken.add((year, title.id, key))
        if len(errors) == before:
            valid.append((title, year, person_id, unit_id, row.get("decision_ref", ""), decided_on,
                          row.get("decided_by", "")))
    if errors:
        return ImportReport(written=0, total_rows=len(rows), errors=[(e.line, e.column, e.message) for e in errors])
    for title, year, person_id, unit_id, ref, decided_on, decided_by in valid:
        _store_award(session, actor=actor, title=title, year=year, person_id=person_id, unit_id=unit_id,
                     decision_ref=ref, decided_on=decided_on, decided_by=decided_by, source="imported", now=now)
    audit.record(session, actor=actor, action="commendations.award.import", entity="commend_award", now=now,
                 rows=len(valid))
    session.flush()
    return ImportReport(written=len(valid), total_rows=len(rows), errors=[])


def _parse_day(text: str) -> date | None:
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(x) for x in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def revoke_award(session: Session, *, actor: Actor | None, award_id: int, reason: str, now: datetime) -> None:
    """Revoke an award entered wrongly or cancelled (kept with the reason; its initiatives are freed).

    Raises:
        NotAllowed, NotFound, Invalid (no reason), Conflict (already revoked).
    """
    require(actor, Perm.MANAGE_TITLES)
    row = session.get(models.Award, award_id) if award_id else None
    if row is None:
        raise NotFound("This award is not in the register.")
    if row.revoked_at is not None:
        raise Conflict("This award was already revoked.")
    reason = limits.within(reason.strip(), limit=rules.AWARD_REVOKE_REASON_MAX, what=N_("reason"), field="reason")
    if not reason:
        raise Invalid("Say why the award is revoked.", {"reason": N_("Required")})
    row.revoked_at, row.revoked_reason = now, reason
    session.add(row)
    for initiative in session.exec(select(models.Initiative).where(models.Initiative.used_for_award_id == row.id)):
        initiative.used_for_award_id = None
        session.add(initiative)
    audit.record(session, actor=actor, action="commendations.award.revoke", entity="commend_award", entity_id=row.id,
                 now=now, reason=row.revoked_reason)
    session.flush()



ELIGIBILITY_VIEW = queries.ELIGIBILITY_VIEW


# --- eligibility (a read, but audited: it shows holds and discipline) ----------------------------

STATUS_ORDER = (rules.ELIGIBLE, rules.MISSING, rules.EXCLUDED, rules.HELD)
ELIGIBILITY_PAGE = 50


def _eligibility_rows(comp: queries.Computation, outcome: queries.TitleOutcome, status: str) -> list[EligibilityRow]:
    subjects = comp.people if outcome.subject == INDIVIDUAL else comp.units
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    chosen = [(sid, j) for sid, j in outcome.judgements.items() if not status or j.status == status]
    chosen.sort(key=lambda item: (rank[item[1].status], subjects[item[0]].unit_name, subjects[item[0]].name))
    return [EligibilityRow(subject_id=sid, code=subjects[sid].code, name=subjects[sid].name,
                           unit_name=subjects[sid].unit_name, status=j.status,
                           status_label=rules.STATUS_NAMES[j.status].render(),
                           reasons=[r.render() for r in j.reasons]) for sid, j in chosen]


def eligibility(
    session: Session, *, actor: Actor | None, year: int, title_id: int, unit_id: int, status: str = "",
    page: int = 1, page_size: int = ELIGIBILITY_PAGE, now: datetime,
) -> EligibilityView:
    """Who of a unit subtree meets every criterion of a title for a year, who misses one (each
    named with its basis), who is excluded or held; with the quota and how many it allows.

    ``page_size`` 0 returns every row (the printed list and the export). The view is audited,
    since the list shows holds and discipline.

    Raises:
        NotAllowed (outside the actor's units), NotFound (a unit or title), Invalid (a bad year).
    """
    require(actor, Perm.VIEW_ELIGIBILITY)
    unit = _unit(session, unit_id)
    require(actor, Perm.VIEW_ELIGIBILITY, unit_path=unit.path)
    year = _year(year, now)
    title = _title(session, title_id)
    comp = queries.cached_compute(session, year=year, root_path=unit.path, as_of=_today(now))
    outcome = comp.outcomes.get(title.code)
    if status and status not in STATUS_ORDER:
        status = ""
    counts = {s: outcome.count(s) for s in STATUS_ORDER} if outcome else {}
    rows = _eligibility_rows(comp, outcome, status) if outcome and outcome.rule else []
    total = len(rows)
    pages = 1 if not page_size else max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    shown = rows if not page_size else rows[(page - 1) * page_size:page * page_size]
    rule = outcome.rule if outcome else None
    quota_text = ""
    if rule is not None and outcome.allowed is not None:
        quota_text = N_("Quota: at most {allowed} of {base} ({pct}%)", allowed=outcome.allowed,
                        base=outcome.count(rules.ELIGIBLE) if rule.quota_kind == "eligible" else outcome.headcount,
                        pct=rule.quota_pct).render()
    audit.record(session, actor=actor, action=ELIGIBILITY_VIEW, entity="commend_title", entity_id=title.id,
                 now=now, year=year, unit_id=unit.id, held=counts.get(rules.HELD, 0), rows=len(shown))
    session.flush()
    return EligibilityView(
        year=year, title_id=title.id, title=title.abbreviation, title_name=title.name, subject=title.subject,
        basis="; ".join(x for x in (rule.basis_document, rule.basis_article) if x) if rule else "",
        note=rule.note if rule else "", counts=counts, quota_text=quota_text, rows=shown, page=page, pages=pages,
        total=total, no_rule=rule is None)
