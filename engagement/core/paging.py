"""Paging arithmetic shared by every paged list."""

from __future__ import annotations

from dataclasses import dataclass


def page_count(total: int, page_size: int) -> int:
    """How many pages ``total`` rows fill at ``page_size`` a page (at least one)."""
    return max(1, -(-total // max(1, page_size)))


@dataclass(frozen=True)
class Page:
    """Where a page of a longer list stands: the total, this page, its size, how many pages.

    Paged DTOs extend it with their ``rows`` (and any counts of their own).
    """

    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return page_count(self.total, self.page_size)
