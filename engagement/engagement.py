"""Builds the Reflex app: theme, pages, and the models Reflex's migration commands see."""

from __future__ import annotations

import reflex as rx

# Importing the schema puts every table on SQLModel.metadata, which is also the metadata of
# the base model Reflex registers: `reflex db makemigrations / migrate` see the whole schema.
from engagement import schema  # noqa: F401
from engagement.cluster import takeover as cluster_takeover
from engagement.commendations import pages as commendations_pages
from engagement.commitments import pages as commitments_pages
from engagement.good_models import pages as good_models_pages
from engagement.green import pages as green_pages
from engagement.jobs import pages as jobs_pages
from engagement.jobs import runner as jobs_runner
from engagement.notify import pages as notify_pages
from engagement.org import pages as org_pages
from engagement.recognition import device_route as recognition_devices
from engagement.recognition import pages as recognition_pages
from engagement.review import pages as review_pages
from engagement.scoring import pages as scoring_pages
from engagement.settings import get_settings
from engagement.supervision import pages as supervision_pages
from engagement.ui import files as ui_files
from engagement.ui import guard as ui_guard
from engagement.ui import http as ui_http
from engagement.ui import pages as ui_pages
from engagement.ui import session_route as ui_session
from engagement.ui.auth import protect_state_files
from engagement.ui.body_limit import cap_upload_bodies

app = rx.App(
    # Authorised routes (evidence files) outside Reflex's public upload folder; a cap on an
    # upload's body before Reflex parses it; then the security headers (CSP, frame-ancestors,
    # nosniff...) on every HTTP response, the cap's refusals included.
    # The session cookie's routes (/_session/...: it is HttpOnly, so only HTTP sets and clears it).
    # The counter device's enrolment route (/thanks-device/...: its cookie is HttpOnly too).
    api_transformer=[ui_files.build_api(), ui_session.build_api(), recognition_devices.build_api(), cap_upload_bodies,
                     ui_http.security_headers],
    stylesheets=["/styles.css"],
    # The organisation's language; a tab in another language sets it when its page loads.
    html_lang=get_settings().language,
    head_components=[rx.el.meta(name="viewport", content="width=device-width, initial-scale=1")],
)

# The socket reads the session cookie from its handshake and keeps only the token's hash in the
# router data Reflex pickles with each tab's state (issue 18 §4).
ui_session.install_socket_reader()
# Likewise the counter device's cookie: only its hash reaches the thanks page's state (issue 16).
recognition_devices.install_device_reader()
# Tab states (pickled by Reflex: personal page data) are for the app's own user only; on disk
# only when chosen (ENGAGEMENT_TAB_STATE=disk: memory or Redis otherwise, issue 19).
if get_settings().tab_state == "disk":
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
# Several processes (issue 19): a tab whose process died keeps its token and state on another.
app.register_lifespan_task(cluster_takeover.install)
