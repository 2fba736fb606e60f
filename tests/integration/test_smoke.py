from engagement.org import queries
from tests import factories as f


def test_bootstrap_admin_sees_root_unit(session, now):
    actor = f.admin(session, now)
    tree = queries.unit_tree(session, actor=actor)
    assert [u.code for u in tree] == ["ROOT"]
