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
    disable_plugins=[SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="green", gray_color="sage", radius="medium")
        ),
    ],
)
