"""POST /api/v1/submit/: the JSON way to answer, for chat bots and kiosks."""

from django.utils import translation
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from survey.parsers import BoundedJSONParser
from survey.services.errors import DATABASE_UNREACHABLE, AnswersInvalid, ServiceUnavailable, SubmissionError, Throttled
from survey.services.submission import submission_submit
from survey.throttling import failure_count, open_link_admit


class AnswersField(serializers.DictField):
    """An object of answers, its values left to the submission service: it caps their number at the
    questionnaire's size before checking any (DictField's own walk would check every value first)."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        return data


class SubmissionSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The secret part of the survey link.")
    answers = AnswersField(
        child=serializers.JSONField(allow_null=True),
        help_text="Question code → answer: an option value, a list of option values, or text.",
    )
    language = serializers.ChoiceField(
        choices=["en", "fr"],
        default="en",
        help_text="Language of the messages.",
        # DRF's message would echo the value, whatever its size.
        error_messages={"invalid_choice": 'Expected "en" or "fr".'},
    )


ErrorSerializer = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.DictField(required=False),
        "error_count": serializers.IntegerField(
            required=False, help_text="How many answers were bad; `errors` names the first ten."
        ),
    },
)


class SubmitView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    parser_classes = [BoundedJSONParser]
    # No DRF throttle: a per-address limit on every request would turn away a company behind one
    # proxy. survey/throttling.py counts refusals and open-link answers instead (handle_exception).
    throttle_classes: list = []

    @extend_schema(
        request=SubmissionSerializer,
        responses={
            201: OpenApiResponse(
                inline_serializer(
                    "Submitted",
                    {
                        "detail": serializers.CharField(),
                        "comments": serializers.DictField(
                            child=serializers.CharField(),
                            help_text="Question code → the comment exactly as stored, after personal data "
                            "(names, e-mail addresses, phone numbers...) was replaced by placeholders such as "
                            "[NAME]. Show it to the person: it is all that was kept of what they wrote.",
                        ),
                    },
                ),
                description="Stored. The body says which comments were stored, and in which form.",
            ),
            400: OpenApiResponse(
                ErrorSerializer,
                description="Bad field(s): `errors` names them (the first ten, `error_count` says how many). "
                "Also a body that is not JSON (`parse_error`), not UTF-8 (`invalid_encoding`) or nested "
                "too deep (`too_deep`).",
            ),
            404: OpenApiResponse(ErrorSerializer, description="Unknown token, or a wave not open yet."),
            409: OpenApiResponse(ErrorSerializer, description="The token was already used."),
            410: OpenApiResponse(ErrorSerializer, description="The wave is closed or the link expired."),
            413: OpenApiResponse(ErrorSerializer, description="The body is larger than 256 kB (`too_large`)."),
            415: OpenApiResponse(
                ErrorSerializer, description="Not `application/json` in UTF-8 (`unsupported_media_type`)."
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many refused submissions, or answers through one open link, from this "
                "client (`throttled`); `Retry-After` says when to try again. A valid single-use token is "
                "never refused for it.",
            ),
            503: OpenApiResponse(
                ErrorSerializer,
                description="The database cannot be reached: nothing was stored and the token still works. "
                "Send the same request again after `Retry-After` seconds.",
            ),
        },
        summary="Submit one person's answers",
        tags=["submission"],
    )
    def post(self, request: Request) -> Response:
        envelope = SubmissionSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        self.language = envelope.validated_data["language"]
        with translation.override(self.language):
            submitted = submission_submit(
                token=envelope.validated_data["token"],
                answers=envelope.validated_data["answers"],
                language=self.language,
                admit=lambda invitation: open_link_admit(request=request, invitation=invitation),
            )
            body = {
                "detail": str(translation.gettext("Thank you, your answers were recorded.")),
                "comments": submitted.clean.stored_comments,
            }
        return Response(body, status.HTTP_201_CREATED)

    def handle_exception(self, exc: Exception) -> Response:
        """Every refused submission counts against its client (survey/throttling.py). Past the limit
        the refusal becomes a 429, except for a link that can still answer: its invalid answers
        keep their 400, since only that link's holder can correct them."""
        # In the request's language throughout: the messages are made when the errors are.
        with translation.override(getattr(self, "language", None) or translation.get_language()):
            return self._error_response(exc)

    def _error_response(self, exc: Exception) -> Response:
        if _refused(exc):
            throttled = failure_count(request=self.request)
            if throttled is not None and not isinstance(exc, AnswersInvalid):
                exc = throttled
        if isinstance(exc, Throttled):
            # DRF's own 429 (the one error shape, and Retry-After), with our message.
            throttled = exceptions.Throttled(detail=exc.detail)
            throttled.wait = exc.retry_after
            exc = throttled
        elif isinstance(exc, DATABASE_UNREACHABLE):
            # Nothing was stored and the link still works: say so, and when to come back.
            exc = ServiceUnavailable()
            headers = {"Retry-After": str(exc.retry_after)}
            return Response({"detail": exc.detail, "code": exc.code}, status=exc.status, headers=headers)
        elif isinstance(exc, AnswersInvalid):
            body = {"detail": exc.detail, "code": exc.code, "errors": exc.errors, "error_count": exc.count}
            return Response(body, status=exc.status)
        elif isinstance(exc, SubmissionError):
            return Response({"detail": exc.detail, "code": exc.code}, status=exc.status)
        return super().handle_exception(exc)


def _refused(exc: Exception) -> bool:
    """A client's error (a bad link, bad answers, a bad body), not ours, nor a 429 already."""
    if isinstance(exc, Throttled | exceptions.Throttled):
        return False
    if isinstance(exc, SubmissionError):
        return True
    return isinstance(exc, exceptions.APIException) and 400 <= exc.status_code < 500
