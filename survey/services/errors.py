"""Errors a submission can meet, each with the HTTP status and code the pages and API use."""

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# What a lost or refused database connection raises (psycopg's OperationalError, and
# InterfaceError on a connection already closed): the pages and the API answer 503 for these.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)


class SubmissionError(Exception):
    status = 400
    code = "invalid"
    message = _("This submission cannot be accepted.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.detail = str(message or self.message)


class InvitationNotFound(SubmissionError):
    status = 404
    code = "unknown_link"
    message = _("This survey link is not valid. Check that you copied all of it.")


class InvitationUsed(SubmissionError):
    status = 409
    code = "link_used"
    message = _("This survey link has already been used. Each link can answer once.")


class TeamFull(SubmissionError):
    status = 409
    code = "team_full"
    message = _("This team's shared link has already been answered as many times as the team has people.")


class WaveClosed(SubmissionError):
    status = 410
    code = "wave_closed"
    message = _("This survey is closed. Thank you for your interest.")


class InvitationExpired(SubmissionError):
    status = 410
    code = "link_expired"
    message = _("This survey link has expired: the answering period is over.")


class WaveNotOpen(SubmissionError):
    status = 404
    code = "wave_not_open"
    message = _("This survey has not opened yet.")


class AnswersInvalid(SubmissionError):
    status = 400
    code = "invalid_answers"
    message = _("Some answers are not valid.")

    def __init__(
        self, errors: dict[str, str], *, scrubbed: dict[str, object] | None = None, count: int | None = None
    ) -> None:
        super().__init__()
        # The first few bad answers, question code -> message; `count` says how many there were in all.
        self.errors = errors
        self.count = len(errors) if count is None else count
        # Question code -> the scrubber's result for each valid comment: never the typed text.
        self.scrubbed = scrubbed or {}


class Throttled(SubmissionError):
    """Too many refused attempts, or answers through one open link, from one client (survey/throttling.py)."""

    status = 429
    code = "throttled"

    def __init__(self, retry_after: int) -> None:
        message = ngettext(
            "Too many requests came from your network just now. Nothing was recorded: please try again "
            "in %(seconds)d second.",
            "Too many requests came from your network just now. Nothing was recorded: please try again "
            "in %(seconds)d seconds.",
            retry_after,
        ) % {"seconds": retry_after}
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(SubmissionError):
    """The database could not be reached. Nothing was stored and the link is not used up (a link
    consumed just before the failure is handed back), so the same answers can be sent again."""

    status = 503
    code = "unavailable"
    message = _(
        "The service is briefly unavailable: your answers were not stored and your link still works. "
        "Please send them again in a minute."
    )
    retry_after = 30  # seconds, for the Retry-After header
