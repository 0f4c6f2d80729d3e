"""POST /api/v1/submit/: the JSON way to answer, for chat bots and kiosks."""

from django.utils import translation
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from survey.parsers import BoundedJSONParser
from survey.services.errors import AnswersInvalid, SubmissionError
from survey.services.submission import submission_submit


class SubmitThrottle(AnonRateThrottle):
    scope = "submit"


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
    throttle_classes = [SubmitThrottle]

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
            429: OpenApiResponse(ErrorSerializer, description="Too many requests."),
        },
        summary="Submit one person's answers",
        tags=["submission"],
    )
    def post(self, request: Request) -> Response:
        envelope = SubmissionSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        with translation.override(envelope.validated_data["language"]):
            try:
                submitted = submission_submit(
                    token=envelope.validated_data["token"],
                    answers=envelope.validated_data["answers"],
                    language=envelope.validated_data["language"],
                )
            except AnswersInvalid as error:
                body = {"detail": error.detail, "code": error.code, "errors": error.errors, "error_count": error.count}
                return Response(body, status=error.status)
            except SubmissionError as error:
                return Response({"detail": error.detail, "code": error.code}, status=error.status)
            body = {
                "detail": str(translation.gettext("Thank you, your answers were recorded.")),
                "comments": submitted.clean.stored_comments,
            }
            return Response(body, status.HTTP_201_CREATED)
