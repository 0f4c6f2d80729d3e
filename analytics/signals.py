"""Audits API keys being created and revoked (PRODUCT.md rule 7), whatever the path.

Here rather than in survey.signals because survey never imports analytics.
"""

from django.db.models.signals import post_save, pre_save

from analytics.models import OrganisationAPIKey
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


def connect() -> None:
    pre_save.connect(api_key_pre_save, sender=OrganisationAPIKey, dispatch_uid="analytics.signals.api_key_pre_save")
    post_save.connect(api_key_post_save, sender=OrganisationAPIKey, dispatch_uid="analytics.signals.api_key_post_save")
