import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("pulse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def freeze_startup_heap(**kwargs) -> None:
    """Everything loaded at start-up (Django, the models, scikit-learn) lives as long as the worker:
    moved out of the garbage collector's reach, a collection no longer walks it. An aggregation
    run allocates tens of thousands of small objects, and each full collection triggered on the way
    cost about 0.1 s of walking the start-up heap (bench/aggregate.py)."""
    gc.freeze()
