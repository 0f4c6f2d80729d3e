"""What collection announces to whoever aggregates, without knowing who that is.

survey never imports analytics (STYLE.md): analytics connects its receivers in its AppConfig.
"""

from django.dispatch import Signal

# Sent with `wave_id` once new answers wait in the pending tables (with `wave` too, as the
# submission read it), or a wave closed (its last batch may now be claimed). Receivers must be
# cheap: they run inside the sender's request. Collection sends it robustly: a failing receiver
# is logged and never fails a submission that is already stored.
answers_arrived = Signal()
