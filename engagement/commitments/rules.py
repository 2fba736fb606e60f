"""Pure rules of the commitments feature: no database, no clock, no Reflex.

Campaign status from dates, a person's completion status, clause and pledge validation,
the exact text a person signs, and the hash chain that makes signatures tamper-evident.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from engagement.core import chain, inputs, limits
from engagement.core.chain import GENESIS_HASH, BreakTexts, ChainBreak, ChainLink
from engagement.core.chain import chain_hash as chain_hash  # the shared chain, re-exported for this feature
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg

MAX_CLAUSES = 40
MAX_PLEDGES = 5
PLEDGE_MIN, PLEDGE_MAX = 8, 200
REASON_MIN, REASON_MAX = 5, 500


class CampaignStatus(StrEnum):
    """Where a campaign stands, derived from its dates and now."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class PersonStatus(StrEnum):
    """Where one person of the audience stands in a campaign."""

    SIGNED = "signed"
    PENDING = "pending"
    DECLINED = "declined"
    OVERDUE = "overdue"
    EXEMPTED = "exempted"


#: The labels the pages and messages show for the statuses (English: the codes themselves).
CAMPAIGN_STATUS_LABELS: dict[str, Msg] = {
    "draft": N_("draft"), "open": N_("open"), "closed": N_("closed"),
}
PERSON_STATUS_LABELS: dict[str, Msg] = {
    "signed": N_("signed"), "pending": N_("pending"), "declined": N_("declined"), "overdue": N_("overdue"),
    "exempted": N_("exempted"),
}


class Kind(StrEnum):
    """What a signature is."""

    PERSONAL = "personal"
    COLLECTIVE = "collective"
    COUNTERSIGN = "countersign"


# --- the default template, drawn from the movement -------------------------------------------

DEFAULT_FAMILY = "cam-ket-ca-nhan"
DEFAULT_TITLE = "Bản cam kết thực hiện kỷ luật, kỷ cương hành chính và văn hoá công vụ"
DEFAULT_PREAMBLE = (
    "Thực hiện phong trào thi đua xây dựng văn hoá công sở, tôi cam kết thực hiện nghiêm "
    "các nội dung sau trong năm công tác:"
)
DEFAULT_CLAUSES: tuple[str, ...] = (
    "Chấp hành nghiêm thời giờ làm việc; đến cơ quan đúng giờ, không về sớm, không bỏ vị trí "
    "công tác trong giờ làm việc.",
    "Trang phục gọn gàng, lịch sự, phù hợp; đeo thẻ công chức, viên chức trong khi thi hành "
    "công vụ.",
    "Thực hiện \"4 xin\" với người dân và doanh nghiệp: xin chào, xin lỗi, xin cảm ơn, xin phép.",
    "Thực hiện \"4 luôn\": luôn mỉm cười, luôn nhẹ nhàng, luôn lắng nghe, luôn giúp đỡ.",
    "Không gây phiền hà, sách nhiễu, không nhận tiền, quà hoặc lợi ích không chính đáng của "
    "người dân, doanh nghiệp.",
    "Thực hiện đúng Quy tắc ứng xử của cơ quan, đơn vị và quy chế làm việc.",
    "Giữ gìn nơi làm việc xanh, sạch, đẹp, ngăn nắp; tiết kiệm điện, nước, văn phòng phẩm; "
    "hạn chế rác thải nhựa.",
    "Không ngừng học tập nâng cao trình độ chuyên môn, kỹ năng số; sử dụng thành thạo các "
    "phần mềm, dịch vụ công trực tuyến.",
)

COLLECTIVE_FAMILY = "cam-ket-tap-the"
COLLECTIVE_TITLE = "Bản cam kết tập thể thực hiện văn hoá công vụ"
COLLECTIVE_PREAMBLE = (
    "Tập thể lãnh đạo và công đoàn đơn vị cam kết tổ chức, đôn đốc toàn thể cán bộ, công "
    "chức, viên chức thực hiện các nội dung sau:"
)
COLLECTIVE_CLAUSES: tuple[str, ...] = (
    "100% cán bộ, công chức, viên chức của đơn vị ký cam kết cá nhân đúng hạn.",
    "Công khai Quy tắc ứng xử và đường dây tiếp nhận phản ánh của người dân tại trụ sở.",
    "Không để xảy ra trường hợp sách nhiễu, tiêu cực bị phản ánh, xử lý.",
    "Xây dựng cơ quan xanh, sạch, đẹp; tổ chức ít nhất một hoạt động vì môi trường mỗi quý.",
)


@dataclass(frozen=True)
class TemplateText:
    """A validated template."""

    title: str
    preamble: str
    clauses: tuple[str, ...]


