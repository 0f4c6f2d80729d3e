"""What analytics does when something happens elsewhere: audits API keys being created and
revoked (PRODUCT.md rule 7), whatever the path, and schedules aggregation when collection
announces new answers (survey.events.answers_arrived); gives SQLite connections the SQL
functions that publication uses.

Here rather than in survey.signals because survey never imports analytics.
"""

from django.db.backends.signals import connection_created
from django.db.models.signals import post_save, pre_save

from analytics.models import OrganisationAPIKey
from survey.events import answers_arrived
from survey.services.audit import audit_record


def api_key_pre_save(sender, instance: OrganisationAPIKey, **kwargs) -> None:
    instance._audit_was_revoked = (
        not instance._state.adding and OrganisationAPIKey.objects.filter(pk=instance.pk, revoked=True).exists()
    )


def api_key_post_save(sender, instance: OrganisationAPIKey, created: bool, **kwargs) -> None:
    key = {"prefix": instance.prefix, "name": instance.name, "scope": instance.scope}
    if created:
        detail = {"key": key, "expires": instance.expiry_date}
        audit_record(organisation=instance.organisation_id, action="api_key_created", detail=detail)
    elif instance.revoked and not instance._audit_was_revoked:
        audit_record(organisation=instance.organisation_id, action="api_key_revoked", detail={"key": key})


def answers_arrived_schedule(sender, wave_id, wave=None, **kwargs) -> None:
    # Looked up on each call, so that tests can replace the scheduler (a lost trigger).
    from analytics import tasks

    tasks.schedule_wave_aggregation(wave_id=wave_id, wave=wave)


def round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def sqlite_functions(sender, connection, **kwargs) -> None:
    """On SQLite, what migration 0007 creates in PostgreSQL: `pulse_round1`, the rounding of every
    published figure (halves to even)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("pulse_round1", 1, round1, deterministic=True)


def connect() -> None:
    connection_created.connect(sqlite_functions, dispatch_uid="analytics.signals.sqlite_functions")
    answers_arrived.connect(answers_arrived_schedule, dispatch_uid="analytics.signals.answers_arrived_schedule")
    pre_save.connect(api_key_pre_save, sender=OrganisationAPIKey, dispatch_uid="analytics.signals.api_key_pre_save")
    post_save.connect(api_key_post_save, sender=OrganisationAPIKey, dispatch_uid="analytics.signals.api_key_post_save")
