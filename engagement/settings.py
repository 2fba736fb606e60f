"""Every setting of the application, read once from the environment.

Nothing else in the code base reads ``os.environ`` for application behaviour, so this
module is the single place to see what can be configured.
"""

from __future__ import annotations

import functools
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def _int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        msg = f"Setting {name} must be a whole number, got {raw!r}"
        raise ValueError(msg) from exc


def _days(name: str, default: int, *, low: int, high: int) -> int | None:
    """A number of days from a setting, or None for ``off`` (the feature turned off)."""
    raw = _env(name, str(default))
    if raw.lower() == "off":
        return None
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        msg = f"Setting {name} must be a whole number of days from {low} to {high}, or off; got {raw!r}"
        raise ValueError(msg)
    return int(raw)


SMTP_SECURITY = ("starttls", "ssl", "none")

#: The interface languages: English is the source text, every other one has a catalogue in
#: ``engagement/locale/<code>/LC_MESSAGES/messages.po`` (README "Languages" says how to add one).
LANGUAGES = ("vi", "en")


def _language() -> str:
    raw = _env("ENGAGEMENT_LANGUAGE", "vi").lower()
    if raw not in LANGUAGES:
        msg = f"Setting ENGAGEMENT_LANGUAGE must be one of {', '.join(LANGUAGES)}, got {raw!r}"
        raise ValueError(msg)
    return raw


def _smtp_security() -> str:
    raw = os.environ.get("ENGAGEMENT_SMTP_SECURITY", "").strip()
    if not raw:
        # ENGAGEMENT_SMTP_TLS=0, the older setting, still means "no TLS".
        tls = _env("ENGAGEMENT_SMTP_TLS", "1").lower() not in {"0", "false", "no"}
        return "starttls" if tls else "none"
    if raw.lower() not in SMTP_SECURITY:
        msg = f"Setting ENGAGEMENT_SMTP_SECURITY must be starttls, ssl or none, got {raw!r}"
        raise ValueError(msg)
    return raw.lower()


def _ca_file() -> str | None:
    raw = os.environ.get("ENGAGEMENT_SMTP_CA_FILE", "").strip()
    if raw and not Path(raw).is_file():
        msg = f"Setting ENGAGEMENT_SMTP_CA_FILE names no readable file: {raw!r}"
        raise ValueError(msg)
    return raw or None


def _positive(name: str, default: int) -> int:
    value = _int(name, default)
    if value < 1:
        msg = f"Setting {name} must be at least 1, got {value!r}"
        raise ValueError(msg)
    return value


def _backup_dir(database_url: str) -> str:
    """``ENGAGEMENT_BACKUP_DIR``, else ``backups/`` beside a SQLite file (the data directory),
    else ``backups/`` in the project folder."""
    raw = _env("ENGAGEMENT_BACKUP_DIR", "")
    if raw:
        return str(Path(raw).expanduser().absolute())
    path = database_url.split("///", 1)[1].split("?", 1)[0] if database_url.startswith("sqlite:///") else ""
    base = Path(path).absolute().parent if path and path != ":memory:" else PROJECT_ROOT
    return str(base / "backups")


@dataclass(frozen=True)
class Settings:
    """Typed application settings."""

    database_url: str
    redis_url: str | None
    cors_origins: tuple[str, ...]
    timezone: str
    session_hours: int
    org_name: str
    port: int
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_tls: bool
    mail_from: str
    #: Keys the hashes of citizens' network addresses; empty: a random one kept in the database.
    secret_key: str = ""
    #: ``starttls`` (upgrade on the submission port), ``ssl`` (implicit TLS, port 465) or ``none``.
    smtp_security: str = "starttls"
    #: A PEM file of CA certificates to trust for the mail server (a private CA).
    smtp_ca_file: str | None = None
    # Notifications (issue 7): quiet hours and holidays in the organisation's local time.
    quiet_hours: str = "20:00-07:00"
    holidays: str = ""
    mail_max_attempts: int = 6
    scheduler_embedded: bool = True
    public_url: str = ""
    commitment_reminders: str = "every=3,before=3,overdue=3"
    # Nudges (issue 7); None = off.
    allowance_nudge_days: int | None = 3
    green_idle_days: int | None = 14
    green_closing_days: int | None = 3
    outbox_retention_days: int = 180
    #: Where the daily backup job writes (``ENGAGEMENT_BACKUP_DIR``; README "Backups"), and
    #: how many of its backups it keeps (``ENGAGEMENT_BACKUP_KEEP``).
    backup_dir: str = ""
    backup_keep: int = 14
    #: The organisation's interface language (a person's own choice overrides it).
    language: str = "vi"
    #: Seals the signature and decision chains (issue 17); empty: a key file (``chain_key_file``).
    chain_key: str = ""
    #: Where the chain key file is kept; empty: next to the SQLite database, else ``data/``.
    chain_key_file: str = ""
    #: Reverse proxies whose forwarded header is believed (issue 18): addresses/networks, or
    #: ``trusted_proxy_hops`` proxies in front; neither: forwarded headers are ignored.
    trusted_proxies: tuple[str, ...] = ()
    trusted_proxy_hops: int = 0
    #: ``x-forwarded-for`` or ``forwarded`` (RFC 7239): the header the proxies write.
    forwarded_header: str = "x-forwarded-for"
    #: Threads for blocking database work (``core.db.run_blocking``): page reads and service
    #: calls never queue behind argon2 or anything else in asyncio's default pool.
    db_threads: int = 8
    #: Where Reflex keeps each tab's state: ``memory`` (one worker), ``redis`` (several workers,
    #: ``REFLEX_REDIS_URL``) or ``disk`` (survives a restart; ~7 files a tab, scanned every 2 s).
    tab_state: str = "memory"
    #: A tab's state is forgotten this long after its last event (the login is not: a tab
    #: coming back later loads its page again).
    tab_state_minutes: int = 60
    #: With Redis, how long an event may hold a tab's lock before another worker may take it
    #: (a dead worker's tabs wait at most this), and when holding it is logged as too long.
    state_lock_ms: int = 6000
    state_lock_warning_ms: int = 1000

    @property
    def tz(self) -> ZoneInfo:
        """The organisation's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (the embedded default)."""
        return self.database_url.startswith("sqlite")


