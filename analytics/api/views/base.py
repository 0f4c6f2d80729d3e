"""What every API view shares: key authentication, scopes, throttling, errors in JSON, BI formats,
cursor pagination, and conditional requests (ETag / Last-Modified) for published figures."""

import hashlib
from collections.abc import Sequence

from django.http import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, generics, pagination, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.api.authentication import APIKeyAuthentication, APIKeyThrottle, HasAdminScope, HasReadScope
from analytics.api.renderers import TABULAR_FORMATS, ContentNegotiation, CSVRenderer, XLSXRenderer, tabular_response
from analytics.api.selectors import publication_stamp
from survey.models import Organisation, Wave

ErrorSerializer = inline_serializer(
    "ApiError",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.DictField(required=False),
    },
)


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses for the schema, with what each status means on this API. Any endpoint can
    answer 400 (bad parameter, e.g. `?format=`), 401, 406 and 429."""
    meaning = {
        400: "Bad query parameter or body: `errors` names each field.",
        401: "Missing, invalid, expired or revoked API key.",
        403: "The key's scope does not allow this (admin endpoints need an `admin` key).",
        404: "No such object in the key's organisation.",
        406: "The Accept header asks for a format this endpoint does not produce.",
        409: "The object's state does not allow this (e.g. opening a wave that is not a draft).",
        410: "The wave is closed.",
        415: "The body is not JSON.",
        429: "Too many requests for this key: retry after the `Retry-After` header.",
    }
    return {
        code: OpenApiResponse(ErrorSerializer, description=meaning[code])
        for code in sorted({400, 401, 406, 429, *statuses})
    }


def write_errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """`errors` for endpoints with a JSON body (anything else is a 415)."""
    return errors(400, 403, 415, *statuses)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The current state of the object does not allow this."
    default_code = "conflict"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This wave is closed."
    default_code = "wave_closed"


class CursorPagination(pagination.CursorPagination):
    ordering = "id"  # random UUIDs: stable, unique, and say nothing about arrival order
    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000

    def get_page_size(self, request: Request) -> int:
        # DRF silently falls back to the default on a bad value; a BI client should hear about it.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError({"page_size": [f"An integer from 1 to {self.max_page_size}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view: object) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": ["Invalid cursor: use the `next` link as given."]}) from None


class APIKeyView(generics.GenericAPIView):
    authentication_classes = [APIKeyAuthentication]
    permission_classes = [HasReadScope]
    admin_methods: frozenset[str] = frozenset({"POST", "PUT", "PATCH", "DELETE"})
    throttle_classes = [APIKeyThrottle]
    content_negotiation_class = ContentNegotiation
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class = None

    @property
    def organisation(self) -> Organisation:
        return self.request.auth.organisation

    def get_permissions(self) -> list:
        if self.request is not None and self.request.method in self.admin_methods:
            return [HasAdminScope()]
        return super().get_permissions()

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if getattr(self.request, "auth", None) is not None:
            context["organisation"] = self.organisation
        return context

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON even when the client asked for CSV or XLSX.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def query(self, serializer_class: type[serializers.Serializer]) -> dict:
        """Validated query parameters (400 with the field names when bad)."""
        parsed = serializer_class(data=self.request.query_params, context=self.get_serializer_context())
        parsed.is_valid(raise_exception=True)
        return parsed.validated_data


class TabularListView(APIKeyView):
    """A flat list in JSON (cursor-paginated), CSV (streamed) or XLSX, with one row function for all."""

    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]
    pagination_class = CursorPagination
    columns: Sequence[str]
    export_name: str

    def to_row(self, item: object) -> dict:
        raise NotImplementedError

    def get_renderers(self) -> list:
        # CSV and XLSX are for reading lists; a write answers in JSON.
        method = self.request.method if self.request is not None else "GET"
        # Writes and OPTIONS answer in JSON; unhandled methods keep every renderer and still get a 405.
        if method in {*self.admin_methods, "OPTIONS"} and hasattr(self, method.lower()):
            return [JSONRenderer()]
        return super().get_renderers()

    def get_serializer_context(self) -> dict:
        return super().get_serializer_context() | {"to_row": self.to_row}

    def tabular(self, items: object) -> HttpResponseBase | None:
        format = self.request.accepted_renderer.format
        if format not in TABULAR_FORMATS:
            return None
        return tabular_response(
            format=format, columns=self.columns, rows=items, to_row=self.to_row, name=self.export_name
        )

    def get(self, request: Request, *args: object, **kwargs: object) -> HttpResponseBase:
        return self.list(request)

    def list(self, request: Request) -> HttpResponseBase:
        queryset = self.filter_queryset(self.get_queryset())
        exported = self.tabular(queryset.iterator(chunk_size=2000))
        if exported is not None:
            return exported
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PublishedMixin:
    """Strong ETag and Last-Modified from the publication of the waves behind the figures, plus the
    query and format: a scheduled BI refresh that would get the same bytes gets a 304 instead."""

    def stamp_waves(self) -> list[Wave]:
        raise NotImplementedError

    def get(self, request: Request, *args: object, **kwargs: object) -> HttpResponseBase:
        versions, published_at = publication_stamp(waves=self.stamp_waves())
        identity = "|".join(
            [
                str(self.organisation.pk),
                versions,
                request.path,
                repr(sorted(request.query_params.lists())),
                request.accepted_media_type or "",
            ]
        )
        etag = quote_etag(hashlib.sha256(identity.encode()).hexdigest())
        last_modified = int(published_at.timestamp()) if published_at else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = self.list(request)
        response.headers["ETag"] = etag
        if last_modified is not None:
            response.headers["Last-Modified"] = http_date(last_modified)
        patch_vary_headers(response, ["Accept", "Authorization"])
        return response


__all__ = ["APIKeyView", "Conflict", "Gone", "PublishedMixin", "TabularListView", "errors", "write_errors"]
