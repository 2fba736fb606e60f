"""Pure rules of recognition: levels and their cost, allowances, messages, citizens'
ratings, the anti-stuffing limits and the fairness signals. No database, no clock.
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import altcha

from engagement.core.access import Role
from engagement.core.i18n import N_, Msg

#: level -> (label, allowance cost per recipient; also the receiver's points quantity).
#: The label is a message: render it where it is shown (``str(label)`` under the reader's language).
LEVELS: dict[str, tuple[Msg, int]] = {
    "thanks": (N_("Thank you"), 1),
    "great": (N_("Great work"), 2),
    "outstanding": (N_("Outstanding"), 3),
}

#: Monthly giving allowance by role (a person with several roles gets the largest).
ALLOWANCE: dict[Role, int] = {
    Role.STAFF: 10,
    Role.UNION_OFFICER: 12,
    Role.COUNCIL_MEMBER: 12,
    Role.UNIT_HEAD: 20,
    Role.EMULATION_OFFICER: 20,
    Role.SYSTEM_ADMIN: 10,
}

MESSAGE_MIN = 30
MESSAGE_MAX = 1000
MESSAGE_HINT = N_("Say what they did and what it changed (for citizens, for the team).")
MAX_RECIPIENTS = 10
MAX_VALUES = 3
COMMENT_MAX = 300
REVOKE_REASON_MIN = 10
REVOKE_REASON_MAX = 500
WORK_REF_MAX = 60
#: A catalogue value's name and description (longer is refused, never cut: ``core.limits``).
VALUE_NAME_MAX = 120
VALUE_DESCRIPTION_MAX = 500

#: The movement's values, loaded into an empty catalogue (code, name, description). Names and
#: descriptions are messages, written into the catalogue in the organisation's language when
#: they are installed; the codes never change.
DEFAULT_VALUES: tuple[tuple[str, Msg, Msg], ...] = (
    ("4-requests", N_("The 4 requests"),
     N_("Say hello, say sorry, say thank you, ask permission")),
    ("4-always", N_("The 4 always"),
     N_("Always smile, always be gentle, always understand, always help")),
    ("discipline", N_("Discipline"), N_("Keep discipline and administrative order")),
    ("responsibility", N_("Responsibility"), N_("See the work through to the end")),
    ("exemplary", N_("Exemplary conduct"), N_("Set an example in word and deed")),
    ("service", N_("Service attitude"), N_("Serve citizens and businesses well")),
    ("green-office", N_("Green office"), N_("A green, clean and tidy office that saves resources")),
    ("digital", N_("Digital transformation"), N_("Digital transformation, online public services")),
)

# --- citizens ------------------------------------------------------------------------------
THANKS_PER_CLIENT_PER_DAY = 5
THANKS_PER_DOSSIER = 3  # across every person / counter, on top of one per link and dossier
NOTE_MAX = 1000
_DOSSIER = re.compile(r"^[A-Z0-9][A-Z0-9./\-]{2,39}$")

# --- fairness ------------------------------------------------------------------------------
RING_MIN_EACH_WAY = 3
RING_SHARE = 0.5
INSIDE_UNIT_MIN = 10
INSIDE_UNIT_SHARE = 0.8


def month_key(local_time: datetime) -> str:
    """The allowance month of a local time, e.g. ``2026-03``."""
    return f"{local_time.year:04d}-{local_time.month:02d}"


def month_text(key: str) -> Msg:
    """An allowance month (``2026-03``) as a reader sees it: "2026-03", "03/2026"."""
    year, _sep, month = (key or "").partition("-")
    return N_("{year}-{month}", year=year, month=month)


def allowance_for(roles: frozenset[Role] | set[Role]) -> int:
    """The monthly allowance of someone holding ``roles`` (the most generous role wins)."""
    return max((ALLOWANCE.get(r, 0) for r in roles), default=0) or ALLOWANCE[Role.STAFF]


def cost(level: str, recipients: int) -> int:
    """What a recognition costs the giver: the level's cost for each recipient."""
    return LEVELS[level][1] * max(1, recipients)


def message_problem(message: str) -> Msg | None:
    """What is wrong with a recognition message, or None."""
    text = " ".join(message.split())
    if len(text) < MESSAGE_MIN:
        return N_("Write at least {min} characters (you wrote {n}). Say what they did and what it "
                  "changed (for citizens, for the team).", min=MESSAGE_MIN, n=len(text))
    if len(text) > MESSAGE_MAX:
        return N_("Keep the message under {max} characters (you wrote {n}).", max=MESSAGE_MAX, n=len(text))
    return None


def clean_text(text: str) -> str:
    """Collapse runs of spaces, keep line breaks, trim."""
    lines = [" ".join(line.split()) for line in (text or "").replace("\r", "").split("\n")]
    return "\n".join(lines).strip()


def normalise_dossier(raw: str) -> str | None:
    """A dossier or receipt number, upper-cased without spaces; None when not plausible."""
    value = re.sub(r"\s+", "", (raw or "")).upper()
    return value if _DOSSIER.match(value) else None


