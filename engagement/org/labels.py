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
    "chain.head": N_("Chain head published"),
    "chain.seal_existing": N_("Existing records sealed into the chain"),
    "commendations.award.add": N_("Award recorded"),
    "commendations.award.import": N_("Awards imported"),
    "commendations.award.revoke": N_("Award revoked"),
    "commendations.base_salary.add": N_("Base salary recorded"),
    "commendations.council.attendance": N_("Council attendance recorded"),
    "commendations.council.close": N_("Council meeting closed"),
    "commendations.council.open": N_("Council meeting opened"),
    "commendations.council.round_close": N_("Voting round closed"),
    "commendations.council.round_open": N_("Voting round opened"),
    "commendations.council.schedule": N_("Council meeting scheduled"),
    "commendations.council.vote": N_("Council vote cast"),
    "commendations.council.written_vote": N_("Written vote recorded"),
    "commendations.covenant.add": N_("Emulation covenant recorded"),
    "commendations.decision.issue": N_("Commendation decision issued"),
    "commendations.discipline.add": N_("Discipline record added"),
    "commendations.eligibility.view": N_("Eligibility list viewed"),
    "commendations.exclusion.set": N_("Local exclusion rule set"),
    "commendations.hold.lift": N_("Commendation hold lifted"),
    "commendations.hold.place": N_("Commendation hold placed"),
    "commendations.initiative.add": N_("Initiative recorded"),
    "commendations.nomination.appraise": N_("Nomination appraised"),
    "commendations.nomination.close": N_("Nomination closed"),
    "commendations.nomination.create": N_("Nomination created"),
    "commendations.nomination.file": N_("Nomination dossier filed"),
    "commendations.nomination.propose_upward": N_("Nomination proposed to the higher level"),
    "commendations.nomination.receive": N_("Nomination received"),
    "commendations.nomination.return": N_("Nomination returned"),
    "commendations.nomination.submit": N_("Nomination submitted"),
    "commendations.nominee.add": N_("Nominee added"),
    "commendations.nominee.override": N_("Nominee let through with a reason"),
    "commendations.nominee.remove": N_("Nominee removed"),
    "commendations.nominee.report": N_("Achievement report written"),
    "commendations.notice.answer": N_("Public notice comment answered"),
    "commendations.notice.comment": N_("Public notice comment received"),
    "commendations.notice.publish": N_("Public notice published"),
    "commendations.personnel.view": N_("Personnel records viewed"),
    "commendations.rating.import": N_("Ratings imported"),
    "commendations.rating.set": N_("Rating set"),
    "commendations.registration.add": N_("Emulation registration added"),
    "commendations.registration.confirm": N_("Emulation registration confirmed"),
    "commendations.registration.withdraw": N_("Emulation registration withdrawn"),
    "commendations.rule.set": N_("Commendation rule set"),
    "commendations.title.active": N_("Title retired or brought back"),
    "commendations.title.add": N_("Title added"),
    "commendations.unit_rating.set": N_("Unit rating set"),
    "commendations.year.set": N_("Commendation year settings changed"),
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
    "good_model.adopt": N_("Good model adopted"),
    "good_model.propose": N_("Good model proposed"),
    "good_model.publish": N_("Good model published"),
    "good_model.recognise": N_("Good model recognised"),
    "good_model.report": N_("Adoption of a good model reported"),
    "good_model.resubmit": N_("Good model sent again"),
    "good_model.return": N_("Good model returned"),
    "green.activity.approve": N_("Green activity approved"),
    "green.activity.log": N_("Green activity logged"),
    "green.activity.reject": N_("Green activity rejected"),
    "green.activity.revoke": N_("Green activity approval revoked"),
    "green.activity.undo": N_("Green activity decision undone the same day"),
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
    "notify.discard_held": N_("Held message discarded"),
    "notify.preference": N_("Notification settings changed"),
    "notify.release_held": N_("Held message released"),
    "notify.retry": N_("Message sent again"),
    "notify.run_now": N_("Job run now"),
    "person.create": N_("Person created"),
    "person.deactivate": N_("Person deactivated"),
    "person.import": N_("Staff imported"),
    "person.import_update": N_("Person updated by an import"),
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
    "supervision.action.done": N_("Corrective action done"),
    "supervision.checklist.publish": N_("Supervision checklist published"),
    "supervision.finding.correct": N_("Finding corrected"),
    "supervision.finding.photo": N_("Photo added to a finding"),
    "supervision.finding.respond": N_("Finding answered"),
    "supervision.plan.cancel": N_("Supervision plan cancelled"),
    "supervision.plan.create": N_("Supervision plan created"),
    "supervision.plan.draw": N_("Supervision visits drawn"),
    "supervision.team.add": N_("Supervision team member added"),
    "supervision.visit.cancel": N_("Supervision visit cancelled"),
    "supervision.visit.record": N_("Supervision visit recorded"),
    "supervision.visit.schedule": N_("Supervision visit scheduled"),
    "thanks.counter": N_("Service counter added"),
    "thanks.decide_held": N_("Held citizen rating decided"),
    "thanks.device_enrol": N_("Counter device enrolled"),
    "thanks.device_register": N_("Counter device registered"),
    "thanks.device_revoke": N_("Counter device revoked"),
    "thanks.links": N_("Thank-you links created"),
    "thanks.moderate": N_("Citizens' thanks moderated"),
    "thanks.settings": N_("Citizens' thanks settings changed"),
    "thanks.submit": N_("Citizens' thanks received"),
    "thanks.undo": N_("Rejection of a citizen's note undone"),
    "thanks.undo_approval": N_("Approval of a citizen's note withdrawn"),
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
    "commend_agenda_item": N_("Council agenda item"),
    "commend_award": N_("Award"),
    "commend_base_salary": N_("Base salary"),
    "commend_council_session": N_("Council meeting"),
    "commend_covenant": N_("Emulation covenant"),
    "commend_decision": N_("Commendation decision"),
    "commend_exclusion": N_("Local exclusion rule"),
    "commend_initiative": N_("Initiative"),
    "commend_nomination": N_("Nomination"),
    "commend_nominee": N_("Nominee"),
    "commend_notice": N_("Public notice"),
    "commend_rating": N_("Rating"),
    "commend_registration": N_("Emulation registration"),
    "commend_title": N_("Title"),
    "commend_year": N_("Commendation year"),
    "commitment_campaign": N_("Commitment campaign"),
    "commitment_signature": N_("Commitment signature"),
    "commitment_template": N_("Commitment template"),
    "decisions": N_("Decision chain"),
    "good_model": N_("Good model"),
    "good_model_adoption": N_("Adoption of a good model"),
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
    "signatures": N_("Signature chain"),
    "supervision_action": N_("Corrective action"),
    "supervision_checklist": N_("Supervision checklist"),
    "supervision_finding": N_("Supervision finding"),
    "supervision_plan": N_("Supervision plan"),
    "supervision_visit": N_("Supervision visit"),
    "thanks_device": N_("Counter device"),
    "thanks_link": N_("Thank-you link"),
    "thanks_settings": N_("Citizens' thanks settings"),
    "unit": N_("Unit"),
    "unit_group": N_("Unit group"),
}