#: The headers a proxy may use; the setting ``ENGAGEMENT_FORWARDED_HEADER`` picks one.
FORWARDED_HEADERS = ("x-forwarded-for", "forwarded")


def parse_trusted_proxies(raw: str) -> tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], int]:
    """``ENGAGEMENT_TRUSTED_PROXIES`` as (networks, hops).

    Raises:
        ValueError: not a hop count from 1 to 10, nor a list of addresses/networks.
    """
    text = (raw or "").strip()
    if not text:
        return (), 0
    if text.isdigit():
        hops = int(text)
        if not 1 <= hops <= 10:
            msg = f"Setting ENGAGEMENT_TRUSTED_PROXIES as a hop count must be from 1 to 10, got {text!r}"
            raise ValueError(msg)
        return (), hops
    networks = []
    for part in text.replace(";", ",").split(","):
        item = part.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            msg = (f"Setting ENGAGEMENT_TRUSTED_PROXIES must be a hop count or addresses/networks "
                   f"(e.g. 10.0.0.5, 172.16.0.0/12); {item!r} is neither")
            raise ValueError(msg) from None
    return tuple(networks), 0


def _trusted_proxies() -> tuple[tuple[str, ...], int]:
    networks, hops = parse_trusted_proxies(os.environ.get("ENGAGEMENT_TRUSTED_PROXIES", ""))
    return tuple(str(n) for n in networks), hops


def _forwarded_header() -> str:
    raw = _env("ENGAGEMENT_FORWARDED_HEADER", "x-forwarded-for").lower()
    if raw not in FORWARDED_HEADERS:
        msg = f"Setting ENGAGEMENT_FORWARDED_HEADER must be one of {', '.join(FORWARDED_HEADERS)}, got {raw!r}"
        raise ValueError(msg)
    return raw


#: The places a tab's state can be kept (``ENGAGEMENT_TAB_STATE``).
TAB_STATES = ("memory", "redis", "disk")


def _db_threads() -> int:
    """``ENGAGEMENT_DB_THREADS``, else 4 a core (the threads mostly wait on the database), 4 to 16."""
    default = min(16, max(4, 4 * (os.cpu_count() or 1)))
    value = _int("ENGAGEMENT_DB_THREADS", default)
    if not 1 <= value <= 256:
        msg = f"Setting ENGAGEMENT_DB_THREADS must be from 1 to 256, got {value!r}"
        raise ValueError(msg)
    return value


def _tab_state(redis_url: str | None) -> str:
    raw = _env("ENGAGEMENT_TAB_STATE", "redis" if redis_url else "memory").lower()
    if raw not in TAB_STATES:
        msg = f"Setting ENGAGEMENT_TAB_STATE must be one of {', '.join(TAB_STATES)}, got {raw!r}"
        raise ValueError(msg)
    if raw == "redis" and not redis_url:
        msg = "Setting ENGAGEMENT_TAB_STATE=redis needs REFLEX_REDIS_URL (the Redis server's address)"
        raise ValueError(msg)
    return raw


