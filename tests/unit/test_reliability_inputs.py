"""Issue 17: the id and date parsers, the chain seals and heads, and who counts as a dead holder."""

from __future__ import annotations

import os
import socket
from datetime import UTC, date, datetime

import pytest

from engagement.core import chain, inputs
from engagement.core.errors import Invalid
from engagement.core.i18n import N_
from engagement.jobs.runner import _holder_is_dead

KEY = b"k" * 32
TEXTS = chain.BreakTexts(missing=N_("#{first} to #{last} missing"), unlinked=N_("unlinked"), changed=N_("changed"))


@pytest.mark.parametrize("value, expected", [(1, 1), ("42", 42), (" 7 ", 7), (2**31 - 1, 2**31 - 1)])
def test_an_id_is_a_whole_number_an_id_column_can_hold(value, expected):
    assert inputs.parse_id(value) == expected


@pytest.mark.parametrize("value", [0, -1, 2**31, 2**63, "x", "", None, True, 1.0, "1e3", "٣", "１", [1], "9" * 13])
def test_anything_else_is_refused_with_one_message(value):
    with pytest.raises(Invalid) as refused:
        inputs.parse_id(value, N_("unit"))
    assert refused.value.render("en") == "Choose a unit from the list."
    assert inputs.id_or_none(value) is None


def test_a_date_outside_1900_to_2200_is_refused_naming_the_field():
    assert inputs.bounded_day(date(2026, 12, 31)) == date(2026, 12, 31)
    with pytest.raises(Invalid) as refused:
        inputs.bounded_day(date(9999, 12, 31), N_("due date"), field="due_on")
    assert refused.value.render("en") == "The due date must be a date from 1900 to 2200; check the year."
    assert refused.value.render_fields("en") == {"due_on": "Between 1900 and 2200"}


def _links(n: int) -> list[chain.ChainLink]:
    out, prev = [], chain.GENESIS_HASH
    for seq in range(1, n + 1):
        payload = f"record {seq}"
        digest = chain.chain_hash(prev, payload)
        link = chain.ChainLink(seq=seq, code=digest[:16], prev_hash=prev, content_hash=digest, payload=payload)
        fields = chain.link_fields("test", link)
        out.append(chain.ChainLink(**{**link.__dict__, "seal": chain.seal(KEY, fields), "sealed": fields}))
        prev = digest
    return out


def test_a_sealed_chain_holds_and_a_reseal_without_the_key_does_not():
    links = _links(3)
    assert chain.find_breaks(links, texts=TEXTS, key=KEY) == []
    forged = chain.ChainLink(**{**links[1].__dict__, "sealed": {**links[1].sealed, "extra": 1}})
    [problem] = chain.find_breaks([links[0], forged, links[2]], texts=TEXTS, key=KEY)
    assert problem.seq == 2 and "seal does not match" in problem.problem
    unsealed = chain.ChainLink(**{**links[0].__dict__, "seal": ""})
    assert "not sealed" in chain.find_breaks([unsealed], texts=TEXTS, key=KEY)[0].problem
    assert chain.find_breaks([unsealed], texts=TEXTS) == []  # without a key: hashes only


def test_a_head_shows_the_newest_links_deleted_or_the_chain_rewritten():
    links = _links(4)
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    head = chain.make_head(KEY, kind="test", count=4, last_hash=links[-1].content_hash, now=now)
    assert chain.check_head(KEY, head, links, texts=TEXTS) == []
    assert "counted 4: the newest were deleted" in chain.check_head(KEY, head, links[:3], texts=TEXTS)[0]
    other = _links(5)
    other[3] = chain.ChainLink(**{**other[3].__dict__, "content_hash": "f" * 64})
    assert "was rewritten" in chain.check_head(KEY, head, other, texts=TEXTS)[0]
    moved = chain.ChainHead(kind="test", count=3, last_hash=links[2].content_hash, at=head.at, seal=head.seal)
    assert "not sealed with this installation's key" in chain.check_head(KEY, moved, links, texts=TEXTS)[0]
    assert chain.head_from(head.as_dict()) == head
    assert chain.head_from({"kind": "x"}) is None and chain.head_from("nonsense") is None


def test_only_a_gone_process_of_this_host_counts_as_a_dead_holder():
    host = socket.gethostname()[:60]
    assert _holder_is_dead(f"{host}:{os.getpid()}:abc#run") is False  # this very process
    assert _holder_is_dead(f"{host}:1:abc") is False  # pid 1 lives
    assert _holder_is_dead("another-host:999999:abc") is False
    assert _holder_is_dead("manual:admin#abc") is False
    assert _holder_is_dead(f"{host}:4194999:abc#x") is True  # beyond any pid in use
