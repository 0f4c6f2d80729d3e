"""Receivers that audit HR's writes and freeze scoring and the team tree, whatever the path (admin, API, shell).

Signals rather than calls in each service: teams are written by the admin, the REST API, the
HRIS sync and the demo; waves by services another module owns. Connected in SurveyConfig.ready().
`QuerySet.update()` skips them; for scoring a PostgreSQL trigger covers that gap.
"""

from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from survey.models import AuditEvent, Dimension, Membership, Option, Question, Survey, Team, Wave
from survey.services.audit import audit_record
from survey.services.scoring import scoring_check_unfrozen, scoring_lock_for_opening
from survey.services.waves import wave_tree_freeze

Action = AuditEvent.Action


def _stored(instance, fields: list[str]) -> dict | None:
    """The row as the database holds it before this save, or None for a new row."""
    if instance._state.adding:
        return None
    return type(instance).objects.filter(pk=instance.pk).values(*fields).first()


def _changes(before: dict | None, instance, update_fields) -> dict[str, list]:
    """{field: [old, new]} for the fields this save writes."""
    if before is None:
        return {}
    written = set(update_fields) if update_fields else set(before)
    return {
        field: [old, getattr(instance, field)]
        for field, old in before.items()
        if field in written and old != getattr(instance, field)
    }


# --- Teams --------------------------------------------------------------------------------------

TEAM_FIELDS = ["name", "parent_id", "headcount"]


def _team_ref(team_id) -> dict | None:
    if team_id is None:
        return None
    name = Team.objects.filter(pk=team_id).values_list("name", flat=True).first()
    return {"id": str(team_id), "name": name}


def team_pre_save(sender, instance: Team, update_fields=None, **kwargs) -> None:
    instance._audit_before = _stored(instance, TEAM_FIELDS)


def team_post_save(sender, instance: Team, created: bool, update_fields=None, **kwargs) -> None:
    team = {"id": str(instance.pk), "name": instance.name, "slug": instance.slug}
    if created:
        detail = {"team": team, "parent": _team_ref(instance.parent_id), "headcount": instance.headcount}
        audit_record(organisation=instance.organisation_id, action=Action.TEAM_CREATED, detail=detail)
        return
    changes = _changes(getattr(instance, "_audit_before", None), instance, update_fields)
    if "parent_id" in changes:
        changes["parent"] = [_team_ref(team_id) for team_id in changes.pop("parent_id")]
    if changes:
        audit_record(
            organisation=instance.organisation_id,
            action=Action.TEAM_CHANGED,
            detail={"team": team, "changes": changes},
        )


def team_post_delete(sender, instance: Team, **kwargs) -> None:
    detail = {
        "team": {"id": str(instance.pk), "name": instance.name, "slug": instance.slug},
        "parent": _team_ref(instance.parent_id),
        "headcount": instance.headcount,
    }
    audit_record(organisation=instance.organisation_id, action=Action.TEAM_DELETED, detail=detail)


# --- Waves --------------------------------------------------------------------------------------


def wave_pre_save(sender, instance: Wave, **kwargs) -> None:
    """A wave that left draft keeps its survey and never returns to draft: either would let
    scoring be changed under answers already given."""
    before = _stored(instance, ["status", "survey_id"])
    instance._audit_status_before = before["status"] if before else Wave.Status.DRAFT
    if before and before["status"] != Wave.Status.DRAFT:
        if instance.status == Wave.Status.DRAFT:
            raise ValidationError("A wave that has opened cannot return to draft.")
        if instance.survey_id != before["survey_id"]:
            raise ValidationError("The survey of a wave that has opened cannot change.")
    if instance.status != Wave.Status.DRAFT and instance._audit_status_before == Wave.Status.DRAFT:
        scoring_lock_for_opening(survey_id=instance.survey_id)


def wave_post_save(sender, instance: Wave, created: bool, raw: bool = False, **kwargs) -> None:
    # Whatever opened the wave (service, admin, API, a fixture or the demo), its tree freezes then.
    if not raw and instance.status != Wave.Status.DRAFT:
        wave_tree_freeze(wave=instance)
    wave = {"id": str(instance.pk), "name": instance.name}
    if created:
        detail = {
            "wave": wave,
            "survey": {"id": str(instance.survey_id), "code": instance.survey.code},
            "status": instance.status,
            "k_min": instance.k_min,
            "k_comments": instance.k_comments,
            "allow_open_links": instance.allow_open_links,
        }
        audit_record(organisation=instance.organisation_id, action=Action.WAVE_CREATED, detail=detail)
    if instance.status == getattr(instance, "_audit_status_before", instance.status):
        return
    if instance.status == Wave.Status.OPEN:
        detail = {"wave": wave, "k_min": instance.k_min, "k_comments": instance.k_comments, "at": instance.opens_at}
        audit_record(organisation=instance.organisation_id, action=Action.WAVE_OPENED, detail=detail)
    elif instance.status == Wave.Status.CLOSED:
        detail = {"wave": wave, "at": instance.closes_at}
        audit_record(organisation=instance.organisation_id, action=Action.WAVE_CLOSED, detail=detail)


