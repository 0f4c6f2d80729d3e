"""POST /api/v1/submit/: the JSON way to answer, for chat bots and kiosks."""

from django.utils import translation
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from survey.outage import REDIS_UNREACHABLE, redis_outage
from survey.services.errors import DATABASE_UNREACHABLE, AnswersInvalid, ServiceUnavailable, SubmissionError
from survey.services.submission import submission_submit


class SubmitThrottle(AnonRateThrottle):
    scope = "submit"

    def allow_request(self, request, view) -> bool:
        # The counts live in Redis: without it, refusing everyone would lose answers (survey/outage.py).
        if redis_outage.ongoing:
            return True
        try:
            return super().allow_request(request, view)
        except REDIS_UNREACHABLE as error:
            redis_outage.failed(error, "the submission throttle")
            return True


class SubmissionSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The secret part of the survey link.")
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="Question code → answer: an option value, a list of option values, or text.",
    )
    language = serializers.ChoiceField(choices=["en", "fr"], default="en", help_text="Language of the messages.")


ErrorSerializer = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.DictField(required=False),
    },
)


class SubmitView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
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
            400: OpenApiResponse(ErrorSerializer, description="Bad field(s): `errors` names each one."),
            404: OpenApiResponse(ErrorSerializer, description="Unknown token, or a wave not open yet."),
            409: OpenApiResponse(ErrorSerializer, description="The token was already used."),
            410: OpenApiResponse(ErrorSerializer, description="The wave is closed or the link expired."),
            429: OpenApiResponse(ErrorSerializer, description="Too many requests."),
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
        with translation.override(envelope.validated_data["language"]):
            try:
                submitted = submission_submit(
                    token=envelope.validated_data["token"],
                    answers=envelope.validated_data["answers"],
                    language=envelope.validated_data["language"],
                )
            except AnswersInvalid as error:
                body = {"detail": error.detail, "code": error.code, "errors": error.errors}
                return Response(body, status=error.status)
            except SubmissionError as error:
                return Response({"detail": error.detail, "code": error.code}, status=error.status)
            except DATABASE_UNREACHABLE:
                error = ServiceUnavailable()
                headers = {"Retry-After": str(error.retry_after)}
                return Response({"detail": error.detail, "code": error.code}, status=error.status, headers=headers)
            body = {
                "detail": str(translation.gettext("Thank you, your answers were recorded.")),
                "comments": submitted.clean.stored_comments,
            }
            return Response(body, status.HTTP_201_CREATED)