def _tab_state_minutes() -> int:
    value = _int("ENGAGEMENT_TAB_STATE_MINUTES", 60)
    if not 5 <= value <= 24 * 60:
        msg = f"Setting ENGAGEMENT_TAB_STATE_MINUTES must be from 5 to 1440, got {value!r}"
        raise ValueError(msg)
    return value


def _state_lock() -> tuple[int, int]:
    lock = _int("ENGAGEMENT_STATE_LOCK_MS", 6000)
    warning = _int("ENGAGEMENT_STATE_LOCK_WARNING_MS", 1000)
    if not 1000 <= lock <= 120_000 or not 1 <= warning < lock:
        msg = (f"Settings ENGAGEMENT_STATE_LOCK_MS (1000 to 120000, got {lock}) and "
               f"ENGAGEMENT_STATE_LOCK_WARNING_MS (at least 1 and under the lock, got {warning}) are out of range")
        raise ValueError(msg)
    return lock, warning


def load_settings() -> Settings:
    """Read settings from the environment (no caching; see ``get_settings``)."""
    port = _int("ENGAGEMENT_PORT", 3000)
    default_origins = f"http://localhost:{port},http://127.0.0.1:{port}"
    origins = tuple(
        o.strip() for o in _env("ENGAGEMENT_CORS_ORIGINS", default_origins).split(",") if o.strip()
    )
    tz = _env("ENGAGEMENT_TIMEZONE", "Asia/Ho_Chi_Minh")
    ZoneInfo(tz)  # fail at start-up, not at the first page that shows a date
    security = _smtp_security()
    proxies, hops = _trusted_proxies()
    lock_ms, lock_warning_ms = _state_lock()
    return Settings(
        database_url=_env("ENGAGEMENT_DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'engagement.db'}"),
        redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
        cors_origins=origins,
        timezone=tz,
        session_hours=_int("ENGAGEMENT_SESSION_HOURS", 12),
        org_name=_env("ENGAGEMENT_ORG_NAME", "Tỉnh Demo"),
        port=port,
        smtp_host=os.environ.get("ENGAGEMENT_SMTP_HOST") or None,
        smtp_port=_int("ENGAGEMENT_SMTP_PORT", 587),
        smtp_user=os.environ.get("ENGAGEMENT_SMTP_USER") or None,
        smtp_password=os.environ.get("ENGAGEMENT_SMTP_PASSWORD") or None,
        smtp_tls=security != "none",
        smtp_security=security,
        smtp_ca_file=_ca_file(),
        mail_from=_env("ENGAGEMENT_MAIL_FROM", "engagement@localhost"),
        secret_key=os.environ.get("ENGAGEMENT_SECRET_KEY", ""),
        quiet_hours=_env("ENGAGEMENT_QUIET_HOURS", "20:00-07:00"),
        holidays=_env("ENGAGEMENT_HOLIDAYS", ""),
        mail_max_attempts=_int("ENGAGEMENT_MAIL_MAX_ATTEMPTS", 6),
        scheduler_embedded=_env("ENGAGEMENT_SCHEDULER", "embedded") != "off",
        # The one public address for links that leave the app (e-mails, printed QR codes,
        # signature PDFs, lobby screens): the setting, else the first allowed origin.
        public_url=_env("ENGAGEMENT_PUBLIC_URL", origins[0] if origins else f"http://localhost:{port}").rstrip("/"),
        commitment_reminders=_env("ENGAGEMENT_COMMITMENT_REMINDERS", "every=3,before=3,overdue=3"),
        allowance_nudge_days=_days("ENGAGEMENT_ALLOWANCE_NUDGE_DAYS", 3, low=1, high=20),
        green_idle_days=_days("ENGAGEMENT_GREEN_IDLE_DAYS", 14, low=1, high=365),
        green_closing_days=_days("ENGAGEMENT_GREEN_CLOSING_DAYS", 3, low=0, high=60),
        outbox_retention_days=_positive("ENGAGEMENT_OUTBOX_RETENTION_DAYS", 180),
        backup_dir=_backup_dir(_env("ENGAGEMENT_DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'engagement.db'}")),
        backup_keep=_positive("ENGAGEMENT_BACKUP_KEEP", 14),
        language=_language(),
        chain_key=os.environ.get("ENGAGEMENT_CHAIN_KEY", "").strip(),
        chain_key_file=os.environ.get("ENGAGEMENT_CHAIN_KEY_FILE", "").strip(),
        trusted_proxies=proxies,
        trusted_proxy_hops=hops,
        forwarded_header=_forwarded_header(),
        db_threads=_db_threads(),
        tab_state=_tab_state(os.environ.get("REFLEX_REDIS_URL") or None),
        tab_state_minutes=_tab_state_minutes(),
        state_lock_ms=lock_ms,
        state_lock_warning_ms=lock_warning_ms,
    )


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return load_settings()
