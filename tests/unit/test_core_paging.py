"""Page counts."""

import pytest

from engagement.core.paging import page_count


@pytest.mark.parametrize(("total", "size", "pages"), [(0, 25, 1), (1, 25, 1), (25, 25, 1), (26, 25, 2), (100, 10, 10)])
def test_page_count(total, size, pages):
    assert page_count(total, size) == pages
