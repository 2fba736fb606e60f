"""Reflex configuration. Settings come from engagement.settings (environment variables)."""

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from engagement.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="engagement",
    db_url=_settings.database_url,
    redis_url=_settings.redis_url,
    # The default accepts a socket from any Origin; list the real ones.
    cors_allowed_origins=list(_settings.cors_origins),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=_settings.port,
    backend_port=_settings.port,
    default_color_mode="system",
    # Tab state chosen on purpose (issue 19): in memory for one worker (Reflex's default, disk,
    # kept ~7 files a tab and scanned them every 2 s), in Redis for several; forgotten after
    # ENGAGEMENT_TAB_STATE_MINUTES idle (the memory manager reads the same expiry). With Redis,
    # a tab's lock expires after ENGAGEMENT_STATE_LOCK_MS (a dead worker's tabs wait no longer)
    # and holding it over ENGAGEMENT_STATE_LOCK_WARNING_MS is logged: page loads and list
    # paging run in the background and let go of it during database work (ui.auth._trip).
    state_manager_mode=_settings.tab_state,
    redis_token_expiration=_settings.tab_state_minutes * 60,
    redis_lock_expiration=_settings.state_lock_ms,
    redis_lock_warning_threshold=_settings.state_lock_warning_ms,
    disable_plugins=[SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="green", gray_color="sage", radius="medium")
        ),
    ],
)
