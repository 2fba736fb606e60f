"""Frozen rows the commendation pages show (never ORM rows: a public state var goes to the browser)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImportReport:
    """The outcome of an all-or-nothing import: rows written, or every error and nothing written."""

    written: int
    total_rows: int
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, message)


@dataclass(frozen=True)
class DisciplineRow:
    """A discipline record, as its viewer reads it."""

    id: int
    form: str
    form_label: str
    starts_on: str
    ends_on: str
    decision_ref: str
    note: str


@dataclass(frozen=True)
class HoldRow:
    """A hold, as its viewer reads it."""

    id: int
    reason: str
    reason_label: str
    starts_on: str
    ends_on: str
    note: str
    in_force: bool
    lifted: bool


@dataclass(frozen=True)
class PersonnelRecords:
    """A person's discipline records and holds (every view audited)."""

    person_id: int
    full_name: str
    employee_code: str
    unit_name: str
    disciplines: list[DisciplineRow]
    holds: list[HoldRow]
    can_record: bool
    can_hold: bool


@dataclass(frozen=True)
class RuleRow:
    """One dated version of a title's values."""

    id: int
    valid_from: str
    valid_to: str
    decider: str
    coefficient: str
    bonus_now: str
    ballot: str
    quota: str
    criteria: list[str]
    criteria_json: str
    basis: str
    note: str
    in_force: bool


@dataclass(frozen=True)
class TitleRow:
    """A catalogue entry with the version in force today and its history."""

    id: int
    code: str
    abbreviation: str
    name: str
    subject: str
    subject_label: str
    kind_label: str
    is_local: bool
    is_active: bool
    current: RuleRow | None
    versions: list[RuleRow]


@dataclass(frozen=True)
class SalaryRow:
    """A row of the base salary table."""

    valid_from: str
    amount: str
    basis: str
    in_force: bool


@dataclass(frozen=True)
class ExclusionRow:
    """A local exclusion and whether it is on."""

    code: str
    label: str
    enabled: bool
    value: int
    basis: str


@dataclass(frozen=True)
class YearSettings:
    """A year's registration window and HTXSNV cap."""

    year: int
    opens_on: str
    closes_on: str
    opens_iso: str
    closes_iso: str
    cap_pct: int
    window_open: bool


@dataclass(frozen=True)
class Catalogue:
    """What the officers' catalogue page shows."""

    titles: list[TitleRow]
    salaries: list[SalaryRow]
    exclusions: list[ExclusionRow]


@dataclass(frozen=True)
class RatingRow:
    """A person on the rating sheet, with the evidence a head rates by."""

    person_id: int
    employee_code: str
    full_name: str
    unit_name: str
    level: str
    reason: str
    months_worked: str
    absent_days: str
    commitment: str
    commitment_label: str
    points: str
    rank: str
    recognitions: int
    citizens: str
    #: The year's spot-check findings: "2 failed of 15 checked (1 repeat)"; "" when never checked.
    spot_checks: str = ""


@dataclass(frozen=True)
class UnitRatingRow:
    """A unit on the collective rating sheet."""

    unit_id: int
    name: str
    code: str
    depth: int
    level: str
    reason: str


@dataclass(frozen=True)
class RatingSheet:
    """A page of the rating sheet of a unit subtree and year, with the HTXSNV share against its cap."""

    rows: list[RatingRow]
    page: int
    pages: int
    total: int
    counts: dict[str, int]
    excellent_share: str
    cap_pct: int
    excellent_allowed: int
    over_cap: bool
    units: list[UnitRatingRow]


@dataclass(frozen=True)
class RegistrationRow:
    """A registration for a title."""

    id: int
    year: int
    title: str
    subject_name: str
    unit_name: str
    status: str
    status_label: str
    registered_at: str


@dataclass(frozen=True)
class InitiativeRow:
    """An initiative in the register."""

    id: int
    title: str
    year: int
    scope: str
    scope_label: str
    decision_ref: str
    decided_on: str
    authors: str
    unit_name: str
    used_for: str
    file_id: int


@dataclass(frozen=True)
class AwardRow:
    """A title held."""

    id: int
    year: int
    title: str
    subject_name: str
    decision_ref: str
    decided_on: str
    bonus: str
    source: str
    revoked: bool


@dataclass(frozen=True)
class TitleOption:
    """A title for a selector."""

    id: int
    code: str
    label: str
    subject: str


@dataclass(frozen=True)
class MyCommendations:
    """What a staff member sees of their own: registrations, titles, initiatives, ratings."""

    year: int
    window: YearSettings
    registrations: list[RegistrationRow]
    awards: list[AwardRow]
    initiatives: list[InitiativeRow]
    ratings: list[tuple[int, str]]
    titles: list[TitleOption]


@dataclass(frozen=True)
class EligibilityRow:
    """A person or unit on the eligibility list of one title."""

    subject_id: int
    code: str
    name: str
    unit_name: str
    status: str
    status_label: str
    reasons: list[str]


@dataclass(frozen=True)
class EligibilityView:
    """The eligibility list of a title, a year and a unit subtree (one page of it)."""

    year: int
    title_id: int
    title: str
    title_name: str
    subject: str
    basis: str
    note: str
    counts: dict[str, int]
    quota_text: str
    rows: list[EligibilityRow]
    page: int
    pages: int
    total: int
    no_rule: bool
