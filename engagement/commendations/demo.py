"""Demo data for commendations: three past years of ratings, titles and initiatives, and this year
under way, so that every list has content and the eligibility engine has something to judge.

Loaded by ``engagement seed-demo`` on top of the demo organisation (``engagement.org.demo``).
Everything goes through ``engagement.commendations.service`` as the demo emulation officer
(``officer``): the past ratings and titles through the all-or-nothing CSV imports an officer
would use to enter a register kept on paper, the rest one call at a time. A few staff logins
register themselves, so unit heads have registrations to confirm.

The story, with Y the year of ``now`` (the plan is deterministic, ``random.Random(2026)``):

- Y-3 .. Y-1: an annual rating for every active person (about 13 % HTXSNV, within the 20 % cap,
  65 % HTTNV, 15 % HTNV, a few KHTNV, one "not rated" with its reason each year); a collective
  rating for every unit; LĐTT for everyone rated HTTNV or better, CSTĐCS for some of those rated
  HTXSNV (three people hold it in all three years: the candidates for CSTĐ cấp tỉnh), a few
  Giấy khen; TTLĐTT for units that meet its criteria, TTLĐXS for one; decisions numbered like
  "QĐ 15/QĐ-SNV" dated January to March of the following year. Initiatives at unit level, two at
  provincial level, one already used for a CSTĐCS of Y-2. A reprimand in Y-2.
- Y: the registration window open all year, registrations for most people and some units (three
  staff logins registered themselves and wait for their head), ratings for about half the people,
  a hold (inspection) in force, a covenant of the departments.

The named demo logins (``DEMO_LOGINS``) are left unrated and unregistered for Y, so a browser
journey can rate and register them; discipline and holds fall on people without any login.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from engagement.commendations import council, decisions, models, nominations, queries, rules, service
from engagement.core.access import Actor, Role
from engagement.core.clock import local_day
from engagement.core.errors import Conflict
from engagement.org import service as org_service
from engagement.org import sessions as org_sessions
from engagement.org.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_STAFF_LOGINS
from engagement.org.models import Account, Person, Unit
from engagement.settings import get_settings

EXCELLENT, GOOD, DONE, FAILED, NONE = rules.EXCELLENT, rules.GOOD, rules.DONE, rules.FAILED, rules.NONE

#: Why someone was not rated in a past year (Decree 90/2020: fewer than 6 months worked).
_NOT_RATED_REASONS = (
    "Công tác dưới 6 tháng trong năm (nghỉ ốm dài ngày)",
    "Công tác dưới 6 tháng trong năm (biệt phái sang đơn vị khác)",
    "Công tác dưới 6 tháng trong năm (đi học tập trung)",
)

_UNIT_INITIATIVES = (
    "Số hóa hồ sơ lưu trữ và tra cứu văn bản bằng mã QR",
    "Bảng theo dõi tiến độ giải quyết hồ sơ hành chính dùng chung trên mạng nội bộ",
    "Chuẩn hóa biểu mẫu điện tử cho thủ tục đăng ký hộ tịch",
    "Sổ tay hướng dẫn thủ tục đất đai cho người dân tại bộ phận một cửa",
    "Giải pháp tiết kiệm điện và văn phòng phẩm trong trụ sở cơ quan",
    "Quy trình phối hợp liên thông cấp phiếu lý lịch tư pháp trong hai ngày",
    "Mô hình tổ tư vấn pháp luật lưu động tại thôn, tổ dân phố",
)
#: (title, years before Y) of the initiatives recognised at provincial level.
_PROVINCIAL_INITIATIVES = (
    ("Hệ thống đánh giá sự hài lòng của người dân bằng mã QR tại bộ phận một cửa", 1),
    ("Thanh toán phí, lệ phí không dùng tiền mặt tại cấp xã", 2),
)
_USED_INITIATIVE = "Phần mềm quản lý tài sản công tại đơn vị sự nghiệp"
_THIS_YEAR_INITIATIVE = "Trợ lý trả lời tự động các câu hỏi thường gặp về thủ tục hành chính"


@dataclass
class _Who:
    """One active person as the plan sees them."""

    id: int
    code: str
    unit_id: int
    path: str
    username: str | None


@dataclass
class _Plan:
    """What the demo writes, decided before anything is written."""

    ratings: dict[int, dict[int, tuple[str, str]]] = field(default_factory=dict)  # year -> person -> (level, reason)
    unit_levels: dict[int, dict[int, str]] = field(default_factory=dict)  # year -> unit -> level
    awards: list[tuple[int, str, int | None, int | None]] = field(default_factory=list)  # (year, code, person, unit)
    special: dict[str, int] = field(default_factory=dict)  # role in the story -> person id


def _officer(session: Session, username: str, now: datetime) -> tuple[Actor, str]:
    result = org_sessions.login(session, username=username, password=DEMO_PASSWORD, client_ip="127.0.0.1",
                                user_agent="engagement seed-demo", now=now)
    actor = org_sessions.resolve_actor(session, token=result.token, now=now) if result.ok else None
    if actor is None:
        raise Conflict("The demo login {username} could not log in: {reason}", username=username,
                       reason=result.message)
    return actor, result.token


def _levels(count: int, rng: random.Random, *, not_rated: int) -> list[str]:
    """``count`` ratings in a realistic spread, HTXSNV kept within 20 % of those rated HTTNV."""
    failed = max(1, round(count * 0.03))
    done = round(count * 0.15)
    excellent = round(count * 0.13)
    good = count - failed - done - excellent - not_rated
    excellent = min(excellent, rules.excellent_allowed(good, 20))
    good = count - failed - done - excellent - not_rated
    levels = [EXCELLENT] * excellent + [GOOD] * good + [DONE] * done + [FAILED] * failed + [NONE] * not_rated
    rng.shuffle(levels)
    return levels


def _assign(people: list[int], forced: dict[int, str], rng: random.Random, *, not_rated: int) -> dict[int, str]:
    """A level for each person: the forced ones first, the rest drawn from the spread."""
    pool = _levels(len(people), rng, not_rated=not_rated)
    for level in forced.values():
        if level in pool:
            pool.remove(level)
        else:  # take the place of an ordinary rating
            pool.remove(GOOD)
    out = dict(forced)
    rest = [p for p in people if p not in forced]
    for pid, level in zip(rest, pool, strict=True):
        out[pid] = level
    return out


def _ancestors(path: str) -> list[int]:
    return [int(x) for x in path.strip("/").split("/") if x]


def _plan(people: list[_Who], units: dict[int, tuple[str, str, int]], year: int, rng: random.Random) -> _Plan:
    """Decide the ratings and titles of the three past years and this year's ratings."""
    plan = _Plan()
    logins = {p.id for p in people if p.username}
    named = {u for u, _role, _name in DEMO_LOGINS}
    plain = [p.id for p in people if p.id not in logins]
    picks = rng.sample(plain, 11)
    roles = ("star_a", "star_b", "star_c", "provincial", "used", "disciplined", "held", "initiative", "missing",
             "absent", "recruit")
    plan.special = dict(zip(roles, picks, strict=True))
    s = plan.special
    stars = (s["star_a"], s["star_b"], s["star_c"])
    past_people = [p.id for p in people if p.id != s["recruit"]]  # recruited this year: no past ratings
    for y in range(year - 3, year):
        forced = {pid: EXCELLENT for pid in stars}
        forced[s["provincial"]] = EXCELLENT if y == year - 1 else GOOD
        forced[s["used"]] = GOOD
        if y == year - 2:
            forced[s["disciplined"]] = FAILED  # disciplined in the year: KHTNV (Decree 90/2020)
        levels = _assign(past_people, forced, rng, not_rated=1)
        plan.ratings[y] = {pid: (level, rng.choice(_NOT_RATED_REASONS) if level == NONE else "")
                           for pid, level in levels.items()}
        # Titles: LĐTT for every rating of HTTNV or better; CSTĐCS for the stars and about half
        # of the other HTXSNV; a few Giấy khen.
        holders = {pid for pid, level in levels.items() if rules.at_least(level, GOOD)}
        plan.awards.extend((y, "LDTT", pid, None) for pid in sorted(holders))
        excellent = sorted(pid for pid, level in levels.items() if level == EXCELLENT and pid not in stars)
        fighters = set(stars) | set(rng.sample(excellent, len(excellent) // 2))
        if y == year - 1:
            fighters.add(s["provincial"])
        else:
            fighters.discard(s["provincial"])
        plan.awards.extend((y, "CSTDCS", pid, None) for pid in sorted(fighters))
        # The CSTĐCS of "used" in Y-2 rests on an initiative: written with it, not imported.
        others = sorted(holders - fighters - {s["used"]})
        plan.awards.extend((y, "GK_CN", pid, None) for pid in sorted(rng.sample(others, 3)))
        # Collective ratings, then the collective titles that the members' titles allow.
        plan.unit_levels[y] = {uid: rng.choices((EXCELLENT, GOOD, DONE), weights=(2, 7, 1))[0] for uid in units}
        members: dict[int, list[int]] = {uid: [] for uid in units}
        for p in people:
            if p.id in levels and levels[p.id] != NONE:
                for uid in _ancestors(p.path):
                    if uid in members:
                        members[uid].append(p.id)
        fighters_now = fighters | ({s["used"]} if y == year - 2 else set())
        best = None  # TTLĐXS (Y-2 and Y-1): the first department rated HTXSNV that meets its criteria
        for uid, (_code, name, depth) in sorted(units.items()):
            rated = members[uid]
            if depth == 0 or not rated:
                continue
            share = sum(1 for pid in rated if pid in holders) * 100 // len(rated)
            if (best is None and y >= year - 2 and depth == 1 and not name.startswith("UBND ") and share >= 70
                    and all(rules.at_least(levels[pid], DONE) for pid in rated)
                    and any(pid in fighters_now for pid in rated)):
                best = uid
                plan.unit_levels[y][uid] = EXCELLENT
                plan.awards.append((y, "TTLDXS", None, uid))
            if rules.at_least(plan.unit_levels[y][uid], GOOD) and share >= 70 and (uid == best or rng.random() < 0.75):
                plan.awards.append((y, "TTLDTT", None, uid))
    # This year: about half the people rated; never the named demo logins (the browser journey
    # rates and registers them); the story's people as the story needs.
    named_ids = {p.id for p in people if p.username in named}
    forced = {s["star_a"]: EXCELLENT, s["star_b"]: EXCELLENT, s["provincial"]: EXCELLENT, s["held"]: GOOD,
              s["initiative"]: GOOD, s["missing"]: DONE, s["absent"]: GOOD, s["recruit"]: GOOD,
              s["disciplined"]: GOOD, s["used"]: GOOD}
    candidates = sorted(p.id for p in people if p.id not in named_ids and p.id not in forced and p.id != s["star_c"])
    others = rng.sample(candidates, max(0, len(people) // 2 - len(forced)))
    levels_now = dict(forced)
    for pid in others:
        levels_now[pid] = rng.choices((EXCELLENT, GOOD, DONE), weights=(1, 8, 1))[0]
    plan.ratings[year] = {pid: (level, "") for pid, level in levels_now.items()}
    return plan


def _issuer(path: str, units: dict[int, tuple[str, str, int]]) -> tuple[str, str]:
    """The body that decides a person's or an office's titles: its department or commune."""
    top = next((uid for uid in _ancestors(path) if units.get(uid, ("", "", 0))[2] == 1), None)
    if top is None:
        return "UBND", "Chủ tịch UBND tỉnh"
    code, name, _depth = units[top]
    if name.startswith("UBND "):
        return "UBND", f"Chủ tịch {name}"
    return code, f"Giám đốc {name}"


class _Numbers:
    """One decision per issuer, year and title, numbered like "QĐ 15/QĐ-SNV" and dated from
    January to March of the following year (never after today)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.seen: dict[tuple[str, int, str], tuple[str, date]] = {}
        self.last: dict[tuple[str, int], int] = {}

    def decision(self, issuer: str, body: str, year: int, what: str) -> tuple[str, date]:
        """The number and day of ``body``'s decision on ``what`` for ``year`` ("QĐ n/QĐ-<issuer>")."""
        key = (body, year, what)
        if key not in self.seen:
            n = self.last.get((body, year), 8 + sum(map(ord, body)) % 20) + 3
            self.last[(body, year)] = n
            day = date(year + 1, 1, 8) + timedelta(days=n * 4 % 75)
            self.seen[key] = (f"QĐ {n}/QĐ-{issuer}", min(day, self.today))
        return self.seen[key]


def _csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _past_registrations(session: Session, plan: _Plan, titles: dict[str, int], *, year: int, rng: random.Random,
                        account_id: int | None) -> int:
    """The past years' registrations, confirmed, as rows (bulk: no service back-dates a registration).

    Everyone rated registered for LĐTT but a few of those who did not get it; CSTĐCS and the
    collective titles were registered by those who got them.
    """
    rows = []
    for y in range(year - 3, year):
        at = datetime(y, 1, 20, 2, 0, tzinfo=UTC)
        held = {(code, pid or uid) for yy, code, pid, uid in plan.awards if yy == y}
        wanted: list[tuple[str, int | None, int | None]] = []
        no_title = sorted(pid for pid, (level, _r) in plan.ratings[y].items()
                          if level != NONE and ("LDTT", pid) not in held)
        skipped = set(rng.sample(no_title, min(3, len(no_title))))
        wanted += [("LDTT", pid, None) for pid, (level, _r) in sorted(plan.ratings[y].items())
                   if level != NONE and pid not in skipped]
        wanted += [(code, pid, uid) for yy, code, pid, uid in plan.awards
                   if yy == y and code in ("CSTDCS", "TTLDTT", "TTLDXS")]
        if y == year - 2:
            wanted.append(("CSTDCS", plan.special["used"], None))
        for code, pid, uid in wanted:
            rows.append({"year": y, "title_id": titles[code], "person_id": pid, "unit_id": uid,
                         "subject_key": rules.person_key(pid) if pid else rules.unit_key(uid),
                         "status": rules.CONFIRMED, "registered_at": at, "registered_by_account_id": account_id,
                         "confirmed_at": at, "confirmed_by_account_id": account_id})
    session.execute(sa.insert(models.Registration), rows)
    return len(rows)


def seed_demo(session: Session, *, now: datetime) -> dict[str, int]:
    """Add the commendations slice to the demo organisation (after the org seed).

    Returns:
        Counts of what was written (ratings, unit ratings, titles in the register, initiatives,
        registrations, discipline records, holds, covenants).

    Raises:
        Conflict: the demo officer cannot log in (the organisation's demo is not loaded).
    """
    service.ensure_catalogue(session, now=now)
    today = local_day(now, get_settings().tz)
    year = today.year
    rng = random.Random(2026)  # noqa: S311 (a repeatable demo, not secrets)
    officer, token = _officer(session, "officer", now)
    units = {uid: (code, name, depth) for uid, code, name, depth in session.exec(
        select(Unit.id, Unit.code, Unit.name, Unit.depth).where(Unit.is_active.is_(True)))}
    paths = dict(session.exec(select(Unit.id, Unit.path)).all())
    people = [_Who(pid, code, unit_id, paths[unit_id], username) for pid, code, unit_id, username in session.exec(
        select(Person.id, Person.employee_code, Person.unit_id, Account.username)
        .outerjoin(Account, Account.person_id == Person.id).where(Person.is_active.is_(True)).order_by(Person.id))]
    by_id = {p.id: p for p in people}
    plan = _plan(people, units, year, rng)
    s = plan.special
    titles = dict(session.exec(select(models.Title.code, models.Title.id)).all())
    numbers = _Numbers(today)

    # Past years: the ratings and the register of titles, imported as an officer would.
    for y in range(year - 3, year):
        service.import_ratings(session, actor=officer, filename=f"xep-loai-{y}.csv", year=y, now=now, data=_csv(
            ("employee_code", "level", "reason", "months_worked", "absent_days"),
            ((by_id[pid].code, level, reason, "" if level == NONE else 12, "" if level == NONE else rng.randint(0, 8))
             for pid, (level, reason) in sorted(plan.ratings[y].items()))))
        for uid, level in sorted(plan.unit_levels[y].items()):
            service.rate_unit(session, actor=officer, unit_id=uid, year=y, level=level, now=now)
    rows = []
    for y, code, pid, uid in plan.awards:
        if pid is not None:
            issuer, decided_by = _issuer(by_id[pid].path, units)
        elif units[uid][2] == 1 or code == "TTLDXS":  # a department's or commune's title: the province's
            issuer, decided_by = "UBND", "Chủ tịch UBND tỉnh"
        else:
            issuer, decided_by = _issuer(paths[uid], units)
        ref, day = numbers.decision(issuer, decided_by, y, code)
        rows.append((y, code, by_id[pid].code if pid else "", units[uid][0] if uid else "", ref, day.isoformat(),
                     decided_by))
    registrations = _past_registrations(session, plan, titles, year=year, rng=rng, account_id=officer.account_id)
    report = service.import_awards(session, actor=officer, filename="so-khen-thuong.csv", now=now, data=_csv(
        ("year", "title_code", "employee_code", "unit_code", "decision_ref", "decided_on", "decided_by"), rows))
    if report.errors:
        raise Conflict("The demo register could not be imported: {errors}", errors=str(report.errors[:3]))

    # Initiatives: unit level over the past years, two provincial, one already used for a title.
    initiatives = 0

    def initiative(title: str, y: int, scope: str, authors: list[int], day: date) -> int:
        nonlocal initiatives
        top = by_id[authors[0]]
        issuer, _by = _issuer(top.path, units) if scope == "unit" else ("UBND", "")
        unit_id = next((u for u in _ancestors(top.path) if units[u][2] == 1), top.unit_id)
        initiatives += 1
        return service.record_initiative(
            session, actor=officer, title=title, year=y, scope=scope, unit_id=unit_id, author_ids=authors,
            decision_ref=f"QĐ {40 + 17 * initiatives}/QĐ-{issuer}", decided_on=min(day, today), now=now)

    excellent_past = [pid for pid, (level, _r) in plan.ratings[year - 1].items() if level == EXCELLENT]
    authors_pool = sorted(set(excellent_past) - {s["star_a"], s["provincial"]})
    for i, title in enumerate(_UNIT_INITIATIVES):
        y = year - 3 + i % 3
        authors = sorted(rng.sample(authors_pool, 2 if i % 3 == 0 else 1))
        initiative(title, y, "unit", authors, date(y, 11, 10) + timedelta(days=i * 4))
    for (title, back), author in zip(_PROVINCIAL_INITIATIVES, (s["star_a"], s["provincial"]), strict=True):
        initiative(title, year - back, "province", [author], date(year - back, 12, 5))
    used = initiative(_USED_INITIATIVE, year - 2, "unit", [s["used"]], date(year - 2, 10, 20))
    issuer, decided_by = _issuer(by_id[s["used"]].path, units)
    ref, day = numbers.decision(issuer, decided_by, year - 2, "CSTDCS")
    service.record_award(session, actor=officer, title_id=titles["CSTDCS"], year=year - 2, person_id=s["used"],
                         decision_ref=ref, decided_on=day, decided_by=decided_by, initiative_ids=[used], now=now)
    initiative(_THIS_YEAR_INITIATIVE, year, "unit", [s["initiative"]], date(year, 2, 20))

    # A reprimand two years ago, and a hold in force now (never on a demo login).
    issuer, _by = _issuer(by_id[s["disciplined"]].path, units)
    service.record_discipline(
        session, actor=officer, person_id=s["disciplined"], form="reprimand", starts_on=date(year - 2, 4, 1),
        ends_on=date(year - 2, 9, 30), decision_ref=f"QĐ 27/QĐ-{issuer}",
        note="Chậm trả kết quả hồ sơ nhiều lần, đã được nhắc nhở.", now=now)
    service.place_hold(session, actor=officer, person_id=s["held"], reason="inspection",
                       starts_on=min(date(year, 2, 1), today),
                       note="Đang thanh tra việc quản lý hồ sơ đất đai của đơn vị (QĐ 112/QĐ-TTr).", now=now)

    # This year: the window open all year, registrations, half the people rated, a covenant.
    service.set_year(session, actor=officer, year=year, opens_on=date(year, 1, 1), closes_on=date(year, 12, 31),
                     excellent_cap_pct=20, now=now)
    named = {u for u, _role, _name in DEMO_LOGINS}
    self_registering = [p for p in people if p.username and p.username not in named][:3]
    skip = {p.id for p in people if p.username in named} | {p.id for p in self_registering}
    unregistered = set(rng.sample(sorted(p.id for p in people if p.id not in skip and p.id not in s.values()), 6))
    for p in people:
        if p.id in skip or p.id in unregistered:
            continue
        wanted = ["LDTT"]
        level = plan.ratings[year].get(p.id, ("", ""))[0]
        if p.id in (s["star_a"], s["star_b"], s["star_c"], s["provincial"]):
            wanted += ["CSTDCS", "CSTD_TINH"]
        elif level == EXCELLENT or p.id == s["initiative"]:
            wanted.append("CSTDCS")
        for code in wanted:
            service.register_person(session, actor=officer, person_id=p.id, year=year, title_id=titles[code], now=now)
            registrations += 1
    for p in self_registering:
        actor, own_token = _officer(session, p.username, now)
        service.register_self(session, actor=actor, year=year, title_id=titles["LDTT"], now=now)
        org_sessions.logout(session, token=own_token, now=now)
        registrations += 1
    tops = sorted(uid for uid, (_c, _n, depth) in units.items() if depth == 1)
    for uid in tops[::2]:
        service.register_unit(session, actor=officer, unit_id=uid, year=year, title_id=titles["TTLDTT"], now=now)
        registrations += 1
    for pid, (level, _reason) in sorted(plan.ratings[year].items()):
        months, absent = 12, rng.randint(0, 6)
        if pid == s["absent"]:
            absent = 45
        if pid == s["recruit"]:
            months = 7
        service.rate_person(session, actor=officer, person_id=pid, year=year, level=level, months_worked=months,
                            absent_days=absent, now=now)
    rated_units = tops[1::3]
    for uid in rated_units:
        service.rate_unit(session, actor=officer, unit_id=uid, year=year, level=GOOD, now=now)
    departments = [uid for uid in tops if not units[uid][1].startswith("UBND ")]
    snv = next(uid for uid in tops if units[uid][0] == "SNV")
    service.record_covenant(
        session, actor=officer, unit_id=snv, year=year, title=f"Giao ước thi đua năm {year} của Cụm các sở, ban, ngành",
        signed_on=min(date(year, 1, 15), today), signatory_unit_ids=departments, now=now,
        content="Các đơn vị cam kết hoàn thành 100% chỉ tiêu được giao, giải quyết hồ sơ đúng hạn, "
                "không có cán bộ bị kỷ luật, thực hiện công sở xanh - sạch - đẹp.")
    org_sessions.logout(session, token=token, now=now)
    session.flush()
    workflow = seed_workflow(session, now=now)

    def count(model: type) -> int:
        return session.exec(select(func.count()).select_from(model)).one()

    return {
        "commend_ratings": count(models.Rating),
        "commend_unit_ratings": count(models.UnitRating),
        "commend_awards": count(models.Award),
        "commend_initiatives": initiatives,
        "commend_registrations": registrations,
        "commend_disciplines": 1,
        "commend_holds": 1,
        "commend_covenants": 1,
        **workflow,
    }



# --- part 2: the workflow (issue 15) ---------------------------------------------------------------
#
# Through the services of nominations.py, council.py and decisions.py, after the register above:
#
# - Y-1 complete: people of the demo eligible for CSTĐCS of Y-1 (rated HTXSNV, holding LĐTT) who
#   are not in the register for it are proposed by the province in December, the dossier is
#   received and appraised, the council meets in January (its members present, all agreeing), and
#   the province's decision of January awards them, each award with its certificate code.
# - Y in progress: a dossier for LĐTT submitted and received (awaiting its appraisal), and a
#   council session open on another, with its first round open and some ballots cast.
#
# The council is the demo's ``council`` login and four plain staff logins (not the named logins a
# journey uses): five members, so a quorum of 2/3 is four present and a majority of all members is
# three agreeing. The browser workflow schedules its own session with these five.


def _workflow_members(session: Session) -> list[Account]:
    """Four plain staff logins for the council: not those a browser journey uses."""
    snv_path = session.exec(select(Unit.path).where(Unit.code == "SNV")).one()
    accounts = []
    for username, _name in DEMO_STAFF_LOGINS:
        account = session.exec(select(Account).where(Account.username == username)).one()
        accounts.append((account, session.get(Unit, session.get(Person, account.person_id).unit_id).path))
    journey = next(a.id for a, path in accounts if not path.startswith(snv_path))  # the workflow's secretary
    return [a for a, _path in accounts if a.id != journey][-4:]


def _clamp(moment: datetime, now: datetime) -> datetime:
    """A moment of the story, never after now (a demo loaded early in January squeezes the story)."""
    return min(moment, now)


def _report(person: Person, unit_name: str, text: str) -> dict[str, str]:
    return {"full_name": person.full_name, "post": person.position, "unit": unit_name, "achievements": text,
            "proposal": "Đề nghị tặng danh hiệu"}


_PAST_ACHIEVEMENTS = (
    "Hoàn thành xuất sắc nhiệm vụ được giao; chủ trì tham mưu nhiều văn bản quan trọng của đơn vị, "
    "giải quyết hồ sơ đúng và trước hạn; tích cực tham gia các phong trào thi đua của cơ quan."
)
_THIS_YEAR_ACHIEVEMENTS = (
    "Hoàn thành tốt nhiệm vụ được giao; chấp hành tốt chủ trương, chính sách của Đảng, pháp luật của "
    "Nhà nước; có tinh thần tự lực, đoàn kết, tương trợ, tích cực tham gia phong trào thi đua."
)
_BASIS = (
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;\n"
    "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, "
    "khen thưởng;\n"
    "Xét đề nghị của Hội đồng Thi đua - Khen thưởng tỉnh."
)


def seed_workflow(session: Session, *, now: datetime) -> dict[str, int]:
    """Add the nominations, council sessions and decisions of the demo (after ``seed_demo``'s register).

    Returns:
        Counts of what was written (nominations, council sessions, decisions, decided awards).

    Raises:
        Conflict: a demo login cannot log in. RuntimeError: the demo data leaves nobody to propose.
    """
    tz = get_settings().tz
    today = local_day(now, tz)
    year = today.year
    officer, token = _officer(session, "officer", now)
    admin, admin_token = _officer(session, "admin", now)
    titles = dict(session.exec(select(models.Title.code, models.Title.id)).all())
    root = session.exec(select(Unit).where(Unit.depth == 0)).one()
    unit_names = dict(session.exec(select(Unit.id, Unit.name)).all())
    with_login = set(session.exec(select(Account.person_id)))

    # The council: four staff logins granted the role, the demo's ``council`` login a member too
    # (absent in Y-1; present in Y, so that it may still vote).
    members = _workflow_members(session)
    for a in members:
        org_service.grant_role(session, actor=admin, account_id=a.id, role=Role.COUNCIL_MEMBER.value, now=now)
    actors, tokens = [], [token, admin_token]
    for account in members:
        actor, member_token = _officer(session, account.username, now)
        actors.append(actor)
        tokens.append(member_token)
    chair, secretary = actors[0], actors[1]
    council_login = session.exec(select(Account.person_id).where(Account.username == "council")).one()

    def eligible(code: str, y: int, as_of: date) -> list[Person]:
        """People without a login eligible for ``code`` of ``y`` and not holding it, nor proposed for it."""
        judged = queries.compute(session, year=y, root_path=root.path, as_of=as_of, codes={code}).outcomes[code]
        held = set(session.exec(select(models.Award.person_id).where(
            models.Award.title_id == titles[code], models.Award.year == y, models.Award.person_id.is_not(None))))
        proposed = set(session.exec(select(models.Nominee.person_id).join(
            models.Nomination, models.Nomination.id == models.Nominee.nomination_id).where(
            models.Nomination.title_id == titles[code], models.Nomination.year == y,
            models.Nominee.person_id.is_not(None))))
        ids = sorted(pid for pid, j in judged.judgements.items()
                     if j.status == rules.ELIGIBLE and not j.initiative_ids and pid not in with_login | held | proposed)
        return [session.get(Person, pid) for pid in ids]

    def propose(unit: Unit, code: str, y: int, people: list[Person], reference: str, summary: str, text: str,
                at: datetime) -> tuple[int, list[int]]:
        nomination_id = nominations.create_nomination(
            session, actor=officer, year=y, title_id=titles[code], unit_id=unit.id, reference=reference,
            summary=summary, now=at)
        nominee_ids = []
        for person in people:
            nominee_id = nominations.add_nominee(session, actor=officer, nomination_id=nomination_id,
                                                 person_id=person.id, now=at)
            nominations.set_report(session, actor=officer, nominee_id=nominee_id,
                                   fields=_report(person, unit_names[person.unit_id], text), now=at)
            nominee_ids.append(nominee_id)
        nominations.submit(session, actor=officer, nomination_id=nomination_id, now=at)
        return nomination_id, nominee_ids

    def schedule(title: str, nominee_ids: list[int], scheduled_at: datetime, at: datetime) -> int:
        return council.schedule_session(
            session, actor=officer, title=title, scheduled_at=scheduled_at, place="Phòng họp số 1, Sở Nội vụ",
            nominee_ids=nominee_ids, chair_person_id=chair.person_id, secretary_person_id=secretary.person_id,
            now=at)

    # Y-1: the complete flow, from the December dossier to the January decision.
    past = eligible("CSTDCS", year - 1, date(year - 1, 12, 8))[:3]
    if len(past) < 2:
        raise RuntimeError(f"the demo has nobody left to propose for CSTĐCS {year - 1}")  # a demo bug, not a message
    steps = [datetime(year - 1, 12, 8, 2, 0, tzinfo=UTC), datetime(year - 1, 12, 10, 2, 0, tzinfo=UTC),
             datetime(year - 1, 12, 17, 2, 0, tzinfo=UTC), datetime(year - 1, 12, 18, 2, 0, tzinfo=UTC),
             datetime(year, 1, 13, 1, 30, tzinfo=UTC), datetime(year, 1, 20, 2, 0, tzinfo=UTC)]
    proposed, received, appraised, scheduled, met, decided = (
        _clamp(s, now - timedelta(minutes=10 * (len(steps) - i))) for i, s in enumerate(steps))
    past_nomination, past_nominees = propose(
        root, "CSTDCS", year - 1, past, f"98/TTr-SNV ngày {proposed:%d/%m/%Y}",
        f"Đề nghị công nhận danh hiệu Chiến sĩ thi đua cơ sở năm {year - 1}", _PAST_ACHIEVEMENTS, proposed)
    nominations.receive(session, actor=officer, nomination_id=past_nomination, now=received)
    nominations.appraise(session, actor=officer, nomination_id=past_nomination,
                         outcomes={n: (rules.APPRAISED_ELIGIBLE, "") for n in past_nominees}, now=appraised)
    past_session = schedule(f"Phiên họp xét khen thưởng năm {year - 1}", past_nominees, met, scheduled)
    for actor in actors:
        council.record_attendance(session, actor=secretary, session_id=past_session, person_id=actor.person_id,
                                  present=True, now=met)
    council.open_session(session, actor=secretary, session_id=past_session, now=met)
    items = session.exec(select(models.AgendaItem.id).where(models.AgendaItem.session_id == past_session)
                         .order_by(models.AgendaItem.position)).all()
    for item_id in items:
        council.open_round(session, actor=secretary, item_id=item_id, now=met)
        for actor in actors:
            council.vote(session, actor=actor, item_id=item_id, agree=True, now=met)
        council.close_round(session, actor=secretary, item_id=item_id, now=met)
    council.close_session(session, actor=secretary, session_id=past_session, now=met)
    decisions.issue_decision(
        session, actor=officer, issuer_code="UBND", issuer_name="Ủy ban nhân dân tỉnh Demo",
        decided_on=local_day(decided, tz), signer_name="Nguyễn Văn Hùng", signer_title="Chủ tịch Ủy ban nhân dân tỉnh",
        basis=_BASIS,
        nominee_ids=past_nominees, session_id=past_session, now=decided)

    # Y: a dossier received and waiting for its appraisal, and a session open with its first round.
    start = datetime(year, 1, 1, 1, 0, tzinfo=UTC)
    snv_path = session.exec(select(Unit.path).where(Unit.code == "SNV")).one()
    tops = {u.id: u for u in session.exec(select(Unit).where(Unit.depth == 1, Unit.is_active.is_(True)))}
    by_top: dict[int, list[Person]] = {}
    for person in eligible("LDTT", year, today):
        path = session.get(Unit, person.unit_id).path
        top = next((u for u in _ancestors(path) if u in tops), None)
        if top is not None and not path.startswith(snv_path) and tops[top].code != "TANLAP":
            by_top.setdefault(top, []).append(person)
    ready = sorted((uid for uid, people in by_top.items() if len(people) >= 2), key=lambda u: tops[u].code)
    if len(ready) < 2:
        raise RuntimeError(f"the demo has nobody left to propose for LĐTT {year}")  # a demo bug, not a message
    waiting_unit, council_unit = tops[ready[0]], tops[ready[1]]
    at = max(now - timedelta(days=3), start)
    waiting, _ids = propose(waiting_unit, "LDTT", year, by_top[waiting_unit.id][:2],
                            f"21/TTr-{waiting_unit.code}", f"Đề nghị công nhận danh hiệu Lao động tiên tiến năm {year}",
                            _THIS_YEAR_ACHIEVEMENTS, at)
    nominations.receive(session, actor=officer, nomination_id=waiting, now=max(now - timedelta(days=2), start))
    at = max(now - timedelta(days=6), start)
    current, current_nominees = propose(
        council_unit, "LDTT", year, by_top[council_unit.id][:2], f"17/TTr-{council_unit.code}",
        f"Đề nghị công nhận danh hiệu Lao động tiên tiến năm {year}", _THIS_YEAR_ACHIEVEMENTS, at)
    nominations.receive(session, actor=officer, nomination_id=current, now=max(now - timedelta(days=5), start))
    at = max(now - timedelta(days=4), start)
    nominations.appraise(session, actor=officer, nomination_id=current,
                         outcomes={n: (rules.APPRAISED_ELIGIBLE, "") for n in current_nominees}, now=at)
    open_session = schedule(f"Phiên họp xét khen thưởng năm {year} (đợt 1)", current_nominees, now, at)
    for person_id in [a.person_id for a in actors] + [council_login]:
        council.record_attendance(session, actor=secretary, session_id=open_session, person_id=person_id,
                                  present=True, now=now)
    council.open_session(session, actor=secretary, session_id=open_session, now=now)
    first = session.exec(select(models.AgendaItem.id).where(models.AgendaItem.session_id == open_session)
                         .order_by(models.AgendaItem.position)).first()
    council.open_round(session, actor=secretary, item_id=first, now=now)
    for actor in actors[1:3]:
        council.vote(session, actor=actor, item_id=first, agree=True, now=now)

    for t in tokens:
        org_sessions.logout(session, token=t, now=now)
    session.flush()
    return {"commend_nominations": 3, "commend_council_sessions": 2, "commend_decisions": 1,
            "commend_decided_awards": len(past_nominees)}
