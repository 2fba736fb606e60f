"""Route builders and the same-site check that keeps redirects and message links on this site."""

from __future__ import annotations

import pytest

from engagement.core import routes


@pytest.mark.parametrize("link", ["//evil.example", "/\\evil.example", "https://evil.example/x", "javascript:x",
                                  "evil.example", "/a\nb", "", None, 5])
def test_links_off_this_site_are_dropped(link):
    assert routes.same_site(link) == ""


def test_a_path_on_this_site_is_kept_and_bounded():
    assert routes.same_site(" /green?x=1 ") == "/green?x=1"
    assert len(routes.same_site("/" + "a" * 500)) == 300


def test_builders_make_the_paths_the_pages_are_registered_at():
    assert routes.sign(7) == "/commitments/sign/7"
    assert routes.recognition_person(12) == routes.RECOGNITION_PERSON + "/12"
    assert routes.screen("abc") == routes.SCREEN + "?k=abc"
    with pytest.raises(ValueError):
        routes.sign("7; drop")
