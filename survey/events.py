"""What collection announces to whoever aggregates, without knowing who that is.

survey never imports analytics (STYLE.md): analytics connects its receivers in its AppConfig.
"""

from django.dispatch import Signal

# Sent with `wave_id` once new answers wait in the pending tables, or a wave closed (its last
# batch may now be claimed). Receivers must be cheap: they run inside the sender's request.
answers_arrived = Signal()
