from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from survey.services.audit import audit_actor


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
