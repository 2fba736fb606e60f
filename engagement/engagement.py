"""Builds the Reflex app: theme, pages, and the models Reflex's migration commands see."""

from __future__ import annotations

import reflex as rx

# Importing the schema puts every table on SQLModel.metadata, which is also the metadata of
# the base model Reflex registers: `reflex db makemigrations / migrate` see the whole schema.
from engagement import schema  # noqa: F401
from engagement.commendations import pages as commendations_pages
from engagement.commitments import pages as commitments_pages
from engagement.good_models import pages as good_models_pages
from engagement.green import pages as green_pages
from engagement.jobs import pages as jobs_pages
from engagement.jobs import runner as jobs_runner
from engagement.notify import pages as notify_pages
from engagement.org import pages as org_pages
from engagement.recognition import pages as recognition_pages
from engagement.review import pages as review_pages
from engagement.scoring import pages as scoring_pages
from engagement.settings import get_settings
from engagement.supervision import pages as supervision_pages
from engagement.ui import files as ui_files
from engagement.ui import guard as ui_guard
from engagement.ui import http as ui_http
from engagement.ui import pages as ui_pages
from engagement.ui.auth import protect_state_files

app = rx.App(
    # Authorised routes (evidence files) outside Reflex's public upload folder; then the
    # security headers (CSP, frame-ancestors, nosniff...) on every HTTP response.
    api_transformer=[ui_files.build_api(), ui_http.security_headers],
    stylesheets=["/styles.css"],
    # The organisation's language; a tab in another language sets it when its page loads.
    html_lang=get_settings().language,
    head_components=[rx.el.meta(name="viewport", content="width=device-width, initial-scale=1")],
)

# Tab states (pickled by Reflex, session token included) are for the app's own user only.
protect_state_files()

ui_pages.add_pages(app)
org_pages.add_pages(app)
commitments_pages.add_pages(app)
recognition_pages.add_pages(app)
notify_pages.add_pages(app)
scoring_pages.add_pages(app)
green_pages.add_pages(app)
jobs_pages.add_pages(app)
commendations_pages.add_pages(app)
supervision_pages.add_pages(app)
good_models_pages.add_pages(app)
review_pages.add_pages(app)

# The scheduler (reminders, e-mail) runs inside the app; a database lease keeps it to one worker.
app.register_lifespan_task(jobs_runner.lifespan)
# The socket's front door (issue 18): a per-connection event rate limit, and forged setvar /
# socket-sent upload events refused with one log line.
app.register_lifespan_task(ui_guard.install)
