"""What the organisation pages call stored codes: unit kinds, unit history, audit actions.

The database keeps codes (``office``, ``unit.renamed``); the reader sees these labels, in
their language (pages: ``t_match(code, LABELS)``; queries: ``label(LABELS, code)``).
"""

from __future__ import annotations

from collections.abc import Mapping

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
