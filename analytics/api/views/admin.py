"""Admin endpoints (keys with the `admin` scope): teams, tree sync, waves and survey links.
Reads on the same URLs stay open to `read` keys; writes by a `read` key get 403."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.api import selectors, services
from analytics.api import serializers as rows
from analytics.api.views.base import APIKeyView, Conflict, Gone, errors, write_errors
from analytics.api.views.reads import TeamListView, WaveListView
from survey.models import Team, Wave
from survey.services.invitations import LinksRefused, SeatsExhausted, WaveNotIssuable, invitations_issue
from survey.services.teams import team_closure_rebuild
from survey.services.waves import wave_close, wave_create, wave_open


class TreeWriteMixin:
    organisation: object

    def check_tree(self) -> None:
        """Raised inside the view's transaction, so the write is rolled back."""
        try:
            services.tree_check_single_root(organisation=self.organisation)
        except services.TreeError as error:
            raise exceptions.ValidationError(error.errors) from None


class TeamCollectionView(TreeWriteMixin, TeamListView):
    @extend_schema(
        tags=["teams"],
        summary="Create a team (admin)",
        request=rows.TeamWriteSerializer,
        responses={201: rows.TeamSerializer, **write_errors()},
    )
    @transaction.atomic
    def post(self, request: Request) -> Response:
        payload = rows.TeamWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        team = payload.save(organisation=self.organisation)
        self.check_tree()
        team_closure_rebuild(organisation=self.organisation)
        places = selectors.team_places(organisation=self.organisation)
        return Response(rows.team_row(team, places), status=status.HTTP_201_CREATED)


