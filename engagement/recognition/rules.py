"""Pure rules of recognition: levels and their cost, allowances, messages, citizens'
ratings, the anti-stuffing limits and the fairness signals. No database, no clock.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from engagement.core.access import Role
from engagement.core.i18n import N_, Msg, _

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


def rating_problem(attitude: int, timeliness: int, guidance: int) -> Msg | None:
    """Each rating must be a whole number from 1 to 5."""
    for label, value in ((N_("attitude"), attitude), (N_("timeliness"), timeliness),
                         (N_("guidance"), guidance)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            return N_("Choose a rating from 1 to 5 stars for {what}.", what=label)
    return None


def challenge(seed: int) -> tuple[str, int]:
    """A simple arithmetic question (in the current language) and its answer, from a random ``seed``."""
    a = 2 + seed % 8
    b = 1 + (seed // 8) % 9
    return _("How much is {a} + {b}?", a=a, b=b), a + b


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
