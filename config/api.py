"""One error shape for the whole API: {"detail": "...", "code": "..."} with the right status."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from survey.parsers import body_too_large
from survey.services.errors import DATABASE_UNREACHABLE, ServiceUnavailable


class Unavailable(exceptions.APIException):
    status_code = 503
    default_code = "unavailable"
    default_detail = _("The service is briefly unavailable. Please try again in a minute.")
    wait = ServiceUnavailable.retry_after  # DRF sends it as Retry-After


def exception_handler(exc: Exception, context: dict) -> Response | None:
    # DRF maps Django's Http404 and PermissionDenied too; convert first so they get a `code` as well.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django's own cap on a body read in full (DATA_UPLOAD_MAX_MEMORY_SIZE): else an HTML 400.
        exc = body_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, DATABASE_UNREACHABLE):
        # A lost database is not the client's fault, and not a bug: say when to come back.
        exc = Unavailable()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": f"Invalid request: {_first_error(exc.detail)} (see `errors` for each bad field).",
            "code": "invalid",
            "errors": exc.detail,
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {"detail": str(exc.detail), "code": codes if isinstance(codes, str) else "error"}
    return response


def _first_error(detail: object, field: str = "") -> str:
    """The first message of a nested ValidationError, prefixed with its field, for a readable `detail`."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key == "non_field_errors" or not field else f"{field}.{key}"
            return _first_error(value, "" if key in ("non_field_errors", "__all__") else name)
    if isinstance(detail, list):
        for index, value in enumerate(detail):
            nested = isinstance(value, dict | list)
            return _first_error(value, f"{field}[{index}]" if nested else field)
    return f"{field}: {detail}" if field else str(detail)