class TeamDetailView(TreeWriteMixin, APIKeyView):
    queryset = Team.objects.none()  # for the schema; get_queryset scopes to the key's organisation
    serializer_class = rows.TeamSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.organisation_teams(organisation=self.organisation)

    def team_response(self, team: Team, code: int = status.HTTP_200_OK) -> Response:
        return Response(rows.team_row(team, selectors.team_places(organisation=self.organisation)), status=code)

    @extend_schema(tags=["teams"], summary="One team", responses={200: rows.TeamSerializer, **errors(404)})
    def get(self, request: Request, pk: str) -> Response:
        return self.team_response(self.get_object())

    @extend_schema(
        tags=["teams"],
        summary="Edit a team (admin)",
        request=rows.TeamWriteSerializer,
        responses={200: rows.TeamSerializer, **write_errors(404)},
    )
    @transaction.atomic
    def patch(self, request: Request, pk: str) -> Response:
        team = self.get_object()
        payload = rows.TeamWriteSerializer(team, data=request.data, partial=True, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        payload.save()
        self.check_tree()
        team_closure_rebuild(organisation=self.organisation)
        return self.team_response(team)

    @extend_schema(
        tags=["teams"],
        summary="Delete a team without children (admin)",
        description="Refused (409) while the team has children, survey links or published figures.",
        responses={204: None, **errors(403, 404, 409)},
    )
    def delete(self, request: Request, pk: str) -> Response:
        try:
            services.team_delete(team=self.get_object())
        except services.TeamHasChildren:
            raise Conflict("Move or delete this team's children first.", code="team_has_children") from None
        except services.TeamHasSurveyData:
            raise Conflict(
                "This team has survey links or published figures; deleting it would erase them.",
                code="team_has_survey_data",
            ) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamSyncView(APIKeyView):
    serializer_class = rows.TeamSyncItemSerializer

    @extend_schema(
        tags=["teams"],
        summary="Sync the tree from an HRIS by external id (admin, idempotent)",
        description="Creates missing teams and updates names, headcounts and parents. Teams absent from the "
        "payload are left as they are. Sending the same list twice changes nothing the second time.",
        request=rows.TeamSyncItemSerializer(many=True),
        responses={200: rows.TeamSyncResultSerializer, **write_errors()},
    )
    def post(self, request: Request) -> Response:
        payload = rows.TeamSyncItemSerializer(data=request.data, many=True, allow_empty=False)
        payload.is_valid(raise_exception=True)
        try:
            result = services.teams_sync(organisation=self.organisation, items=payload.validated_data)
        except services.TreeError as error:
            raise exceptions.ValidationError(error.errors) from None
        return Response(rows.TeamSyncResultSerializer(result).data)


class WaveCollectionView(WaveListView):
    @extend_schema(
        tags=["waves"],
        summary="Create a draft wave (admin)",
        request=rows.WaveCreateSerializer,
        responses={201: rows.WaveSerializer, **write_errors()},
    )
    def post(self, request: Request) -> Response:
        payload = rows.WaveCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        wave = wave_create(organisation=self.organisation, **payload.validated_data)
        return Response(rows.wave_row(wave), status=status.HTTP_201_CREATED)


class WaveDetailView(APIKeyView):
    queryset = Wave.objects.none()
    serializer_class = rows.WaveSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.organisation_waves(organisation=self.organisation)

    @extend_schema(tags=["waves"], summary="One wave", responses={200: rows.WaveSerializer, **errors(404)})
    def get(self, request: Request, pk: str) -> Response:
        return Response(rows.wave_row(self.get_object()))


class WaveTransitionView(WaveDetailView):
    """POST moves the wave through the survey service; a wrong state is a 409."""

    transition = staticmethod(wave_open)

    def post(self, request: Request, pk: str) -> Response:
        try:
            wave = self.transition(wave=self.get_object())
        except DjangoValidationError as error:
            raise Conflict(" ".join(error.messages), code="wrong_state") from None
        return Response(rows.wave_row(wave))


@extend_schema(tags=["waves"], summary="Open a draft wave (admin)", request=None)
class WaveOpenView(WaveTransitionView):
    transition = staticmethod(wave_open)

    @extend_schema(responses={200: rows.WaveSerializer, **errors(403, 404, 409)})
    def post(self, request: Request, pk: str) -> Response:
        return super().post(request, pk)


@extend_schema(tags=["waves"], summary="Close an open wave (admin); releases every answer", request=None)
class WaveCloseView(WaveTransitionView):
    transition = staticmethod(wave_close)

    @extend_schema(responses={200: rows.WaveSerializer, **errors(403, 404, 409)})
    def post(self, request: Request, pk: str) -> Response:
        return super().post(request, pk)


class WaveLinksView(WaveDetailView):
    serializer_class = rows.LinksRequestSerializer

    @extend_schema(
        tags=["waves"],
        summary="Issue single-use survey links for a team (admin); returned only once",
        description="Only for an open wave (409 while draft, 410 once closed), and never more links for a team, "
        "or for any team above it, than the headcount the wave froze when it opened (409 `headcount_reached`).",
        request=rows.LinksRequestSerializer,
        responses={201: rows.LinksSerializer, **write_errors(404, 409, 410)},
    )
    def post(self, request: Request, pk: str) -> Response:
        wave = self.get_object()
        payload = rows.LinksRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        team = selectors.organisation_teams(organisation=self.organisation).filter(pk=payload.validated_data["team"])
        if not team.exists():
            raise exceptions.ValidationError({"team": ["Unknown team."]})
        try:
            links = invitations_issue(wave=wave, team=team.get(), count=payload.validated_data["count"])
        except WaveNotIssuable as error:
            raise Gone(str(error)) if wave.status == Wave.Status.CLOSED else Conflict(str(error), error.code) from None
        except SeatsExhausted as error:
            raise Conflict(str(error), code=error.code) from None
        except LinksRefused as error:
            raise exceptions.ValidationError({"team": [str(error)]}) from None
        body = {
            "wave": str(wave.pk),
            "team": str(payload.validated_data["team"]),
            "links": [link.url for link in links],
        }
        response = Response(body, status=status.HTTP_201_CREATED)
        response.headers["Cache-Control"] = "no-store"  # secrets: never cached by a proxy
        return response
