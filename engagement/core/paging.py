"""Paging arithmetic shared by every paged list."""

from __future__ import annotations


def page_count(total: int, page_size: int) -> int:
    """How many pages ``total`` rows fill at ``page_size`` a page (at least one)."""
    return max(1, -(-total // max(1, page_size)))