def _collapse(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def clean_template(title: str, preamble: str, clauses: list[str] | tuple[str, ...]) -> TemplateText:
    """Validate a template's title, preamble and clauses (blank clause lines are dropped).

    Raises:
        Invalid: a missing title, no clause, too many or too long clauses.
    """
    title = _collapse(title)
    preamble = unicodedata.normalize("NFC", (preamble or "").strip())
    kept = tuple(_collapse(c) for c in clauses if _collapse(c))
    if not title or len(title) > 200:
        raise Invalid("Give the template a title of at most {n} characters.", {"title": N_("Required")}, n=200)
    if len(preamble) > 3000:
        raise Invalid("The preamble is too long (at most 3,000 characters).", {"preamble": N_("Too long")})
    if not kept:
        raise Invalid("A commitment needs at least one clause.", {"clauses": N_("Required")})
    if len(kept) > MAX_CLAUSES:
        raise Invalid("A commitment has at most {n} clauses.", {"clauses": N_("Too many")}, n=MAX_CLAUSES)
    long_one = next((i for i, c in enumerate(kept, 1) if len(c) > 1000), None)
    if long_one:
        raise Invalid("Clause {number} is too long (at most 1,000 characters).", {"clauses": N_("Too long")},
                      number=long_one)
    return TemplateText(title=title, preamble=preamble, clauses=kept)


def split_lines(text: str) -> list[str]:
    """One item per non-empty line (clauses, pledges, positions typed in a text area)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- campaigns ---------------------------------------------------------------------------------


def closes_at(*, due_at: datetime, allow_late: bool, late_until: datetime | None,
              closed_at: datetime | None) -> datetime:
    """When signing stops: an officer's close, else the due date, or the late-signing limit."""
    natural = (late_until or due_at) if allow_late else due_at
    if closed_at is not None and closed_at < natural:
        return closed_at
    return natural


def campaign_status(*, opens_at: datetime, due_at: datetime, allow_late: bool,
                    late_until: datetime | None, closed_at: datetime | None,
                    now: datetime) -> CampaignStatus:
    """The status a campaign has at ``now``: no scheduler needed to move it along."""
    if closed_at is not None and closed_at <= now:
        return CampaignStatus.CLOSED
    if now < opens_at:
        return CampaignStatus.DRAFT
    end = closes_at(due_at=due_at, allow_late=allow_late, late_until=late_until, closed_at=None)
    return CampaignStatus.OPEN if now < end else CampaignStatus.CLOSED


def parse_day(raw: str, what: str | Msg) -> date:
    """A date typed as YYYY-MM-DD (what a date input sends) or DD/MM/YYYY.

    ``what`` names the date in the message (a ``Msg``, e.g. ``N_("due date")``); its English
    text is also the field the message is about.

    Raises:
        Invalid: anything else.
    """
    text = (raw or "").strip()
    key = what.msgid if isinstance(what, Msg) else what
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar day, no time)
        except ValueError:
            continue
        return inputs.bounded_day(day, what, field=key)  # 9999-12-31 + 1 day would not fit
    raise Invalid("Enter the {what} as a date, e.g. 2026-03-31.", {key: N_("Not a date")}, what=what)


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of ``day`` in the organisation's zone."""
    return datetime.combine(day, time.min, tzinfo=zone)


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The instant ``day`` ends in the organisation's zone (signing that day is on time)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def check_campaign(*, year: int, opens_at: datetime, due_at: datetime, allow_late: bool,
                   late_until: datetime | None, unit_count: int) -> None:
    """Validate a campaign's settings.

    Raises:
        Invalid: with the field to correct.
    """
    if not 2000 <= year <= 2100:
        raise Invalid("Enter the campaign year, e.g. 2026.", {"year": N_("Not a year")})
    if unit_count == 0:
        raise Invalid("Choose at least one unit for the audience.", {"units": N_("Required")})
    if due_at <= opens_at:
        raise Invalid("The due date must come after the opening date.", {"due": N_("Too early")})
    if late_until is not None and not allow_late:
        raise Invalid("A late-signing limit only applies when late signing is allowed.")
    if late_until is not None and late_until <= due_at:
        raise Invalid("Late signing must end after the due date.", {"late_until": N_("Too early")})


NAME_MAX, POSITIONS_MAX = 200, 5000


def clean_campaign_name(raw: str) -> str:
    """A campaign's name, spaces collapsed ("" when left empty: the service names it by year).

    Raises:
        Invalid: longer than ``NAME_MAX``.
    """
    return limits.clean_line(raw, limit=NAME_MAX, what=N_("campaign name"), field="name")


def check_positions(raw: str) -> str:
    """The positions a campaign is limited to, one per line, within ``POSITIONS_MAX``."""
    return limits.within("\n".join(split_lines(raw)), limit=POSITIONS_MAX, what=N_("list of positions"),
                         field="positions")


