"""Model signals of the survey app, connected in SurveyConfig.ready."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from survey.models import Wave
from survey.services.waves import wave_tree_freeze


@receiver(post_save, sender=Wave, dispatch_uid="survey.wave_tree_freeze")
def freeze_tree_when_opened(sender, instance: Wave, raw: bool = False, **kwargs) -> None:
    # Whatever opened the wave (service, admin, API, a fixture or the demo), the tree freezes then.
    if not raw and instance.status != Wave.Status.DRAFT:
        wave_tree_freeze(wave=instance)
