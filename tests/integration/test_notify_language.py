"""Messages are written in the RECIPIENT's language (``Account.language``), whatever the sender's.

The catalogue's Vietnamese is not written yet, so a fake catalogue marks every Vietnamese text
"[vi] …": a marked text proves the recipient's language was used, an unmarked one English.
"""

from __future__ import annotations

import gettext
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from engagement.core import i18n
from engagement.core.i18n import N_
from engagement.jobs import digests
from engagement.jobs import rules as job_rules
from engagement.notify import service
from engagement.notify.models import Notification
from engagement.org.models import Account
from engagement.scoring import service as scoring
from engagement.settings import get_settings
from tests import factories as f

TZ = get_settings().tz
WINDOW = job_rules.SendingWindow(holidays=frozenset({date(2026, 3, 16)}))
MARK = "[vi] "


class _MarkedVietnamese(gettext.NullTranslations):
    """Every message "translated" as "[vi] " + its English text (placeholders kept)."""

    def gettext(self, message: str) -> str:
        return MARK + message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return MARK + (msgid1 if n == 1 else msgid2)


@pytest.fixture(autouse=True)
def marked_vietnamese(monkeypatch):
    """Vietnamese is the marked fake; English is the source text."""
    fake, real = _MarkedVietnamese(), i18n._translations
    real.cache_clear()
    monkeypatch.setattr(i18n, "_translations", lambda lang: fake if lang == "vi" else gettext.NullTranslations())
    yield
    real.cache_clear()


def _speaks(session, person_id: int, lang: str) -> None:
    account = session.exec(select(Account).where(Account.person_id == person_id)).one()
    account.language = lang
    session.add(account)
    session.flush()


@pytest.fixture
def org(session, now):
    """Three staff with accounts and e-mail: one reads Vietnamese, one English, one the default."""
    o = f.small_org(session, now)
    o.vi = f.user(session, o.admin, now, unit_id=o.a, username="doc.vi", name="Lê Thị Hoa", email="hoa@tinh.gov.vn")
    o.en = f.user(session, o.admin, now, unit_id=o.a, username="reads.en", name="Trần Văn Anh",
                  email="anh@tinh.gov.vn")
    o.default = f.user(session, o.admin, now, unit_id=o.b, username="chua.chon", name="Phạm Thu Hà",
                       email="ha@tinh.gov.vn")
    o.no_account = f.person(session, o.admin, now, unit_id=o.b, name="Ngô Văn Khách", email="khach@tinh.gov.vn")
    _speaks(session, o.vi.person_id, "vi")
    _speaks(session, o.en.person_id, "en")
    for pid in (o.vi.person_id, o.en.person_id, o.default.person_id, o.no_account):
        f.preference(session, person_id=pid, category="recognition", mode="email", now=now)
    session.commit()
    return o


def _say(session, person_id, now, **kw):
    """A recognition notice sent by someone working in English."""
    with i18n.using("en"):
        return service.notify(session, person_id=person_id, category="recognition", kind="recognition.received",
                              subject_ref="recognition:7", now=now, link="/recognition",
                              title=N_("{giver} recognised you", giver="Lê Văn Tặng"),
                              body=N_("Open the app to read the message of {giver}.", giver="Lê Văn Tặng"), **kw)


def _notice(session, person_id) -> Notification:
    return session.exec(select(Notification).where(Notification.recipient_id == person_id)).one()


def test_each_recipient_reads_the_notice_and_the_email_in_their_own_language(session, org, now, engine, smtp):
    for pid in (org.vi.person_id, org.en.person_id, org.default.person_id, org.no_account):
        assert _say(session, pid, now) is True
    session.commit()

    vi = _notice(session, org.vi.person_id)
    assert vi.title == "[vi] Lê Văn Tặng recognised you"
    assert vi.body == "[vi] Open the app to read the message of Lê Văn Tặng."
    [vi_mail] = f.outbox(session, recipient_id=org.vi.person_id, channel="email")
    assert (vi_mail.title, vi_mail.body) == (vi.title, vi.body)
    for pid in (org.en.person_id, org.default.person_id, org.no_account):  # the default is English here
        notice = _notice(session, pid)
        assert notice.title == "Lê Văn Tặng recognised you"
        assert notice.body == "Open the app to read the message of Lê Văn Tặng."
        [mail] = f.outbox(session, recipient_id=pid, channel="email")
        assert (mail.title, mail.body) == (notice.title, notice.body)

    # The e-mail's fixed parts (the footer) follow the recipient too.
    report = f.deliver(session, engine, sender=f.smtp_sender(smtp), now=now, public_url="https://thidua.tinh.gov.vn")
    assert report.sent == 4
    by_to = {m.to: m for m in smtp.messages}
    got = by_to["hoa@tinh.gov.vn"]
    assert got.subject == "[vi] Lê Văn Tặng recognised you"
    assert "[vi] You receive this because of your notification settings in the app." in got.body
    assert "https://thidua.tinh.gov.vn/recognition" in got.body
    english = by_to["anh@tinh.gov.vn"]
    assert english.subject == "Lê Văn Tặng recognised you"
    assert "You receive this because of your notification settings in the app." in english.body
    assert MARK not in english.body


def test_a_plain_text_is_stored_as_given(session, org, now):
    with i18n.using("en"):
        service.notify(session, person_id=org.vi.person_id, category="recognition", kind="k", subject_ref="s:1",
                       title="Bạn được ghi nhận", body="Cảm ơn chị.", now=now)
    notice = _notice(session, org.vi.person_id)
    assert (notice.title, notice.body) == ("Bạn được ghi nhận", "Cảm ơn chị.")