def check_not_past(*, due_day: date, today: date) -> None:
    """A new campaign's due date must not have passed.

    Raises:
        Invalid: the dates are in the past (said as such, with today's date).
    """
    if due_day < today:
        raise Invalid("These dates are in the past: the due date {due} has already passed (today is {today}). "
                      "Choose a due date from today on.", {"due_on": N_("In the past")},
                      due=due_day.strftime("%d/%m/%Y"), today=today.strftime("%d/%m/%Y"))


def check_in_campaign_year(day: date, year: int) -> None:
    """A personal due date stays within the campaign's year.

    Raises:
        Invalid: after 31 December of ``year``.
    """
    if day.year > year:
        raise Invalid("A personal due date must stay within the campaign's year: at the latest 31/12/{year}.",
                      {"due_on": N_("After the campaign's year")}, year=str(year))


def audiences_overlap(paths: tuple[str, ...], positions: tuple[str, ...], other_paths: tuple[str, ...],
                      other_positions: tuple[str, ...]) -> bool:
    """Whether two campaign audiences can share a person.

    Units are given by their paths (each with its sub-units): they share people when one
    path starts with the other. Position filters keep them apart only when both have one
    and no position is in both (an empty filter is everyone).
    """
    units_meet = any(a.startswith(b) or b.startswith(a) for a in paths for b in other_paths)
    if not units_meet:
        return False
    if not positions or not other_positions:
        return True
    return bool({_collapse(p).casefold() for p in positions} & {_collapse(p).casefold() for p in other_positions})


def effective_due(campaign_due: datetime, exception_due: datetime | None, exempt: bool) -> datetime | None:
    """A person's due date: their exception's, else the campaign's; None when exempted."""
    if exempt:
        return None
    return exception_due or campaign_due


def person_status(*, signed: bool, exempt: bool, declined: bool, due_at: datetime | None,
                  now: datetime) -> PersonStatus:
    """One person's status. The SQL roll-up in ``queries.py`` mirrors this function."""
    if signed:
        return PersonStatus.SIGNED
    if exempt:
        return PersonStatus.EXEMPTED
    if declined:
        return PersonStatus.DECLINED
    if due_at is not None and now >= due_at:
        return PersonStatus.OVERDUE
    return PersonStatus.PENDING


def in_audience(*, unit_path: str, position: str, audience_paths: tuple[str, ...],
                positions: tuple[str, ...]) -> bool:
    """Whether a person (by their unit's path and position) belongs to a campaign's audience."""
    if not any(unit_path.startswith(p) for p in audience_paths):
        return False
    return not positions or _collapse(position).casefold() in {p.casefold() for p in positions}


def may_sign(status: CampaignStatus, *, closed_by_officer: bool, closes_on: str, due_at: datetime | None,
             due_on: str, has_exception: bool, allow_late: bool, now: datetime) -> None:
    """Whether a person can sign now.

    A personal due date (an exception) keeps signing possible after the campaign's own
    dates, but not after an officer closed the campaign.

    Raises:
        Invalid: the campaign is not open, or the person's deadline passed.
    """
    if status is CampaignStatus.DRAFT:
        raise Invalid("This campaign is not open for signing yet.")
    closed_msg = N_("This campaign closed on {day}; ask your unit head or the emulation officer "
                    "to reopen it or to record an exception for you.", day=closes_on)
    if closed_by_officer:
        raise Invalid(closed_msg)
    if has_exception and due_at is not None and now < due_at:
        return
    if status is CampaignStatus.CLOSED:
        raise Invalid(closed_msg)
    if due_at is not None and now >= due_at and not allow_late:
        raise Invalid("Your signing deadline passed on {day} and this campaign does not accept "
                      "late signatures.", day=due_on)


# --- signing ------------------------------------------------------------------------------------


def names_match(typed: str, on_record: str) -> bool:
    """Whether a typed full name is the one on record (case and spacing ignored, accents kept)."""
    return _collapse(typed).casefold() == _collapse(on_record).casefold() and bool(_collapse(typed))


