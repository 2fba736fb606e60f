"""Frozen data passed from the good-models services and queries to pages (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ResultRow:
    """One measured result, with its change, in the reader's language."""

    indicator: str
    before: str
    after: str
    measure: str
    change: str  # "−4 days (−40%)"
    where: str = ""  # the unit that measured it ("" for the model's own unit)


@dataclass(frozen=True)
class FileRow:
    """A photo or document of a model, served by the authorised files route."""

    url: str
    name: str
    is_image: bool


@dataclass(frozen=True)
class ModelRow:
    """A model as a list shows it."""

    id: int
    title: str
    year: int
    unit_name: str
    field: str
    field_label: str
    status: str
    status_label: str
    summary: str
    decision: str  # "12/QĐ-UBND, 15/03/2026" or ""
    adoptions: int
    reported: int
    return_reason: str = ""


@dataclass(frozen=True)
class ModelPage:
    """One page of the register."""

    rows: list[ModelRow] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class AdoptionRow:
    """A unit replicating a model, and what it reported."""

    id: int
    model_id: int
    model_title: str
    unit_name: str
    starts_on: str
    due_on: str
    months: int
    plan: str
    status: str
    status_label: str
    report: str
    effects: str  # each reported indicator's change, in one line
    is_due: bool


@dataclass(frozen=True)
class ModelDetail:
    """Everything about one model: the proposal, the decision, results, files and replications."""

    row: ModelRow
    summary: str
    evidence: str
    return_reason: str
    initiative: str
    award: str
    results: list[ResultRow] = field(default_factory=list)
    files: list[FileRow] = field(default_factory=list)
    adoptions: list[AdoptionRow] = field(default_factory=list)
    replicated_results: list[ResultRow] = field(default_factory=list)
    may_recognise: bool = False
    may_adopt: bool = False


@dataclass(frozen=True)
class UnitView:
    """A unit's proposals and adoptions, for its head."""

    proposals: list[ModelRow] = field(default_factory=list)
    adoptions: list[AdoptionRow] = field(default_factory=list)


@dataclass(frozen=True)
class DueReport:
    """An adoption whose result is due, and who to remind (for the reminder job)."""

    adoption_id: int
    model_title: str
    unit_name: str
    due_on: str
    due_iso: str
    person_ids: tuple[int, ...]
