"""The page of the movement's review report: choose the period, download the PDF or the workbook."""

from __future__ import annotations

import reflex as rx

from engagement.core import routes
from engagement.core.i18n import N_
from engagement.review import rules
from engagement.review.state import ReviewState
from engagement.ui.components import card, error_callout, field, page_title
from engagement.ui.i18n import t
from engagement.ui.kit import private_page
from engagement.ui.layout import shell


def review_page() -> rx.Component:
    """Officers download the movement's review report for a period."""
    s = ReviewState
    return shell(
        page_title(t("Review report of the movement"),
                   t("Figures from every part of the app for a period, by unit group, compared with the previous "
                     "period of the same length")),
        card(rx.form(rx.vstack(
            rx.el.label(rx.vstack(
                rx.text(t("Period"), size="2", weight="medium"),
                rx.el.select(rx.foreach(s.kinds, lambda o: rx.el.option(o.label, value=o.value)), name="kind",
                             value=s.kind, on_change=s.choose_kind, class_name="native-select"),
                spacing="1", align="stretch"), style={"display": "block", "maxWidth": "420px"}),
            rx.cond(s.kind == rules.YEAR, field(t("Year"), "year", type="number", default_value=s.this_year,
                                                required=True)),
            rx.cond(s.kind == rules.CUSTOM, rx.grid(
                field(t("First day"), "start", type="date", required=True),
                field(t("Last day"), "end", type="date", required=True), columns="2", spacing="3", width="100%")),
            rx.cond(s.kind == rules.PLAN, rx.text(t("1 January 2019 to 31 December 2025"), size="2")),
            rx.cond(s.kind == rules.MIDTERM, rx.text(t("1 January 2019 to 30 June 2022"), size="2")),
            rx.el.label(rx.vstack(
                rx.text(t("Format"), size="2", weight="medium"),
                rx.el.select(rx.el.option(t("PDF (to print and sign)"), value="pdf"),
                             rx.el.option(t("XLSX (to work on the figures)"), value="xlsx"), name="fmt",
                             class_name="native-select"),
                spacing="1", align="stretch"), style={"display": "block", "maxWidth": "420px"}),
            error_callout(s.error),
            rx.button(rx.icon("download", size=16), t("Download the report"), type="submit", loading=s.busy,
                      width="fit-content", id="review-download"),
            rx.text(t("The report is written in the organisation's language. Each unit counts its sub-units."),
                    size="1", color_scheme="gray"),
            spacing="3", align="stretch", width="100%"), on_submit=s.download)),
    )


def add_pages(app: rx.App) -> None:
    """Register the review page."""
    private_page(app, review_page, route=routes.REVIEW, title=N_("Review report of the movement"),
                 load=ReviewState.load)