def clean_pledges(items: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Personal pledges: short, measurable items (blank lines dropped).

    Raises:
        Invalid: too many, too short or too long.
    """
    kept = tuple(_collapse(p) for p in items if _collapse(p))
    if len(kept) > MAX_PLEDGES:
        raise Invalid("Add at most {n} personal pledges.", {"pledges": N_("Too many")}, n=MAX_PLEDGES)
    for number, pledge in enumerate(kept, 1):
        if not PLEDGE_MIN <= len(pledge) <= PLEDGE_MAX:
            raise Invalid("Pledge {number} should be a short measurable item of {low} to {high} characters, "
                          "e.g. “answer every citizen request within 2 days”.", {"pledges": N_("Length")},
                          number=number, low=PLEDGE_MIN, high=PLEDGE_MAX)
    return kept


def clean_reason(raw: str, what: str | Msg = N_("reason")) -> str:
    """A reason written by a person (decline, clarification, exception, paper signature).

    Raises:
        Invalid: too short or too long.
    """
    text = _collapse(raw)
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise Invalid("Write a {what} of {low} to {high} characters.", {"reason": N_("Length")}, what=what,
                      low=REASON_MIN, high=REASON_MAX)
    return text


def all_ticked(ticked: list[int] | tuple[int, ...], clause_count: int) -> bool:
    """Whether every clause (numbered from 1) was ticked as read."""
    return set(ticked) >= set(range(1, clause_count + 1))


def signed_text(*, title: str, preamble: str, clauses: tuple[str, ...], pledges: tuple[str, ...],
                signer: str, unit: str, campaign: str) -> str:
    """The exact text a person signs: what the PDF shows and the hash covers."""
    lines = [title, campaign, "", f"Người cam kết: {signer}", f"Đơn vị: {unit}", ""]
    if preamble:
        lines += [preamble, ""]
    lines += [f"{n}. {c}" for n, c in enumerate(clauses, 1)]
    if pledges:
        lines += ["", "Cam kết cá nhân:"] + [f"- {p}" for p in pledges]
    return "\n".join(lines)


def signature_payload(*, seq: int, campaign_id: int, template_id: int, kind: str, slot: str,
                      person_id: int, unit_id: int, parent_hash: str, signed_at: datetime,
                      method: str, typed_name: str, content: str, pledges: tuple[str, ...] | list[str],
                      client_ip: str, user_agent: str, scan_sha256: str) -> str:
    """The canonical form of a signature's content: what ``content_hash`` covers."""
    return json.dumps({
        "seq": seq, "campaign": campaign_id, "template": template_id, "kind": kind, "slot": slot,
        "person": person_id, "unit": unit_id, "parent": parent_hash,
        "signed_at": signed_at.isoformat(timespec="microseconds"), "method": method,
        "typed_name": typed_name, "content": content, "pledges": list(pledges),
        "client_ip": client_ip, "user_agent": user_agent, "scan": scan_sha256,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


#: The kind of record a signature's seal and the chain's head name.
CHAIN_KIND = "signatures"


def signature_sealed(*, seq: int, code: str, prev_hash: str, content_hash: str, on_time: bool,
                     paper_reason: str, recorded_by: int | None, scan_file_id: int | None,
                     parent_id: int | None) -> dict:
    """What a signature's seal covers: its hashes and the stored fields the hash does not.

    ``on_time``, the paper reason, who recorded it, which scan and which parent row are facts
    of record that the original hashed content left out; the seal (an HMAC under a key kept
    outside the database) covers them, so none can be edited unseen.
    """
    return {"kind": CHAIN_KIND, "seq": seq, "code": code, "prev": prev_hash, "hash": content_hash,
            "on_time": bool(on_time), "paper_reason": paper_reason or "", "recorded_by": recorded_by,
            "scan": scan_file_id, "parent": parent_id}


#: How a break of the signature chain reads (``core.chain`` walks the chain).
SIGNATURE_BREAKS = BreakTexts(
    missing=N_("signature #{first} to #{last} missing"),
    unlinked=N_("does not follow the previous signature's hash"),
    changed=N_("content changed after signing (hash mismatch)"),
    truncated=N_("{have} signatures where the checkpoint of {at} counted {count}: the newest were deleted"),
    rewritten=N_("signature #{seq} no longer has the hash the checkpoint of {at} recorded: the chain was "
                 "rewritten"),
)


def find_breaks(links: list[ChainLink], *, start_hash: str = GENESIS_HASH, start_seq: int = 1,
                key: bytes | None = None) -> list[ChainBreak]:
    """Walk the signature chain in order and report every link that does not hold (``core.chain.find_breaks``).

    With ``key`` each link's seal is checked too. A signature's code is the start of its hash:
    a code changed in the row is reported as well.
    """
    breaks = chain.find_breaks(links, texts=SIGNATURE_BREAKS, start_hash=start_hash, start_seq=start_seq, key=key)
    breaks.extend(ChainBreak(link.seq, link.code, SIGNATURE_CODE_CHANGED.render())
                  for link in links if link.code != link.content_hash[:16])
    return sorted(breaks, key=lambda b: b.seq)


SIGNATURE_CODE_CHANGED = N_("its reference code is not the start of its hash (the code was changed)")
SCAN_CHANGED = N_("the scan's stored checksum is not that of its bytes (the file or its checksum was changed)")


_CODE_OK = re.compile(r"^[0-9a-fA-F]{8,64}$")


def looks_like_reference(text: str) -> bool:
    """Whether a verify-page reference could be a signature code or hash (hex)."""
    return bool(_CODE_OK.match(text or ""))