def _count_account_reads(engine):
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and " account" in statement.lower():
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    return seen, lambda: sa.event.remove(engine, "before_cursor_execute", before)


def test_notify_many_renders_each_message_for_its_recipient_with_one_read_of_the_languages(
        session, org, now, engine):
    people = sorted([org.vi.person_id, org.en.person_id, org.default.person_id, org.no_account])
    messages = [service.Message(person_id=pid, category="recognition", kind="recognition.received",
                                subject_ref="recognition:8", title=N_("You were recognised"),
                                body=N_("{n} colleagues thanked you.", n=3), link="/recognition")
                for pid in people]
    seen, stop = _count_account_reads(engine)
    try:
        with i18n.using("en"):
            assert service.notify_many(session, messages, now=now) == [True] * 4
    finally:
        stop()
    assert len(seen) == 1, seen
    session.commit()
    assert _notice(session, org.vi.person_id).title == "[vi] You were recognised"
    assert _notice(session, org.vi.person_id).body == "[vi] 3 colleagues thanked you."
    [mail] = f.outbox(session, recipient_id=org.vi.person_id, channel="email")
    assert (mail.title, mail.body) == ("[vi] You were recognised", "[vi] 3 colleagues thanked you.")
    for pid in (org.en.person_id, org.default.person_id, org.no_account):
        assert _notice(session, pid).title == "You were recognised"
        assert [m.title for m in f.outbox(session, recipient_id=pid)] == ["You were recognised"] * 2


def test_the_same_messages_one_at_a_time_or_in_bulk_are_the_same_rows(session, org, now):
    """The fallback path (``notify`` per message) renders exactly as the bulk one."""
    msg = dict(category="recognition", kind="recognition.received", subject_ref="recognition:9",
               title=N_("You were recognised"), body=N_("{n} colleagues thanked you.", n=2))
    service.notify(session, person_id=org.vi.person_id, now=now, **msg)
    service.notify_many(session, [service.Message(person_id=org.en.person_id, **msg)], now=now)
    assert _notice(session, org.vi.person_id).body == "[vi] 2 colleagues thanked you."
    assert _notice(session, org.en.person_id).body == "2 colleagues thanked you."


# --- digests ---------------------------------------------------------------------------------


@pytest.fixture
def staff(session):
    """The staff org with an officer; the clerk and the head of A read Vietnamese."""
    now = f.at(3, 2)
    o = f.staff_org(session, now=now)
    o.officer = f.officer(session, org=o, now=now)
    _speaks(session, o.clerk.person_id, "vi")
    _speaks(session, o.head_a.person_id, "vi")
    session.commit()
    return o


def test_the_weekly_digest_is_written_in_each_recipients_language(session, engine, staff):
    for who in (staff.clerk, staff.head_b):
        scoring.adjust(session, actor=staff.officer, person_id=who.person_id, points=-3,
                       reason="Late report to the province", now=f.at(3, 4))
    session.commit()
    with i18n.using("en"):  # whoever runs the job
        assert f.run_after_commit(session, digests.send_weekly_digests, engine, now=f.at(3, 9), tz=TZ,
                                  window=WINDOW) == 2
    by_person = {m.recipient_id: m for m in f.outbox(session, kind=digests.WEEKLY_KIND, channel="in_app")}
    clerk, head = by_person[staff.clerk.person_id], by_person[staff.head_b.person_id]
    assert clerk.title == "[vi] Your week: [vi] -3 points"
    assert clerk.body.startswith("[vi] Your week (02/03 – 08/03/2026):")
    assert "[vi] • Points: -3 this week; -3 in 2026-03" in clerk.body
    assert head.title == "Your week: -3 points" and MARK not in head.body


def test_the_monthly_review_names_the_month_in_each_heads_language(session, engine, staff):
    with i18n.using("en"):
        assert f.run_after_commit(session, digests.send_monthly_digests, engine, now=f.at(4, 1), tz=TZ,
                                  window=WINDOW) == 2
    by_head = {m.recipient_id: m for m in f.outbox(session, kind=digests.MONTHLY_KIND, channel="in_app")}
    a, b = by_head[staff.head_a.person_id], by_head[staff.head_b.person_id]
    # Vietnamese month names come from the recipient's locale, not the server's.
    assert a.title.startswith("[vi] Phòng Tổ chức: your month in review ([vi] Tháng 3 2026)"), a.title
    assert "[vi] • Recognition received: 0" in a.body
    assert b.title.endswith("your month in review (March 2026)") and MARK not in b.body


def test_the_approval_digest_is_written_in_the_approvers_language(session, engine, staff):
    campaign = f.green_campaign(session, actor=staff.admin, unit_ids=[staff.a, staff.b], target_points=20,
                                target_rate=50, now=f.at(3, 2))
    f.green_activity(session, actor=staff.member, campaign_id=campaign, now=f.at(3, 2))
    _speaks(session, staff.verifier.person_id, "vi")
    session.commit()
    with i18n.using("en"):
        f.run_after_commit(session, digests.send_approval_digests, engine, now=f.at(3, 2), tz=TZ,
                           window=job_rules.SendingWindow())
    [row] = [m for m in f.outbox(session, kind=digests.DIGEST_KIND, channel="in_app")
             if m.recipient_id == staff.verifier.person_id]
    assert row.title == "[vi] Waiting for your approval"
    assert row.body.splitlines()[:2] == ["[vi] Today:", "[vi] • 1 green-office activity to verify"]
