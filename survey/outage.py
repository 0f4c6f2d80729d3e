"""Redis (the cache and Celery's broker) is never the source of truth: when it cannot be reached, a
submission is still stored in PostgreSQL, unthrottled, and the beat's sweep folds it in once Redis
is back (analytics.tasks.aggregate_open_waves).

`redis_outage` remembers a failure for a while, so that meanwhile callers skip Redis (each failed
call spends ~0.1 s, a task ~0.6 s, in client retries), and the log gets one line per process and
pause rather than one per submission: the lines' times would record when people answered
(PRODUCT.md rule 1).
"""

import logging
import time

from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

REDIS_UNREACHABLE = (RedisError, BrokerUnreachable)


class Outage:
    def __init__(self, name: str, pause: float) -> None:
        self.name, self.pause, self._until = name, pause, 0.0

    @property
    def ongoing(self) -> bool:
        return time.monotonic() < self._until

    def failed(self, error: Exception, doing: str) -> None:
        if not self.ongoing:
            logger.warning(
                "%s unreachable (%s): %s skipped, and skipped for %.0f s; submissions are still stored.",
                self.name,
                error,
                doing,
                self.pause,
            )
        self._until = time.monotonic() + self.pause


redis_outage = Outage("Redis", pause=15.0)
