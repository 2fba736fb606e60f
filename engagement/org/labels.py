"""What the organisation pages call stored codes: unit kinds, unit history, audit actions.

The database keeps codes (``office``, ``unit.renamed``); the reader sees these labels, in
their language (pages: ``t_match(code, LABELS)``; queries: ``label(LABELS, code)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engagement.core.i18n import N_, Msg

#: The kinds of unit (``service.UNIT_KINDS``).
UNIT_KIND_LABELS: dict[str, Msg] = {
    "province": N_("Province"),
    "department": N_("Department"),
    "commune": N_("Commune"),
    "office": N_("Office"),
    "centre": N_("Centre"),
    "other": N_("Other"),
}

#: The lines of a unit's history (``UnitEvent.kind``).
UNIT_EVENT_LABELS: dict[str, Msg] = {
    "created": N_("Unit created"),
    "renamed": N_("Unit renamed"),
    "moved": N_("Unit moved"),
    "deactivated": N_("Unit deactivated"),
    "reactivated": N_("Unit reactivated"),
}

#: What a unit's history stores for "no parent" (shown translated, stored as it always was).
TOP_LEVEL = "(top level)"
TOP_LEVEL_LABEL = N_("(top level)")

#: Every action the audit log records, across the features.
AUDIT_ACTION_LABELS: dict[str, Msg] = {
    "account.bootstrap_admin": N_("First administrator created"),
    "account.change_password": N_("Password changed"),
    "account.create": N_("Account created"),
    "account.disable": N_("Login disabled"),
    "account.enable": N_("Login enabled"),
    "account.reset_password": N_("Password reset"),
    "branch.create": N_("Branch created"),
    "commitment.clarify": N_("Clarification asked on a commitment"),
    "commitment.countersign": N_("Collective commitment countersigned"),
    "commitment.decline": N_("Commitment declined"),
    "commitment.record_paper": N_("Paper commitment recorded"),
    "commitment.remind": N_("Reminder to sign sent now"),
    "commitment.sign": N_("Commitment signed"),
    "commitment.sign_collective": N_("Collective commitment signed"),
    "commitment_campaign.close": N_("Commitment campaign closed"),
    "commitment_campaign.create": N_("Commitment campaign created"),
    "commitment_campaign.open": N_("Commitment campaign opened"),
    "commitment_exception.set": N_("Commitment exception set"),
    "commitment_template.publish": N_("Commitment template published"),
    "green.activity.approve": N_("Green activity approved"),
    "green.activity.log": N_("Green activity logged"),
    "green.activity.reject": N_("Green activity rejected"),
    "green.activity.revoke": N_("Green activity approval revoked"),
    "green.assessment.submit": N_("Office self-assessment recorded"),
    "green.campaign.create": N_("Green campaign created"),
    "green.campaign.end": N_("Green campaign ended"),
    "green.campaign.update": N_("Green campaign updated"),
    "green.roster.cancel": N_("Duty roster cancelled"),
    "green.roster.create": N_("Duty roster created"),
    "green.roster.replace": N_("Duty handed over"),
    "green.target.set": N_("Green campaign target set"),
    "group.add_unit": N_("Unit added to a group"),
    "group.create": N_("Unit group created"),
    "group.remove_unit": N_("Unit removed from a group"),
    "notify.preference": N_("Notification settings changed"),
    "notify.retry": N_("Message sent again"),
    "notify.run_now": N_("Job run now"),
    "person.create": N_("Person created"),
    "person.deactivate": N_("Person deactivated"),
    "person.import": N_("Staff imported"),
    "person.reactivate": N_("Person reactivated"),
    "person.update": N_("Person updated"),
    "points.adjust": N_("Points adjusted"),
    "recognition.give": N_("Recognition given"),
    "recognition.revoke": N_("Recognition revoked"),
    "recognition.value_active": N_("Value retired or brought back"),
    "recognition.value_add": N_("Value added"),
    "recognition.values_defaults": N_("Default values added"),
    "role.grant": N_("Role granted"),
    "role.revoke": N_("Role revoked"),
    "scoring.criteria": N_("Emulation criteria published"),
    "scoring.display.create": N_("Lobby screen link created"),
    "scoring.display.revoke": N_("Lobby screen link revoked"),
    "scoring.options": N_("Leaderboard options changed"),
    "thanks.counter": N_("Service counter added"),
    "thanks.links": N_("Thank-you links created"),
    "thanks.moderate": N_("Citizens' thanks moderated"),
    "thanks.submit": N_("Citizens' thanks received"),
    "thanks.undo": N_("Rejection of a citizen's note undone"),
    "unit.created": N_("Unit created"),
    "unit.deactivated": N_("Unit deactivated"),
    "unit.moved": N_("Unit moved"),
    "unit.reactivated": N_("Unit reactivated"),
    "unit.renamed": N_("Unit renamed"),
}

#: The kinds of record an audit entry names.
AUDIT_ENTITY_LABELS: dict[str, Msg] = {
    "account": N_("Account"),
    "branch": N_("Branch"),
    "citizen_thanks": N_("Citizens' thanks"),
    "commitment_campaign": N_("Commitment campaign"),
    "commitment_signature": N_("Commitment signature"),
    "commitment_template": N_("Commitment template"),
    "green_activity": N_("Green activity"),
    "green_campaign": N_("Green campaign"),
    "green_campaign_unit": N_("Green campaign target"),
    "green_roster": N_("Duty roster"),
    "job": N_("Job"),
    "outbox_message": N_("Outgoing message"),
    "person": N_("Person"),
    "recognition": N_("Recognition"),
    "recognition_value": N_("Value"),
    "score_display": N_("Lobby screen"),
    "scoring_criteria": N_("Emulation criteria"),
    "scoring_options": N_("Leaderboard options"),
    "thanks_link": N_("Thank-you link"),
    "unit": N_("Unit"),
    "unit_group": N_("Unit group"),
}


def label(labels: Mapping[str, Msg], code: str) -> str:
    """The label of ``code`` in the current language; an unknown code is shown as it is."""
    found = labels.get(code)
    return found.render() if found is not None else code


# --- telling units and people apart ---------------------------------------------------------
#
# Eight units may be called "Văn phòng Sở": a unit is always shown with its parent
# ("Văn phòng Sở · Sở Tài chính") and a person with their unit so labelled. Units directly
# under the top of the tree are shown alone (their parent is the whole organisation). Every
# picker, list and export builds its labels with these functions.

UNIT_SEPARATOR = " · "
PERSON_SEPARATOR = " — "


def unit_label(name: str, parent_name: str | None = None) -> str:
    """``Văn phòng Sở · Sở Tài chính``: the unit and its parent (alone when it has none shown)."""
    return f"{name}{UNIT_SEPARATOR}{parent_name}" if parent_name else name


def person_label(full_name: str, unit: str) -> str:
    """``Vũ Thu Hoa — Văn phòng Sở · Sở Tài chính`` (``unit`` as ``unit_label`` wrote it)."""
    return f"{full_name}{PERSON_SEPARATOR}{unit}" if unit else full_name


def shown_parent() -> Any:
    """The parent whose name a unit's label carries, for a query: ``outerjoin`` it on
    ``shown_parent_on(Unit)`` and select its ``name`` (None for units under the top)."""
    from sqlalchemy.orm import aliased

    from engagement.org.models import Unit

    return aliased(Unit, name="shown_parent")


def shown_parent_on(parent: Any, unit: Any) -> Any:
    """The join condition of ``shown_parent()``: the unit's parent, unless that is the top unit."""
    return (parent.id == unit.parent_id) & parent.parent_id.is_not(None)


def unit_labels(session: Any, unit_ids: Iterable[int]) -> dict[int, str]:
    """The labels of the units ``unit_ids`` (one statement), by id."""
    from sqlmodel import select

    from engagement.org.models import Unit

    ids = sorted({int(i) for i in unit_ids if i})
    if not ids:
        return {}
    parent = shown_parent()
    rows = session.exec(select(Unit.id, Unit.name, parent.name).outerjoin(parent, shown_parent_on(parent, Unit))
                        .where(Unit.id.in_(ids))).all()
    return {uid: unit_label(name, parent_name) for uid, name, parent_name in rows}


def tree_labels(rows: Iterable[Any]) -> dict[int, str]:
    """The labels of a unit tree already read (``org.dto.UnitRow``: id, name, parent_id), by id."""
    by_id = {r.id: r for r in rows}
    out: dict[int, str] = {}
    for r in by_id.values():
        parent = by_id.get(r.parent_id) if r.parent_id else None
        shown = parent if parent is not None and parent.parent_id else None
        out[r.id] = unit_label(r.name, shown.name if shown is not None else None)
    return out
