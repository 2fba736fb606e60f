"""Issue 18, the pure parts: images (bombs, metadata), the client address behind proxies, the
growing login delay, the socket's rate limit and refusals."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from engagement.core import files
from engagement.core.errors import Invalid
from engagement.core.net import ProxyTrust, client_address, parse_trusted_proxies
from engagement.org import rules
from engagement.ui import guard

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


# --- images ----------------------------------------------------------------------------------


def _bomb() -> bytes:
    """The finding's bomb: a ~10 KB 1-bit PNG of 8,900 x 8,900 pixels (79 million)."""
    out = io.BytesIO()
    Image.new("1", (8900, 8900)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _photo(size: tuple[int, int] = (3000, 2000)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def _best_of(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def test_the_decompression_bomb_is_refused_from_its_header_cheaply():
    bomb, photo = _bomb(), _photo()
    assert len(bomb) < 20_000  # small on the wire, 79 million pixels inside

    def refuse() -> None:
        with pytest.raises(Invalid, match="million pixels"):
            files.clean_image(bomb)

    refused = _best_of(refuse)
    cleaned = _best_of(lambda: files.clean_image(photo))
    # Decoding it took 1.7 s and 500 MB before; refused from the header it costs far less than
    # cleaning one ordinary 6 MP photo (a ratio, not a wall-clock time).
    assert refused * 5 < cleaned, (refused, cleaned)


def test_pillow_bomb_guard_is_at_the_real_limit_and_its_warning_is_an_error():
    files.clean_image(files_png := _small_png())
    assert files_png
    assert Image.MAX_IMAGE_PIXELS == files.MAX_IMAGE_PIXELS
    # Between 1x and 2x the limit Pillow only warns; here that is a refusal too.
    just_over = io.BytesIO()
    Image.new("1", (8000, 6300)).save(just_over, format="PNG")  # 50.4 M pixels
    with pytest.raises(Invalid, match="million pixels"):
        files.clean_image(just_over.getvalue())


def test_the_pixel_limit_is_checked_before_decoding_even_under_pillows_guard():
    image = io.BytesIO()
    Image.new("RGB", (300, 200)).save(image, format="PNG")
    with pytest.raises(Invalid, match="300 x 200 pixels"):
        files.clean_image(image.getvalue(), max_pixels=50_000)


def _small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def test_a_script_in_a_jpeg_comment_does_not_survive_cleaning():
    source = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(source, format="JPEG", comment=b"<script>alert(1)</script>")
    assert b"<script>" in source.getvalue()
    clean = files.clean_image(source.getvalue())
    assert b"<script>" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as again:
        assert "comment" not in again.info and again.size == (64, 48)


def test_no_metadata_block_survives_cleaning():
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "<img src=x onerror=alert(1)>")
    source = io.BytesIO()
    Image.new("RGB", (50, 50)).save(source, format="PNG", pnginfo=text, icc_profile=b"\0" * 64)
    exif_jpeg = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    Image.new("RGB", (50, 50)).save(exif_jpeg, format="JPEG", exif=exif, comment=b"COMMENT-MARK")
    for data in (source.getvalue(), exif_jpeg.getvalue()):
        clean = files.clean_image(data).data
        for marker in (b"onerror", b"SecretCam", b"COMMENT-MARK", b"Exif", b"ICC_PROFILE"):
            assert marker not in clean
        with Image.open(io.BytesIO(clean)) as again:
            assert not (set(again.info) & {"exif", "comment", "icc_profile", "Comment"})


# --- the client behind proxies ---------------------------------------------------------------

CIDR = ProxyTrust(networks=parse_trusted_proxies("10.0.0.5, 172.16.0.0/12")[0])
HOPS = ProxyTrust(hops=1)


def test_without_trusted_proxies_forwarded_headers_are_ignored():
    headers = {"x-forwarded-for": "1.2.3.4", "forwarded": "for=5.6.7.8"}
    assert client_address("203.0.113.9", headers, ProxyTrust()) == "203.0.113.9"


def test_a_trusted_proxy_is_believed_and_an_untrusted_peer_is_not():
    assert client_address("10.0.0.5", {"x-forwarded-for": "198.51.100.7"}, CIDR) == "198.51.100.7"
    # Someone reaching the app directly cannot choose their address by sending the header.
    assert client_address("203.0.113.9", {"x-forwarded-for": "198.51.100.7"}, CIDR) == "203.0.113.9"


def test_the_chain_is_read_from_the_right_skipping_trusted_proxies():
    # The client forged "6.6.6.6"; the two proxies appended the real client and the first proxy.
    headers = {"x-forwarded-for": "6.6.6.6, 198.51.100.7, 172.16.3.4"}
    assert client_address("10.0.0.5", headers, CIDR) == "198.51.100.7"
    # Every hop trusted: the leftmost is the client.
    assert client_address("10.0.0.5", {"x-forwarded-for": "172.16.0.9"}, CIDR) == "172.16.0.9"
    # Garbage ends the walk at the last address believed.
    assert client_address("10.0.0.5", {"x-forwarded-for": "junk, 172.16.0.9"}, CIDR) == "172.16.0.9"


def test_hop_count_mode_takes_that_many_entries_from_the_right():
    assert client_address("127.0.0.1", {"x-forwarded-for": "6.6.6.6, 198.51.100.7"}, HOPS) == "198.51.100.7"
    two = ProxyTrust(hops=2)
    assert client_address("127.0.0.1", {"x-forwarded-for": "198.51.100.7, 10.1.1.1"}, two) == "198.51.100.7"
    # Fewer entries than proxies: the request did not come through them all.
    assert client_address("127.0.0.1", {"x-forwarded-for": "198.51.100.7"}, two) == "127.0.0.1"
    assert client_address("127.0.0.1", {}, HOPS) == "127.0.0.1"


def test_the_forwarded_header_of_rfc_7239():
    trust = ProxyTrust(networks=CIDR.networks, header="forwarded")
    headers = {"forwarded": 'for=6.6.6.6, for="[2001:db8::1]:4711";proto=https, for=10.0.0.5',
               "x-forwarded-for": "9.9.9.9"}
    assert client_address("10.0.0.5", headers, trust) == "2001:db8::1"
    assert client_address("10.0.0.5", {"forwarded": "for=198.51.100.7:8080"}, trust) == "198.51.100.7"


def test_the_trusted_proxy_setting_is_checked():
    assert parse_trusted_proxies("") == ((), 0)
    assert parse_trusted_proxies("2") == ((), 2)
    networks, hops = parse_trusted_proxies("10.0.0.5;192.168.0.0/16")
    assert hops == 0 and [str(n) for n in networks] == ["10.0.0.5/32", "192.168.0.0/16"]
    for bad in ("0", "11", "proxy.local", "10.0.0.300"):
        with pytest.raises(ValueError, match="ENGAGEMENT_TRUSTED_PROXIES"):
            parse_trusted_proxies(bad)


def test_the_settings_read_the_proxy_variables(monkeypatch):
    from engagement.settings import load_settings

    monkeypatch.setenv("ENGAGEMENT_TRUSTED_PROXIES", "10.0.0.0/8")
    monkeypatch.setenv("ENGAGEMENT_FORWARDED_HEADER", "Forwarded")
    s = load_settings()
    assert (s.trusted_proxies, s.trusted_proxy_hops, s.forwarded_header) == (("10.0.0.0/8",), 0, "forwarded")
    monkeypatch.setenv("ENGAGEMENT_FORWARDED_HEADER", "x-real-ip")
    with pytest.raises(ValueError, match="ENGAGEMENT_FORWARDED_HEADER"):
        load_settings()


# --- the growing delay -----------------------------------------------------------------------


def test_the_delay_grows_after_the_free_failures_and_is_capped():
    def wait(n: int) -> timedelta | None:
        return rules.growing_delay([NOW] * n, now=NOW, free=3)

    assert [wait(n) for n in range(3)] == [None, None, None]
    assert [wait(n).total_seconds() for n in (3, 4, 5, 6)] == [1, 2, 4, 8]
    assert wait(30) == rules.MAX_DELAY
    # Counted from the latest failure, within the window only.
    old = [NOW - rules.SLOWDOWN_WINDOW] * 10
    assert rules.growing_delay(old, now=NOW, free=3) is None
    assert rules.growing_delay([NOW - timedelta(seconds=5)] * 4, now=NOW, free=3) is None


def test_the_wait_is_said_in_seconds_then_minutes():
    assert rules.slow_down_msg(timedelta(seconds=1)).render("en") == \
        "Too many failed attempts. Wait 1 second and try again."
    assert "Wait 8 seconds" in rules.slow_down_msg(timedelta(seconds=7.2)).render("en")
    assert "Try again in 2 minutes" in rules.slow_down_msg(timedelta(seconds=90)).render("en")


# --- the socket's front door -----------------------------------------------------------------


def test_a_person_never_meets_the_rate_limit_but_a_flood_does():
    limiter = guard.RateLimiter()
    t = 1000.0
    # A busy person: 10 events a second (typing) for a minute, with bursts of 40 (a page opening).
    for second in range(60):
        for i in range(40 if second % 10 == 0 else 10):
            assert limiter.allow("person", t + second + i / 100)
    # A script: 5,000 events in one second. The burst passes, then about RATE per second.
    passed = sum(limiter.allow("bot", t + i / 5000) for i in range(5000))
    assert guard.BURST <= passed <= guard.BURST + guard.RATE_PER_SECOND + 1
    # Other connections are not affected, and the bot recovers when it slows down.
    assert limiter.allow("someone else", t + 1)
    assert limiter.allow("bot", t + 3)


def test_the_rate_limiter_forgets_old_connections():
    limiter = guard.RateLimiter(max_tracked=3)
    for key in "abcd":
        limiter.allow(key, 0.0)
    assert len(limiter._buckets) == 3 and "a" not in limiter._buckets
    limiter.forget("b")
    assert "b" not in limiter._buckets