# --- the organisation's dossier-number format (issue 18) -------------------------------------
# A one-stop system prints receipts like ``000.00.31.H26-261201-0001``. The organisation writes
# the shape as a TEMPLATE, not a regular expression: ``0`` is any digit, ``A`` any letter,
# ``YYMMDD`` / ``YYYYMMDD`` a real date, every other character itself. A template is matched
# character by character (linear time: nothing to backtrack), and several may be given, one a
# line, when units use different systems.

DOSSIER_TEMPLATE_MAX = 40
DOSSIER_TEMPLATES_MAX = 5
_TEMPLATE_LITERALS = re.compile(r"^[A-Z0-9./\-]+$")
_DATE_PIECES = ("YYYYMMDD", "YYMMDD")


def _template_pieces(template: str) -> list[str]:
    """A template as pieces: ``0``, ``A``, a date piece, or one literal character."""
    pieces, i = [], 0
    while i < len(template):
        date_piece = next((t for t in _DATE_PIECES if template.startswith(t, i)), None)
        if date_piece:
            pieces.append(date_piece)
            i += len(date_piece)
        else:
            pieces.append(template[i])
            i += 1
    return pieces


def dossier_templates(raw: str) -> list[str]:
    """The templates of a setting: one a line, upper-cased, without spaces or empty lines."""
    return [re.sub(r"\s+", "", line).upper() for line in (raw or "").replace("\r", "").split("\n")
            if line.strip()]


def dossier_templates_problem(raw: str) -> Msg | None:
    """What is wrong with a dossier-number format setting, or None (empty: any plausible number)."""
    templates = dossier_templates(raw)
    if len(templates) > DOSSIER_TEMPLATES_MAX:
        return N_("Give at most {n} formats, one a line.", n=DOSSIER_TEMPLATES_MAX)
    for template in templates:
        if not 3 <= len(template) <= DOSSIER_TEMPLATE_MAX:
            return N_("The format “{template}” must have 3 to {max} characters.", template=template[:60],
                      max=DOSSIER_TEMPLATE_MAX)
        if not _TEMPLATE_LITERALS.match(template):
            return N_("The format “{template}” may hold only letters, digits and . / - "
                      "(0 for a digit, A for a letter, YYMMDD for a date).", template=template[:60])
        if sum(1 for t in _template_pieces(template) if t in ("0", "A", *_DATE_PIECES)) < 2:
            return N_("The format “{template}” has fewer than 2 places for digits or letters: write 0 for a "
                      "digit and A for a letter, e.g. 000.00.00.H00-YYMMDD-0000.", template=template[:60])
    return None


def _real_date(digits: str) -> bool:
    year = int(digits[:-4]) + (2000 if len(digits) == 6 else 0)
    try:
        date(year, int(digits[-4:-2]), int(digits[-2:]))
    except ValueError:
        return False
    return True


def matches_template(value: str, template: str) -> bool:
    """Whether a normalised dossier number has the shape of ``template`` (linear, no regex)."""
    i = 0
    for piece in _template_pieces(template):
        if piece in _DATE_PIECES:
            part = value[i:i + len(piece)]
            if len(part) != len(piece) or not part.isdigit() or not part.isascii() or not _real_date(part):
                return False
            i += len(piece)
            continue
        if i >= len(value):
            return False
        ch = value[i]
        if piece == "0":
            ok = ch.isascii() and ch.isdigit()
        elif piece == "A":
            ok = ch.isascii() and ch.isalpha()
        else:
            ok = ch == piece
        if not ok:
            return False
        i += 1
    return i == len(value)


def dossier_matches(value: str, raw_templates: str) -> bool:
    """Whether a normalised dossier number fits one of the organisation's formats (none set: any)."""
    templates = dossier_templates(raw_templates)
    return not templates or any(matches_template(value, t) for t in templates)


# --- holding suspicious ratings (issue 18) ---------------------------------------------------
#: A rating is held for the unit head (points not credited) once this many came today from
#: one network, or for one person (or counter); the organisation may change both.
HOLD_PER_NETWORK = 3
HOLD_PER_PERSON = 10
HOLD_LIMITS = {"network": (1, THANKS_PER_CLIENT_PER_DAY), "person": (1, 500)}
HOLD_REASONS: dict[str, Msg] = {
    "network": N_("Many ratings from one network today"),
    "person": N_("Many ratings for this person today"),
}
DECISION_REASON_MIN = 5


def hold_reason(*, from_network: int, for_target: int, per_network: int, per_person: int) -> str:
    """Why a new rating is held (``network`` / ``person``), or "" to count it normally.

    Args:
        from_network: ratings already received today from the citizen's network.
        for_target: ratings already received today for the same person or counter.
    """
    if from_network >= per_network:
        return "network"
    if for_target >= per_person:
        return "person"
    return ""


