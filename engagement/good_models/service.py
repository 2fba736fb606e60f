"""Use cases of the register of good models: the only code here that writes.

Every function: ``verb(session, *, actor, ..., now)``; authorises first, validates, then writes
(with an audit entry) and flushes. The caller's ``unit_of_work`` commits. Files are cleaned
from their bytes before anything is written, so a refused file leaves no row behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, select

from engagement.commendations import queries as commendation_queries
from engagement.core import audit, files, formats, limits, routes
from engagement.core.access import Actor, Perm, require
from engagement.core.clock import local_day
from engagement.core.errors import Conflict, Invalid, NotFound
from engagement.core.i18n import N_, Msg
from engagement.good_models import models, rules
from engagement.good_models.queries import due_reports, unit_heads
from engagement.good_models.rules import ResultInput
from engagement.notify import service as notify
from engagement.org.models import Unit
from engagement.settings import get_settings

#: An upload: (the raw bytes, the name it was chosen under).
Upload = tuple[bytes, str]

REGISTER_LINK = routes.GOOD_MODELS
UNIT_LINK = routes.GOOD_MODELS_UNIT


def _today(now: datetime) -> date:
    return local_day(now, get_settings().tz)


def _unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.is_active:
        raise NotFound("This unit does not exist or is no longer active.")
    return unit


def _model(session: Session, model_id: int) -> models.GoodModel:
    model = session.get(models.GoodModel, model_id)
    if model is None:
        raise NotFound("This model does not exist.")
    return model


def _clean_files(uploads: Sequence[Upload]) -> list[tuple[files.CleanFile, str]]:
    """Every upload checked (photo or PDF) before anything is written."""
    uploads = [u for u in uploads if u and u[0]]
    if len(uploads) > rules.MAX_FILES:
        raise Invalid("Attach at most {most} photos or documents.", most=rules.MAX_FILES)
    out = []
    for data, name in uploads:
        try:
            clean = files.clean_scan(data)
        except Invalid:
            raise Invalid("“{name}” is neither a photo nor a PDF document. Attach JPEG, PNG or WebP photos or "
                          "PDF files.", name=(name or "?")[:80]) from None
        out.append((clean, name))
    return out


def _store_files(session: Session, *, model_id: int, adoption_id: int | None,
                 cleaned: list[tuple[files.CleanFile, str]], actor: Actor, now: datetime) -> int:
    for clean, name in cleaned:
        stem = (name or "good-model").rsplit(".", 1)[0]
        row = files.save(session, clean=clean, purpose=rules.FILE_PURPOSE, name=stem, actor=actor, now=now)
        session.add(models.GoodModelFile(model_id=model_id, file_id=row.id, adoption_id=adoption_id, created_at=now))
    return len(cleaned)


def _store_results(session: Session, *, model_id: int, adoption_id: int | None, results: list[ResultInput],
                   now: datetime) -> None:
    for position, r in enumerate(results):
        session.add(models.GoodModelResult(model_id=model_id, adoption_id=adoption_id, position=position,
                                           indicator=r.indicator, value_before=r.before, value_after=r.after,
                                           measure=r.measure, created_at=now))


def _check_unique(session: Session, *, year: int, key: str, model_id: int | None = None) -> None:
    clash = session.exec(select(models.GoodModel.id, models.GoodModel.title)
                         .where(models.GoodModel.year == year, models.GoodModel.title_key == key)).first()
    if clash is not None and clash[0] != model_id:
        raise Conflict("A model named “{title}” is already registered for {year}. Choose another title, or open the "
                       "existing one.", title=clash[1], year=year)


def propose_model(
    session: Session, *, actor: Actor | None, unit_id: int, title: str, summary: str, evidence: str = "",
    field: str, year: int, results: Sequence[ResultInput] = (), uploads: Sequence[Upload] = (), now: datetime,
) -> int:
    """Propose a unit's good model (mô hình hay, cách làm hiệu quả) to the emulation officers.

    Args:
        unit_id: the unit whose model it is (the actor's units; officers: any unit).
        summary: what the model changed in the unit's work.
        results: measured results (indicator, before, after, unit of measure); empty rows are skipped.
        uploads: photos (re-encoded, location removed) or PDF documents.

    Returns:
        The new model's id.

    Raises:
        NotAllowed: the actor may not propose for this unit.
        NotFound: no such active unit.
        Invalid: missing text, a bad result or a file that is neither a photo nor a PDF.
        Conflict: a model of the same title (ignoring accents and case) in the same year.
    """
    require(actor, Perm.PROPOSE_MODEL)
    unit = _unit(session, unit_id)
    require(actor, Perm.PROPOSE_MODEL, unit_path=unit.path)
    title, summary, evidence = " ".join(title.split()), summary.strip(), evidence.strip()
    rules.check_proposal(title=title, summary=summary, field=field, year=year, evidence=evidence)
    kept = rules.check_results(results, required=False)
    cleaned = _clean_files(uploads)
    key = rules.title_key(title)
    _check_unique(session, year=year, key=key)
    model = models.GoodModel(
        title=title, title_key=key, search_key=rules.search_key(title, summary, unit.name), year=year,
        unit_id=unit.id, field=field, summary=summary, evidence=evidence, status=rules.PROPOSED,
        created_at=now, created_by_account_id=actor.account_id)
    session.add(model)
    session.flush()
    _store_results(session, model_id=model.id, adoption_id=None, results=kept, now=now)
    stored = _store_files(session, model_id=model.id, adoption_id=None, cleaned=cleaned, actor=actor, now=now)
    audit.record(session, actor=actor, action="good_model.propose", entity="good_model", entity_id=model.id,
                 now=now, title=title, unit_id=unit.id, year=year, field=field, results=len(kept), files=stored)
    session.flush()
    return model.id


def resubmit_model(
    session: Session, *, actor: Actor | None, model_id: int, title: str, summary: str, evidence: str = "",
    field: str, results: Sequence[ResultInput] = (), uploads: Sequence[Upload] = (), now: datetime,
) -> None:
    """Send a returned model again, corrected; its earlier text stays in the audit log, results and
    files given are added to those already kept.

    Raises:
        NotAllowed: the actor may not act for the proposing unit.
        NotFound: no such model.
        Conflict: the model was not returned, or the new title clashes in its year.
        Invalid: as for ``propose_model``.
    """
    require(actor, Perm.PROPOSE_MODEL)
    model = _model(session, model_id)
    unit = _unit(session, model.unit_id)
    require(actor, Perm.PROPOSE_MODEL, unit_path=unit.path)
    if model.status != rules.RETURNED:
        raise Conflict("Only a model returned by the officers can be sent again; this one is “{status}”.",
                       status=rules.STATUS_LABELS[model.status])
    title, summary, evidence = " ".join(title.split()), summary.strip(), evidence.strip()
    rules.check_proposal(title=title, summary=summary, field=field, year=model.year, evidence=evidence)
    kept = rules.check_results(results, required=False)
    cleaned = _clean_files(uploads)
    key = rules.title_key(title)
    _check_unique(session, year=model.year, key=key, model_id=model.id)
    old = {"title": model.title, "summary": model.summary, "evidence": model.evidence, "field": model.field,
           "return_reason": model.return_reason}
    start = len(session.exec(select(models.GoodModelResult.id).where(
        models.GoodModelResult.model_id == model.id, models.GoodModelResult.adoption_id.is_(None))).all())
    model.title, model.title_key, model.summary, model.evidence, model.field = title, key, summary, \
        evidence, field
    model.search_key = rules.search_key(title, summary, unit.name)
    model.status = rules.PROPOSED
    session.add(model)
    for offset, r in enumerate(kept):
        session.add(models.GoodModelResult(model_id=model.id, position=start + offset, indicator=r.indicator,
                                           value_before=r.before, value_after=r.after, measure=r.measure,
                                           created_at=now))
    stored = _store_files(session, model_id=model.id, adoption_id=None, cleaned=cleaned, actor=actor, now=now)
    audit.record(session, actor=actor, action="good_model.resubmit", entity="good_model", entity_id=model.id,
                 now=now, old=old, title=title, results=len(kept), files=stored)
    session.flush()


def _tell_unit(session: Session, *, unit_id: int, kind: str, model: models.GoodModel, title: Msg, body: Msg,
               now: datetime, link: str = UNIT_LINK) -> None:
    for person_id in unit_heads(session, {unit_id}).get(unit_id, []):
        notify.notify(session, person_id=person_id, category="commendations", kind=kind,
                      subject_ref=f"good-model:{model.id}", period=now.isoformat()[:19], title=title, body=body,
                      link=link, now=now)


def return_model(session: Session, *, actor: Actor | None, model_id: int, reason: str, now: datetime) -> None:
    """Return a proposed model to its unit with the reason (the unit may correct it and send it again).

    Raises:
        NotAllowed: not an emulation officer.
        NotFound: no such model.
        Conflict: the model is not waiting for a decision.
        Invalid: no reason given.
    """
    require(actor, Perm.RECOGNISE_MODEL)
    model = _model(session, model_id)
    if model.status != rules.PROPOSED:
        raise Conflict("Only a proposed model can be returned; this one is “{status}”.",
                       status=rules.STATUS_LABELS[model.status])
    reason = limits.within(reason.strip(), limit=rules.REASON_MAX, what=N_("reason"), field="reason")
    if not reason:
        raise Invalid("Say why the model is returned, so that the unit can correct it.", {"reason": N_("Required")})
    model.status, model.return_reason = rules.RETURNED, reason
    session.add(model)
    audit.record(session, actor=actor, action="good_model.return", entity="good_model", entity_id=model.id,
                 now=now, reason=reason)
    _tell_unit(session, unit_id=model.unit_id, kind="good_model.returned", model=model, now=now,
               title=N_("Good model returned: {title}", title=model.title),
               body=N_("The emulation officers returned the model: {reason}. Correct it and send it again.",
                       reason=reason[:500]))
    session.flush()


def recognise_model(
    session: Session, *, actor: Actor | None, model_id: int, decision_ref: str, decided_on: date | None,
    initiative_id: int | None = None, award_id: int | None = None, publish: bool = False, now: datetime,
) -> None:
    """Recognise a proposed model by a decision, optionally linked to an initiative and an award,
    and publish it in the register at once when ``publish``.

    Raises:
        NotAllowed: not an emulation officer.
        NotFound: no such model, initiative or award.
        Conflict: the model is not waiting for a decision.
        Invalid: no decision number, a decision date missing or in the future.
    """
    require(actor, Perm.RECOGNISE_MODEL)
    model = _model(session, model_id)
    if model.status != rules.PROPOSED:
        raise Conflict("Only a proposed model can be recognised; this one is “{status}”.",
                       status=rules.STATUS_LABELS[model.status])
    decision_ref = limits.clean_line(decision_ref, limit=rules.DECISION_REF_MAX, what=N_("decision number"),
                                     field="decision_ref")
    if not decision_ref:
        raise Invalid("Enter the number of the decision recognising the model, e.g. 15/QĐ-UBND.",
                      {"decision_ref": N_("Required")})
    if decided_on is None:
        raise Invalid("Enter the date of the decision.", {"decided_on": N_("Required")})
    if decided_on > _today(now):
        raise Invalid("The decision date is in the future; enter the date it was signed.",
                      {"decided_on": N_("In the future")})
    if initiative_id and not commendation_queries.initiative_labels(session, [initiative_id]):
        raise NotFound("This initiative does not exist.")
    if award_id and not commendation_queries.award_labels(session, [award_id]):
        raise NotFound("This award does not exist or was revoked.")
    model.status = rules.PUBLISHED if publish else rules.RECOGNISED
    model.decision_ref, model.decided_on = decision_ref, decided_on
    model.initiative_id, model.award_id = initiative_id or None, award_id or None
    model.recognised_at, model.recognised_by_account_id = now, actor.account_id
    if publish:
        model.published_at, model.published_by_account_id = now, actor.account_id
    session.add(model)
    audit.record(session, actor=actor, action="good_model.recognise", entity="good_model", entity_id=model.id,
                 now=now, decision_ref=decision_ref, decided_on=decided_on.isoformat(), initiative_id=initiative_id,
                 award_id=award_id, published=publish)
    _tell_unit(session, unit_id=model.unit_id, kind="good_model.recognised", model=model, now=now,
               link=REGISTER_LINK if publish else UNIT_LINK,
               title=N_("Good model recognised: {title}", title=model.title),
               body=N_("Decision {ref} recognises the model.", ref=decision_ref))
    session.flush()


def publish_model(session: Session, *, actor: Actor | None, model_id: int, now: datetime) -> None:
    """Publish a recognised model in the register everyone can browse.

    Raises:
        NotAllowed: not an emulation officer.
        NotFound: no such model.
        Conflict: the model is not recognised (or already published).
    """
    require(actor, Perm.RECOGNISE_MODEL)
    model = _model(session, model_id)
    if model.status != rules.RECOGNISED:
        raise Conflict("Only a recognised model can be published; this one is “{status}”.",
                       status=rules.STATUS_LABELS[model.status])
    model.status, model.published_at, model.published_by_account_id = rules.PUBLISHED, now, actor.account_id
    session.add(model)
    audit.record(session, actor=actor, action="good_model.publish", entity="good_model", entity_id=model.id, now=now)
    session.flush()


def adopt_model(
    session: Session, *, actor: Actor | None, model_id: int, unit_id: int, starts_on: date | None, months: int,
    plan: str = "", now: datetime,
) -> int:
    """Record that a unit replicates a published model from ``starts_on`` for ``months`` months.

    Returns:
        The adoption's id.

    Raises:
        NotAllowed: the actor may not act for the adopting unit.
        NotFound: no such unit or model.
        Conflict: the model is not published, is the unit's own, or the unit already adopted it.
        Invalid: a bad start date or period.
    """
    require(actor, Perm.PROPOSE_MODEL)
    unit = _unit(session, unit_id)
    require(actor, Perm.PROPOSE_MODEL, unit_path=unit.path)
    model = _model(session, model_id)
    if model.status != rules.PUBLISHED:
        raise Conflict("Only a model published in the register can be adopted.")
    if model.unit_id == unit.id:
        raise Conflict("“{title}” is {unit}'s own model: another unit adopts it, yours reports its results on the "
                       "model itself.", title=model.title, unit=unit.name)
    due_on = rules.check_adoption(starts_on=starts_on, months=months, today=_today(now))
    plan = limits.within(plan.strip(), limit=rules.PLAN_MAX, what=N_("plan"), field="plan")
    if session.exec(select(models.GoodModelAdoption.id).where(models.GoodModelAdoption.model_id == model.id,
                                                              models.GoodModelAdoption.unit_id == unit.id)).first():
        raise Conflict("{unit} already adopts “{title}”.", unit=unit.name, title=model.title)
    adoption = models.GoodModelAdoption(model_id=model.id, unit_id=unit.id, starts_on=starts_on, months=months,
                                        due_on=due_on, plan=plan, status=rules.ADOPTED, created_at=now,
                                        created_by_account_id=actor.account_id)
    session.add(adoption)
    session.flush()
    audit.record(session, actor=actor, action="good_model.adopt", entity="good_model_adoption",
                 entity_id=adoption.id, now=now, model_id=model.id, unit_id=unit.id, starts_on=starts_on.isoformat(),
                 months=months)
    _tell_unit(session, unit_id=model.unit_id, kind="good_model.adopted", model=model, now=now,
               link=REGISTER_LINK, title=N_("{unit} adopts your model “{title}”", unit=unit.name, title=model.title),
               body=N_("From {day}, for {months} month(s).", day=formats.day(starts_on), months=months))
    session.flush()
    return adoption.id


def report_adoption(
    session: Session, *, actor: Actor | None, adoption_id: int, report: str, results: Sequence[ResultInput],
    uploads: Sequence[Upload] = (), now: datetime,
) -> None:
    """Report what replicating the model achieved in the adopting unit (measured results required).

    Raises:
        NotAllowed: the actor may not act for the adopting unit.
        NotFound: no such adoption.
        Invalid: before the adoption starts, already reported, no result, a bad file.
    """
    require(actor, Perm.PROPOSE_MODEL)
    adoption = session.get(models.GoodModelAdoption, adoption_id)
    if adoption is None:
        raise NotFound("This adoption does not exist.")
    unit = _unit(session, adoption.unit_id)
    require(actor, Perm.PROPOSE_MODEL, unit_path=unit.path)
    today = _today(now)
    rules.check_report(starts_on=adoption.starts_on, today=today, status=adoption.status,
                       start_text=formats.day(adoption.starts_on))
    report = limits.within(report.strip(), limit=rules.TEXT_MAX, what=N_("report"), field="report")
    kept = rules.check_results(results, required=True)
    cleaned = _clean_files(uploads)
    adoption.status, adoption.report = rules.REPORTED, report
    adoption.reported_on, adoption.reported_at, adoption.reported_by_account_id = today, now, actor.account_id
    session.add(adoption)
    _store_results(session, model_id=adoption.model_id, adoption_id=adoption.id, results=kept, now=now)
    stored = _store_files(session, model_id=adoption.model_id, adoption_id=adoption.id, cleaned=cleaned, actor=actor,
                          now=now)
    audit.record(session, actor=actor, action="good_model.report", entity="good_model_adoption",
                 entity_id=adoption.id, now=now, results=len(kept), files=stored)
    session.flush()


def remind_due_reports(session: Session, *, now: datetime) -> int:
    """Tell the heads of each unit whose adoption report is due (once per adoption and due date).

    For the scheduled job (no actor). Returns how many notices were written.
    """
    written = 0
    for due in due_reports(session, today=_today(now)):
        for person_id in due.person_ids:
            written += notify.notify(
                session, person_id=person_id, category="commendations", kind="good_model.report_due",
                subject_ref=f"good-model-adoption:{due.adoption_id}", period=due.due_iso,
                title=N_("Report due: replicating “{title}”", title=due.model_title),
                body=N_("{unit} planned to apply the model until {day}. Report the results it achieved.",
                        unit=due.unit_name, day=due.due_on),
                link=UNIT_LINK, now=now)
    return written

