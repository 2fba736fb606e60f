"""The evidence a unit head sees beside each person on the annual rating sheet (issue 14).

"Beside each person: the conduct-commitment status of that year (signed, declined, not
signed), points and rank, recognitions and citizens' ratings, so a head rates with the
evidence in view." Each fact is read from the feature that owns it, through its ``queries``
building blocks, for all the sheet's people at once: a constant number of queries per chunk
of 900 people, never a query per person. No actor: the sheet's own read has already decided
who may see these people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from engagement.commitments import queries as commitments_queries
from engagement.core import formats
from engagement.core.i18n import N_, Msg
from engagement.recognition import queries as recognition_queries
from engagement.scoring import queries as scoring_queries
from engagement.scoring import rules as scoring_rules
from engagement.supervision import queries as supervision_queries

#: Ids per IN list: SQLite binds at most 999 parameters in a statement (older builds).
IN_CHUNK = 900

#: How a person's commitment of the year reads (``Evidence.commitment`` -> label).
COMMITMENT_NAMES: dict[str, Msg] = {
    "signed": N_("Signed"),
    "declined": N_("Declined"),
    "not_signed": N_("Not signed"),
    "none": N_("No commitment"),
}


@dataclass(frozen=True)
class Evidence:
    """What the rating sheet shows beside one person for one year.

    ``commitment``: "signed" | "declined" | "not_signed" | "none" (no campaign of the year
    concerned them); its label is ``COMMITMENT_NAMES[commitment]``. ``points``: the stored
    year total. ``rank``: among the sheet's people, ties sharing a rank (1, 2, 2, 4); None
    without points. ``rank_of``: how many people the sheet ranks. ``recognitions``: received
    in the year, not revoked. ``citizen_avg``: the average citizens' rating with one decimal
    in the reader's convention ("4.5", "4,5"; "" when none), over ``citizen_count`` ratings.
    ``checks``, ``failures``, ``repeats``: the person's spot-check findings of the year (items
    checked, failed, and failed again within a year: issue 20).
    """

    commitment: str
    points: int
    rank: int | None
    rank_of: int
    recognitions: int
    citizen_avg: str
    citizen_count: int
    checks: int = 0
    failures: int = 0
    repeats: int = 0


def evidence(session: Session, *, person_ids: list[int], year: int) -> dict[int, Evidence]:
    """The evidence beside each of ``person_ids`` for ``year``, read in bulk.

    Args:
        session: an open session.
        person_ids: the people of the sheet (any number; a repeated id counts once). Ranks are
            within these people only.
        year: the year being rated.

    Returns:
        Person id -> evidence, for every id given (an unknown id has none of anything).
    """
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return {}
    period = scoring_rules.year_key(date(year, 1, 1))
    points: dict[int, int] = {}
    for start in range(0, len(ids), IN_CHUNK):
        totals = scoring_queries.person_totals(session, person_ids=ids[start:start + IN_CHUNK], periods=[period])
        points.update({person_id: value for (person_id, _period), value in totals.items()})
    commitments = commitments_queries.year_status(session, person_ids=ids, year=year)
    recognitions = recognition_queries.received_in_year(session, person_ids=ids, year=year)
    ratings = recognition_queries.citizen_ratings_in_year(session, person_ids=ids, year=year)
    findings = supervision_queries.findings_in_year(session, person_ids=ids, year=year)
    ranked = sorted((p for p in ids if points.get(p, 0) > 0), key=lambda p: -points[p])
    ranks = dict(zip(ranked, scoring_rules.competition_ranks([points[p] for p in ranked]), strict=True))
    out = {}
    for person_id in ids:
        average, count = ratings.get(person_id, (None, 0))
        checks, failures, repeats = findings.get(person_id, (0, 0, 0))
        out[person_id] = Evidence(
            commitment=commitments.get(person_id, "none"), points=points.get(person_id, 0),
            rank=ranks.get(person_id), rank_of=len(ids), recognitions=recognitions.get(person_id, 0),
            citizen_avg=formats.number(average, 1, fixed=True), citizen_count=count,
            checks=checks, failures=failures, repeats=repeats)
    return out