# --- Scoring: dimensions, questions, options ----------------------------------------------------


def _survey_of(instance) -> object:
    if isinstance(instance, Option):
        return Question.objects.filter(pk=instance.question_id).values_list("survey_id", flat=True).first()
    return instance.survey_id


def _scoring_fields(instance) -> list[str]:
    return [field.attname for field in instance._meta.concrete_fields if not field.primary_key]


def _label(instance) -> str:
    if isinstance(instance, Option):
        code = Question.objects.filter(pk=instance.question_id).values_list("code", flat=True).first()
        return f"{code}={instance.value}"
    return instance.code


def _scoring_event(instance, operation: str, changes: dict | None = None) -> dict | None:
    """The organisation and detail of a scoring event; None for the built-in templates, which
    belong to no organisation (only superusers can edit them)."""
    survey_id = _survey_of(instance)
    survey = Survey.objects.filter(pk=survey_id).values("organisation_id", "code").first()
    if survey is None or survey["organisation_id"] is None:
        return None
    detail = {
        "survey": {"id": str(survey_id), "code": survey["code"]},
        "item": {"type": instance._meta.model_name, "label": _label(instance)},
        "operation": operation,
    }
    if changes:
        detail["changes"] = changes
    return {"organisation": survey["organisation_id"], "action": Action.SCORING_CHANGED, "detail": detail}


def scoring_pre_save(sender, instance, update_fields=None, **kwargs) -> None:
    before = _stored(instance, _scoring_fields(instance))
    changes = _changes(before, instance, update_fields)
    instance._audit_changes = changes
    if before is not None and not changes:
        return  # saving an unchanged row (reloading the instrument) is not a change
    surveys = {_survey_of(instance)}
    if before is not None and isinstance(instance, Option) and "question_id" in changes:
        surveys.add(Question.objects.filter(pk=before["question_id"]).values_list("survey_id", flat=True).first())
    elif before is not None and "survey_id" in changes:
        surveys.add(before["survey_id"])
    scoring_check_unfrozen(survey_ids=surveys)


def scoring_post_save(sender, instance, created: bool, **kwargs) -> None:
    changes = getattr(instance, "_audit_changes", {})
    if created or changes:
        event = _scoring_event(instance, "created" if created else "changed", changes)
        if event:
            audit_record(**event)


def scoring_pre_delete(sender, instance, **kwargs) -> None:
    scoring_check_unfrozen(survey_ids={_survey_of(instance)})
    # Described before the delete: a cascade removes the question right after its options.
    instance._audit_event = _scoring_event(instance, "deleted")


def scoring_post_delete(sender, instance, **kwargs) -> None:
    event = getattr(instance, "_audit_event", None)
    if event:
        audit_record(**event)


# --- Members ------------------------------------------------------------------------------------


def membership_post_save(sender, instance: Membership, created: bool, **kwargs) -> None:
    if created:
        detail = {
            "user": instance.user.get_username(),
            "role": instance.role,
            "team": _team_ref(instance.team_id),
        }
        audit_record(organisation=instance.organisation_id, action=Action.MEMBER_ADDED, detail=detail)


def connect() -> None:
    uid = "survey.signals"
    pre_save.connect(team_pre_save, sender=Team, dispatch_uid=f"{uid}.team_pre_save")
    post_save.connect(team_post_save, sender=Team, dispatch_uid=f"{uid}.team_post_save")
    post_delete.connect(team_post_delete, sender=Team, dispatch_uid=f"{uid}.team_post_delete")
    pre_save.connect(wave_pre_save, sender=Wave, dispatch_uid=f"{uid}.wave_pre_save")
    post_save.connect(wave_post_save, sender=Wave, dispatch_uid=f"{uid}.wave_post_save")
    for model in (Dimension, Question, Option):
        name = model._meta.model_name
        pre_save.connect(scoring_pre_save, sender=model, dispatch_uid=f"{uid}.{name}_pre_save")
        post_save.connect(scoring_post_save, sender=model, dispatch_uid=f"{uid}.{name}_post_save")
        pre_delete.connect(scoring_pre_delete, sender=model, dispatch_uid=f"{uid}.{name}_pre_delete")
        post_delete.connect(scoring_post_delete, sender=model, dispatch_uid=f"{uid}.{name}_post_delete")
    post_save.connect(membership_post_save, sender=Membership, dispatch_uid=f"{uid}.membership_post_save")