def hold_limit_problem(kind: str, value: int) -> Msg | None:
    """A hold threshold out of its bounds, or None."""
    low, high = HOLD_LIMITS[kind]
    if not isinstance(value, int) or not low <= value <= high:
        return N_("Enter a whole number from {low} to {high}.", low=low, high=high)
    return None


def rating_problem(attitude: int, timeliness: int, guidance: int) -> Msg | None:
    """Each rating must be a whole number from 1 to 5."""
    for label, value in ((N_("attitude"), attitude), (N_("timeliness"), timeliness),
                         (N_("guidance"), guidance)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            return N_("Choose a rating from 1 to 5 stars for {what}.", what=label)
    return None


# --- the proof of work of the public thanks page (ALTCHA, issue 18) ---------------------------

#: The largest secret number of a challenge: the browser tries up to this many SHA-256 hashes
#: (half on average). Tuned so that a mid-range phone needs about a second (see DECISIONS).
POW_MAX_NUMBER = 200_000
#: How long a challenge may be solved and sent; spent ones are remembered this long.
POW_TTL = timedelta(minutes=15)
#: The longest proof accepted (a base64 JSON of five short fields is about 300 characters).
POW_PROOF_MAX = 1000


def solve_proof(challenge: dict[str, Any]) -> str:
    """What the browser's solver sends for ``challenge`` (as ``create_challenge`` made it): the
    base64 JSON payload with the number found. For the demo and tests; the page solves in JS.

    Raises:
        ValueError: no number up to ``maxNumber`` solves it.
    """
    found = altcha.solve_challenge_v1(challenge["challenge"], challenge["salt"], challenge["algorithm"],
                                      int(challenge["maxNumber"]))
    if found is None:
        raise ValueError("unsolvable challenge")
    payload = {key: challenge[key] for key in ("algorithm", "challenge", "salt", "signature")}
    return base64.b64encode(json.dumps({**payload, "number": found.number}).encode()).decode()


def proof_fields(proof: str) -> dict[str, Any] | None:
    """The fields of a proof as the browser sent it (base64 JSON), or None when it is not one."""
    if not proof or len(proof) > POW_PROOF_MAX:
        return None
    try:
        data = json.loads(base64.b64decode(proof, validate=True).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    if not all(isinstance(data.get(k), str) and data.get(k) for k in ("algorithm", "challenge", "salt", "signature")):
        return None
    if not isinstance(data.get("number"), int) or isinstance(data.get("number"), bool) or data["number"] < 0:
        return None
    return data


def proof_expiry(salt: str) -> datetime | None:
    """The expiry a challenge's salt carries (``...?expires=<unix seconds>&``), or None."""
    values = altcha.extract_params_v1({"salt": salt}).get("expires") or []  # type: ignore[typeddict-item]
    if len(values) != 1 or not values[0].isdecimal():
        return None
    return datetime.fromtimestamp(int(values[0]), tz=UTC)


# --- counter devices (issue 16) --------------------------------------------------------------

#: How long the enrolment link shown to the unit head may be opened on the tablet.
DEVICE_ENROL_TTL = timedelta(days=7)
DEVICE_NAME_MAX = 120


# --- fairness ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ring:
    """Two people who mostly recognise each other."""

    a: int
    b: int
    a_to_b: int
    b_to_a: int


def reciprocal_rings(edges: list[tuple[int, int]], *, min_each_way: int = RING_MIN_EACH_WAY,
                     share: float = RING_SHARE) -> list[Ring]:
    """Pairs who each gave the other at least ``min_each_way`` recognitions, and for whom
    that is at least ``share`` of everything each of them gave.

    Args:
        edges: one (giver, receiver) pair per recognition recipient.
    """
    pair = Counter(edges)
    given = Counter(g for g, _ in edges)
    rings = []
    for (a, b), ab in pair.items():
        if a >= b:
            continue
        ba = pair.get((b, a), 0)
        if ab >= min_each_way and ba >= min_each_way \
                and ab >= share * given[a] and ba >= share * given[b]:
            rings.append(Ring(a=a, b=b, a_to_b=ab, b_to_a=ba))
    return sorted(rings, key=lambda r: -(r.a_to_b + r.b_to_a))


def inward_share(inside: int, total: int, *, min_total: int = INSIDE_UNIT_MIN,
                 threshold: float = INSIDE_UNIT_SHARE) -> bool:
    """Whether a unit's recognitions stay inside it beyond ``threshold`` (enough of them)."""
    return total >= min_total and inside / total > threshold


#: A citizen rating earns points only when the average of its three scores reaches this.
GOOD_RATING = 4.0


MODERATION_REASON_MIN, MODERATION_REASON_MAX = 5, 500


def may_undo_moderation(*, status: str, moderated_at: datetime | None, now: datetime, tz: tzinfo) -> bool:
    """A note rejected or approved by mistake can be put back to "waiting" on the day it was
    decided (the organisation's calendar day); an approval's points are then taken back by
    reversal entries. Later, the decision stays."""
    if status not in ("rejected", "approved") or moderated_at is None:
        return False
    return moderated_at.astimezone(tz).date() == now.astimezone(tz).date()
