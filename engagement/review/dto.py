"""Frozen data of the movement's review report, from ``queries.build`` to the documents and the page."""

from __future__ import annotations

from dataclasses import dataclass, field

from engagement.good_models.dto import ModelRow
from engagement.review.rules import Line, Period, Section


@dataclass(frozen=True)
class Report:
    """Everything the PDF and the workbook print (plain data, in the reader's language)."""

    org_name: str
    period: Period
    before: Period
    title: str
    generated: str
    org_now: Line
    org_before: Line
    sections: list[Section] = field(default_factory=list)
    awards: list[tuple[str, str, int, int]] = field(default_factory=list)
    impact: list[tuple[str, str, str]] = field(default_factory=list)  # (what, this period, previous)
    models: list[ModelRow] = field(default_factory=list)
    has_inspections: bool = False
