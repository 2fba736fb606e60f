"""The load benchmark's own pieces (scripts/bench_load.py): what it reads from the app's answers.

The benchmark is run by hand against a running app; these tests keep the parts that interpret
the app's messages honest, so that a changed login script or a refusal is not silently timed
as a success.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "bench_load.py"
_spec = importlib.util.spec_from_file_location("bench_load", _PATH)
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_load"] = bench
_spec.loader.exec_module(bench)

LEADERBOARD = ("reflex___state____state.engagement___ui___i18n____lang_state.engagement___ui___auth____auth_state."
               "engagement___scoring___state____leaderboard_state")


def test_the_login_hand_off_the_app_sends_is_read_as_its_form() -> None:
    session_route = pytest.importorskip("engagement.ui.session_route")
    script = session_route.start_script("c0de-\"quoted\"", "/leaderboards")
    action, fields = bench.parse_hand_off(script)
    assert action == session_route.START
    assert fields == {"code": "c0de-\"quoted\"", "next": "/leaderboards"}


def test_a_script_without_a_form_is_no_hand_off() -> None:
    with pytest.raises(bench.ActionError):
        bench.parse_hand_off("window.location.reload()")


def test_an_update_of_another_state_does_not_complete_an_action() -> None:
    done = bench._all_of((LEADERBOARD, "result", None), refusals=((LEADERBOARD, "error"),))
    assert done({"delta": {"reflex___state____state": {"is_hydrated_rx_state_": True}}}) is False
    assert done({"delta": {LEADERBOARD: {"result_rx_state_": {"rows": []}, "error_rx_state_": ""}}}) is True


def test_a_background_handler_is_done_when_its_result_arrives_not_its_first_delta() -> None:
    done = bench._all_of((LEADERBOARD, "period", "2026-11"), (LEADERBOARD, "result", None))
    assert done({"delta": {LEADERBOARD: {"period_rx_state_": "2026-11"}}}) is False  # before the read
    assert done({"delta": {LEADERBOARD: {"result_rx_state_": {"rows": []}, "offset_rx_state_": 0}}}) is True


def test_a_page_is_open_when_hydrated_and_its_data_arrived() -> None:
    fe = bench.Frontend(origin="http://127.0.0.1", ws_url="ws://127.0.0.1/_event/", handlers=dict(bench.HANDLERS))
    done = bench.page_ready(fe, "/leaderboards")
    assert done({"delta": {"reflex___state____state": {"is_hydrated_rx_state_": True}}}) is False
    assert done({"delta": {LEADERBOARD: {"result_rx_state_": {"rows": []}}}}) is True


def test_a_refusal_in_the_answer_counts_as_an_error_not_a_success() -> None:
    done = bench._all_of((LEADERBOARD, "result", None), refusals=((LEADERBOARD, "error"),))
    with pytest.raises(bench.ActionError) as refused:
        done({"delta": {LEADERBOARD: {"error_rx_state_": "Chọn một kỳ trong danh sách."}}})
    assert refused.value.kind == "refused"


def test_percentiles_are_read_from_the_sorted_latencies() -> None:
    values = sorted(i / 1000 for i in range(1, 101))  # 1 ms .. 100 ms
    assert bench._pct(values, 50) == 51.0
    assert bench._pct(values, 95) == 95.0
    assert bench._pct([], 95) is None


def test_the_server_is_found_by_its_listening_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", (
        "import socket, time\n"
        f"s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', {port}))\n"
        "s.listen(); time.sleep(30)\n")])
    try:
        deadline = time.monotonic() + 10
        while server.pid not in bench.server_pids(port, []) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.pid in bench.server_pids(port, [])
        assert bench.sample(port, []).rss > 0
    finally:
        server.kill()
        server.wait()
