from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from survey.forms import kept_answers
from survey.services.audit import audit_actor
from survey.services.errors import DATABASE_UNREACHABLE, ServiceUnavailable


class AuditActorMiddleware:
    """Attributes the audit events a request records to its signed-in user ("user:<username>").

    The user is looked up only if an event is recorded, so survey pages never load the session
    for this. Resetting on the way out also undoes the API-key actor set during the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def actor() -> str | None:
            user = getattr(request, "user", None)
            return f"user:{user.get_username()}" if user is not None and user.is_authenticated else None

        with audit_actor(actor):
            return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A page saying to try again in a minute (503) instead of a server error when the database
    cannot be reached. On the answers form it keeps what the person gave (survey.forms.kept_answers)
    and the survey cookie stays, so one button sends everything again once the database is back.
    The API answers for itself (config/api.py, survey/api.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNREACHABLE) or request.path.startswith("/api/"):
            return None
        context = {}
        if request.method == "POST" and request.path == reverse("survey:questions"):
            fields, comments = kept_answers(data=request.POST, language=getattr(request, "LANGUAGE_CODE", None))
            context = {"keeps": True, "fields": fields, "comments": comments}
        response = render(request, "survey/unavailable.html", context, status=ServiceUnavailable.status)
        response["Retry-After"] = str(ServiceUnavailable.retry_after)
        # Like every survey page: what the person wrote must not stay in a cache.
        add_never_cache_headers(response)
        return response