#: The genders a person record takes (``Person.gender``), as the dossier forms write them.
GENDER_LABELS: dict[str, Msg] = {"male": N_("Male (Nam)"), "female": N_("Female (Nữ)")}

#: The fields an audit entry's detail names, by key (anything else is shown by its key).
PERSON_FIELD_LABELS: dict[str, Msg] = {
    "name": N_("Name"),
    "full_name": N_("Name"),
    "unit": N_("Unit"),
    "position": N_("Position"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "union_branch": N_("Union branch"),
    "youth_branch": N_("Youth-union branch"),
    "gender": N_("Gender"),
    "birth_date": N_("Date of birth"),
    "rank": N_("Rank or grade"),
    "recruited_on": N_("Date of recruitment"),
    "username": N_("Username"),
    "person": N_("Person"),
    "role": N_("Role"),
    "unit_id": N_("Unit"),
    "branch_id": N_("Branch"),
    "created": N_("Created"),
    "updated": N_("Updated"),
    "unchanged": N_("Unchanged"),
    "reason": N_("Reason"),
    "status": N_("Status"),
    "title": N_("Title"),
    "year": N_("Year"),
    "points": N_("Points"),
    "note": N_("Note"),
}

#: Coded values an audit entry's detail may hold, by field ("*": any field).
AUDIT_VALUE_LABELS: dict[str, dict[str, Msg]] = {
    "gender": GENDER_LABELS,
    "*": {TOP_LEVEL: TOP_LEVEL_LABEL},
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
