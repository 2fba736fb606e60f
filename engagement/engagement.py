"""Builds the Reflex app: theme, pages, and the models Reflex's migration commands see."""

from __future__ import annotations

import reflex as rx
from sqlmodel import SQLModel

from engagement import schema  # noqa: F401  (registers every table)
from engagement.org import pages as org_pages
from engagement.ui import pages as ui_pages

# `reflex db makemigrations` reads Reflex's model registry; plain SQLModel tables are not
# registered automatically (rx.Model is deprecated). Every table shares SQLModel.metadata,
# so registering one model hands Reflex the whole schema.
rx.ModelRegistry.register(next(iter(SQLModel._sa_registry.mappers)).class_)

app = rx.App(
    stylesheets=["/styles.css"],
    head_components=[rx.el.meta(name="viewport", content="width=device-width, initial-scale=1")],
)

ui_pages.add_pages(app)
org_pages.add_pages(app)
