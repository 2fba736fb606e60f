"""Counter devices (issue 16): a tablet registered at a one-stop counter is limited per dossier, not
per network; without one (or once it is revoked) the network's daily limit applies."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound, Throttled
from engagement.recognition import queries, rules, service
from engagement.recognition.device_route import DEVICE_COOKIE, build_api, read_device_cookie
from engagement.recognition.models import CitizenThanks, ThanksDevice
from tests import factories as f

CENTRE = "203.0.113.77"  # the one-stop centre's single public address


@pytest.fixture
def org(session, now):
    o = f.recognition_org(session, now=now)
    o.officer = f.officer(session, org=o, now=now)
    o.counter = service.add_counter(session, actor=o.head_b, unit_id=o.b, counter_name="Quầy 1 - Tư pháp", now=now)
    o.head_a = f.user(session, o.admin, now, unit_id=o.a, username="heada", name="Vũ Trưởng A",
                      role="unit_head", role_unit_id=o.a)
    session.commit()
    return o


def _device(session, org, now, *, actor=None, unit_id=None, name="Máy tính bảng Quầy 1") -> tuple[int, str]:
    made = service.register_device(session, actor=actor or org.head_b, unit_id=unit_id or org.b, name=name, now=now)
    token, _ = service.enrol_device(session, code=made.code, now=now + timedelta(minutes=2))
    return made.device_id, token


def _rate(session, org, now, n: int, *, device_token: str = "", dossier: str = "HS-2026-1{:03d}") -> str:
    return f.citizen_thanks(session, token=org.counter, now=now + timedelta(minutes=n), dossier=dossier.format(n),
                            client_ip=CENTRE, device_token=device_token)


def _actions(session, entity_id) -> list[str]:
    return list(session.exec(select(AuditEntry.action).where(AuditEntry.entity == "thanks_device",
                                                             AuditEntry.entity_id == str(entity_id))
                             .order_by(AuditEntry.id)))


def test_registering_keeps_only_hashes_and_the_link_works_once(session, org, now):
    made = service.register_device(session, actor=org.head_b, unit_id=org.b, name="  Máy tính bảng   Quầy 1 ", now=now)
    row = session.get(ThanksDevice, made.device_id)
    assert made.name == row.name == "Máy tính bảng Quầy 1"
    assert row.enrol_hash == hashlib.sha256(made.code.encode()).hexdigest() and made.code not in str(row.model_dump())
    token, name = service.enrol_device(session, code=made.code, now=now + timedelta(hours=1))
    assert name == row.name and row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.enrol_hash is None and token not in str(row.model_dump())
    with pytest.raises(NotFound, match="works once"):
        service.enrol_device(session, code=made.code, now=now + timedelta(hours=2))
    assert _actions(session, row.id) == ["thanks.device_register", "thanks.device_enrol"]


def test_an_enrolment_link_expires(session, org, now):
    made = service.register_device(session, actor=org.head_b, unit_id=org.b, name="Quầy 2", now=now)
    with pytest.raises(NotFound):
        service.enrol_device(session, code=made.code, now=now + rules.DEVICE_ENROL_TTL + timedelta(seconds=1))
    with pytest.raises(NotFound):
        service.enrol_device(session, code="", now=now)


def test_a_device_needs_a_name_unique_among_the_units_active_devices(session, org, now):
    with pytest.raises(Invalid, match="Name the device"):
        service.register_device(session, actor=org.head_b, unit_id=org.b, name=" ", now=now)
    with pytest.raises(Invalid, match="too long"):
        service.register_device(session, actor=org.head_b, unit_id=org.b, name="x" * 121, now=now)
    device_id, _ = _device(session, org, now)
    with pytest.raises(Conflict):
        service.register_device(session, actor=org.head_b, unit_id=org.b, name="Máy tính bảng Quầy 1", now=now)
    service.revoke_device(session, actor=org.head_b, device_id=device_id, now=now)
    service.register_device(session, actor=org.head_b, unit_id=org.b, name="Máy tính bảng Quầy 1", now=now)


def test_without_a_device_the_centres_network_gets_its_daily_limit(session, org, now):
    for n in range(rules.THANKS_PER_CLIENT_PER_DAY):
        _rate(session, org, now, n)
    with pytest.raises(Throttled, match="network"):
        _rate(session, org, now, 99)


def test_on_a_device_ratings_are_limited_per_dossier_not_per_network(session, org, now):
    device_id, token = _device(session, org, now)
    for n in range(rules.THANKS_PER_CLIENT_PER_DAY + 3):  # more than the network allows, one dossier each
        assert _rate(session, org, now, n, device_token=token) in {"approved", "held"}
    with pytest.raises(Throttled, match="already been rated here"):
        _rate(session, org, now, 0, device_token=token)  # the same dossier again
    rows = session.exec(select(CitizenThanks).where(CitizenThanks.device_id == device_id)).all()
    assert len(rows) == rules.THANKS_PER_CLIENT_PER_DAY + 3
    assert {r.hold_reason for r in rows} <= {"", "person"}  # never held as "many from one network"
    # The citizens' own phones on the centre's network still have their 5: the tablet did not use them up.
    for n in range(100, 100 + rules.THANKS_PER_CLIENT_PER_DAY):
        _rate(session, org, now, n)
    with pytest.raises(Throttled, match="network"):
        _rate(session, org, now, 200)


def test_a_revoked_device_falls_back_to_the_network_limit(session, org, now):
    device_id, token = _device(session, org, now)
    for n in range(rules.THANKS_PER_CLIENT_PER_DAY):
        _rate(session, org, now, n)  # phones used up the network's ratings
    assert _rate(session, org, now, 50, device_token=token) in {"approved", "held"}
    service.revoke_device(session, actor=org.head_b, device_id=device_id, now=now + timedelta(minutes=60))
    with pytest.raises(Throttled, match="network"):
        _rate(session, org, now, 61, device_token=token)
    with pytest.raises(Conflict):
        service.revoke_device(session, actor=org.head_b, device_id=device_id, now=now + timedelta(minutes=62))
    assert _actions(session, device_id)[-1] == "thanks.device_revoke"


def test_a_device_of_another_unit_or_an_unknown_token_lifts_nothing(session, org, now):
    _, token_a = _device(session, org, now, actor=org.head_a, unit_id=org.a, name="Quầy A")
    for n in range(rules.THANKS_PER_CLIENT_PER_DAY):
        _rate(session, org, now, n, device_token=token_a if n % 2 else "forged-token")
    with pytest.raises(Throttled, match="network"):
        _rate(session, org, now, 99, device_token=token_a)


def test_only_the_units_head_or_an_officer_registers_and_revokes(session, org, now):
    for who in (org.giver, org.taker, org.head_a, None):
        with pytest.raises(NotAllowed):
            service.register_device(session, actor=who, unit_id=org.b, name="Quầy X", now=now)
    device_id, _ = _device(session, org, now, actor=org.officer, name="Quầy của cán bộ thi đua")
    for who in (org.giver, org.head_a, None):
        with pytest.raises(NotAllowed):
            service.revoke_device(session, actor=who, device_id=device_id, now=now)
    with pytest.raises(NotAllowed):  # a head learns nothing of other units' device ids
        service.revoke_device(session, actor=org.head_a, device_id=999_999, now=now)
    with pytest.raises(NotFound):
        service.revoke_device(session, actor=org.officer, device_id=999_999, now=now)
    service.revoke_device(session, actor=org.head_b, device_id=device_id, now=now)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "thanks.device_register")).one()
    assert entry.actor_account_id == org.officer.account_id


def test_the_list_shows_each_units_devices_with_their_last_use(session, org, now):
    device_id, token = _device(session, org, now)
    service.register_device(session, actor=org.head_a, unit_id=org.a, name="Quầy A", now=now)
    _rate(session, org, now, 7, device_token=token)
    rows = queries.counter_devices(session, actor=org.head_b)
    assert [(r.id, r.status) for r in rows] == [(device_id, "active")] and rows[0].last_used != "Never"
    assert {r.name for r in queries.counter_devices(session, actor=org.officer)} == {"Máy tính bảng Quầy 1", "Quầy A"}
    assert [r.status for r in queries.counter_devices(session, actor=org.head_a)] == ["waiting"]
    with pytest.raises(NotAllowed):
        queries.counter_devices(session, actor=org.giver)


def test_the_device_cookie_is_read_from_the_socket_headers():
    assert read_device_cookie(f"a=1; {DEVICE_COOKIE}=abc-DEF_123; b=2") == "abc-DEF_123"
    assert read_device_cookie("") == "" and read_device_cookie('bad"cookie') == ""


# --- the HTTP route and the page states, on the app's database ----------------------------------


@pytest.fixture
def app_db(app_db):
    """The demo organisation with its recognition demo (thanks links)."""
    from engagement.core import clock
    from engagement.recognition.demo import seed_demo

    with Session(app_db) as s:
        seed_demo(s, now=clock.now())
        s.commit()
    return app_db


def test_the_route_sets_an_httponly_cookie_once(app_db):
    from starlette.testclient import TestClient

    from engagement.core import clock, i18n
    from engagement.org import sessions
    from engagement.org.demo import DEMO_PASSWORD
    from engagement.recognition.queries import moderated_units

    with Session(app_db) as s:
        head = sessions.resolve_actor(s, token=f.login(s, "head.snv", DEMO_PASSWORD, now=clock.now()).token,
                                      now=clock.now())
        unit_id = moderated_units(s, actor=head)[0][0]
        made = service.register_device(s, actor=head, unit_id=unit_id, name="Quầy thử", now=clock.now())
        s.commit()
    client = TestClient(build_api())
    page = client.get(f"/thanks-device/{made.code}", headers={"accept-language": "vi"})
    assert page.status_code == 200 and "<form method=\"post\">" in page.text and 'lang="vi"' in page.text
    assert i18n.render(i18n.N_("Register this tablet"), "vi") in page.text
    with Session(app_db) as s:  # showing the page spends nothing (a link preview must not)
        assert s.get(ThanksDevice, made.device_id).token_hash is None
    done = client.post(f"/thanks-device/{made.code}")
    cookie = done.headers["set-cookie"]
    assert done.status_code == 200 and cookie.startswith(f"{DEVICE_COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and "Max-Age=" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    with Session(app_db) as s:
        assert s.get(ThanksDevice, made.device_id).token_hash == hashlib.sha256(token.encode()).hexdigest()
    again = TestClient(build_api()).post(f"/thanks-device/{made.code}")
    assert again.status_code == 404 and "set-cookie" not in again.headers


def test_the_citizens_page_registers_shows_the_link_once_and_revokes(app_db):
    from engagement.recognition.state import DevicesState

    head = f.app_state(app_db, DevicesState, "head.snv")
    f.run_handler(head, "load")
    unit_id = head.device_options[0].value
    f.run_handler(head, "register", {"unit_id": unit_id, "device_name": ""})
    assert "Name the device" in head.device_error and head.new_link == ""
    f.run_handler(head, "register", {"unit_id": unit_id, "device_name": "Quầy 3"})
    assert head.device_error == "" and "/thanks-device/" in head.new_link
    assert [d.name for d in head.devices] == ["Quầy 3"] and head.devices[0].status == "waiting"
    f.run_handler(head, "revoke", head.devices[0].id)
    assert head.new_link == "" and head.devices[0].status == "revoked"
    staff = f.app_state(app_db, DevicesState, "staff")
    f.run_handler(staff, "register", {"unit_id": unit_id, "device_name": "Quầy 4"})
    assert staff.device_error and staff.new_link == ""


def test_the_socket_keeps_only_the_hash_of_the_device_cookie():
    from reflex.app import EventNamespace

    from engagement.recognition.device_route import DEVICE_REF, install_device_reader

    install_device_reader()
    install_device_reader()  # idempotent
    namespace = EventNamespace.__new__(EventNamespace)
    cookie = f"engagement_session=s3cret; {DEVICE_COOKIE}=tablet-token-1".encode()
    data = EventNamespace._build_static_router_data(
        namespace, "sid-1", {"asgi.scope": {"headers": [(b"cookie", cookie)], "client": ("198.51.100.9", 1)}})
    assert data[DEVICE_REF] == hashlib.sha256(b"tablet-token-1").hexdigest()
    assert "tablet-token-1" not in str({k: v for k, v in data.items() if k != "headers"})
    bare = EventNamespace._build_static_router_data(namespace, "sid-2", {"asgi.scope": {"headers": []}})
    assert bare[DEVICE_REF] == ""


def test_the_thanks_page_on_a_registered_tablet_is_not_limited_by_the_network(app_db):
    from reflex.istate.data import RouterData
    from reflex.state import State

    from engagement.core import clock
    from engagement.org import sessions
    from engagement.org.demo import DEMO_PASSWORD
    from engagement.recognition.device_route import DEVICE_REF
    from engagement.recognition.models import ThanksLink
    from engagement.recognition.state import ThanksState

    with Session(app_db) as s:
        link = s.exec(select(ThanksLink).where(ThanksLink.is_active.is_(True))).first()
        head = sessions.resolve_actor(s, token=f.login(s, "officer", DEMO_PASSWORD, now=clock.now()).token,
                                      now=clock.now())
        made = service.register_device(s, actor=head, unit_id=link.unit_id, name="Quầy thử", now=clock.now())
        token, _ = service.enrol_device(s, code=made.code, now=clock.now())
        s.commit()
        link_token = link.token

    def citizen(ref: str):
        state = State(_reflex_internal_init=True).get_substate(ThanksState.get_full_name().split(".")[1:])
        state.router = RouterData.from_router_data({
            "headers": {"asgi-scope-client": CENTRE}, "ip": CENTRE,
            "pathname": "/thanks/[thanks_token]", "query": {"thanks_token": link_token}})
        state.router_data = {DEVICE_REF: ref}
        f.run_handler(state, "load")
        return state

    def send(state, dossier: str) -> None:
        with Session(app_db) as s:
            proof = f.thanks_proof(s, now=clock.now())
            s.commit()
        f.run_handler(state, "proof_ready", proof)

        async def go():
            return [e async for e in type(state).event_handlers["submit"].fn(state, {
                "attitude": "5", "timeliness": "5", "guidance": "5", "note": "", "dossier": dossier})]
        asyncio.run(go())

    for n in range(rules.THANKS_PER_CLIENT_PER_DAY + 1):
        tablet = citizen(service.device_ref(token))
        send(tablet, f"HS-2026-7{n:03d}")
        assert tablet.done, tablet.error
    phone = citizen("")
    for n in range(rules.THANKS_PER_CLIENT_PER_DAY):
        send(phone, f"HS-2026-8{n:03d}")
        phone = citizen("")
    send(phone, "HS-2026-8999")
    assert "network" in phone.error and not phone.done
