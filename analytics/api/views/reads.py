"""Read endpoints (any key): the tree, surveys, waves and published figures of the key's organisation."""

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from analytics import cells
from analytics.api import filters, selectors
from analytics.api import serializers as rows
from analytics.api.views.base import APIKeyView, PublishedMixin, TabularListView, errors
from analytics.models import DriverResult, PublishedCell
from analytics.selectors import cell_questions, team_cell
from survey.models import Survey, Team, Wave

FORMAT = OpenApiParameter(
    "format", str, enum=["json", "csv", "xlsx"], description="Response format; `Accept: text/csv` works too."
)


class TeamListView(TabularListView):
    queryset = Team.objects.none()  # for the schema; get_queryset scopes to the key's organisation
    serializer_class = rows.TeamSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.TeamFilter
    columns = rows.TEAM_COLUMNS
    export_name = "teams"

    def get_queryset(self) -> QuerySet:
        return selectors.organisation_teams(organisation=self.organisation)

    def to_row(self, team: object) -> dict:
        if not hasattr(self, "_places"):
            self._places = selectors.team_places(organisation=self.organisation)
        return rows.team_row(team, self._places)

    @extend_schema(
        tags=["teams"],
        summary="The organisation's team tree, flat (parent, path, level)",
        parameters=[FORMAT],
        responses={200: rows.TeamSerializer(many=True), **errors(400, 406)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class WaveListView(TabularListView):
    queryset = Wave.objects.none()
    serializer_class = rows.WaveSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.WaveFilter
    columns = rows.WAVE_COLUMNS
    export_name = "waves"

    def get_queryset(self) -> QuerySet:
        return selectors.organisation_waves(organisation=self.organisation)

    def to_row(self, wave: object) -> dict:
        return rows.wave_row(wave)

    @extend_schema(
        tags=["waves"],
        summary="The organisation's waves",
        parameters=[FORMAT],
        responses={200: rows.WaveSerializer(many=True), **errors(400, 406)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["surveys"], responses={200: rows.SurveySerializer(many=True), **errors(400)})
class SurveyListView(APIKeyView, generics.ListAPIView):
    queryset = Survey.objects.none()
    serializer_class = rows.SurveySerializer
    pagination_class = TabularListView.pagination_class

    def get_queryset(self) -> QuerySet:
        return selectors.organisation_surveys(organisation=self.organisation)


@extend_schema(tags=["surveys"], responses={200: rows.SurveySerializer, **errors(404)})
class SurveyDetailView(APIKeyView, generics.RetrieveAPIView):
    queryset = Survey.objects.none()
    serializer_class = rows.SurveySerializer

    def get_queryset(self) -> QuerySet:
        return selectors.organisation_surveys(organisation=self.organisation)


class CellListView(PublishedMixin, TabularListView):
    queryset = PublishedCell.objects.none()
    serializer_class = rows.CellSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.CellFilter
    columns = cells.CELL_COLUMNS
    export_name = "cells"

    def wave(self) -> Wave:
        if not hasattr(self, "_wave"):
            filterset = self.filterset_class(self.request.query_params, queryset=None, request=self.request)
            if not filterset.form.is_valid():
                raise ValidationError(filterset.form.errors)
            self._wave = filterset.form.cleaned_data["wave"]
        return self._wave

    def stamp_waves(self) -> list[Wave]:
        return [self.wave()]

    def get_queryset(self) -> QuerySet:
        # The filterset narrows this further; the wave filter is then a no-op on the wave's own cells.
        return selectors.cells_for_wave(wave=self.wave())

    def to_row(self, cell: object) -> dict:
        if not hasattr(self, "_places"):
            self._places = selectors.team_places(organisation=self.organisation)
        return rows.cell_row(cell, self._places)

    @extend_schema(
        tags=["figures"],
        summary="Published cells of a wave, as one flat table",
        parameters=[FORMAT],
        responses={200: rows.CellSerializer(many=True), **errors(400, 406)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class ParticipationListView(CellListView):
    filterset_class = filters.ParticipationFilter
    export_name = "participation"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().filter(kind="participation")

    @extend_schema(
        tags=["figures"],
        summary="Participation per team (score = answers / headcount, in %)",
        parameters=[FORMAT],
        responses={200: rows.CellSerializer(many=True), **errors(400, 406)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class DriverListView(PublishedMixin, TabularListView):
    queryset = DriverResult.objects.none()
    serializer_class = rows.DriverSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.DriverFilter
    columns = rows.DRIVER_COLUMNS
    export_name = "drivers"
    wave = CellListView.wave

    def stamp_waves(self) -> list[Wave]:
        return [self.wave()]

    def get_queryset(self) -> QuerySet:
        return selectors.wave_drivers(wave=self.wave())

    def to_row(self, driver: object) -> dict:
        if not hasattr(self, "_places"):
            self._places = selectors.team_places(organisation=self.organisation)
        return rows.driver_row(driver, self._places)

    @extend_schema(
        tags=["figures"],
        summary="Drivers: how strongly each dimension moves fatigue and eNPS",
        parameters=[FORMAT],
        responses={200: rows.DriverSerializer(many=True), **errors(400, 406)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class HeatmapView(PublishedMixin, APIKeyView):
    serializer_class = rows.HeatmapSerializer

    def stamp_waves(self) -> list[Wave]:
        return [self.query(filters.HeatmapQuerySerializer)["wave"]]

    @extend_schema(
        tags=["figures"],
        summary="Heatmap of a wave: teams x dimensions",
        parameters=[filters.HeatmapQuerySerializer],
        responses={200: rows.HeatmapSerializer, **errors(400)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request) -> Response:
        params = self.query(filters.HeatmapQuerySerializer)
        wave, heatmap = params["wave"], params["map"]
        places = selectors.team_places(organisation=self.organisation)
        by_team: dict = {}
        for cell in selectors.heatmap_cells(wave=wave, heatmap=heatmap):
            by_team.setdefault((cell["team_id"], cell["team_slug"]), {})[cell["code"]] = cell
        codes = cells.HEATMAPS[heatmap]
        table = [
            {
                "team": str(team_id),
                "team_slug": slug,
                "team_path": places[team_id].path,
                "level": places[team_id].level,
                "cells": {code: cells.cell_figures(team_cells.get(code)) for code in codes},
            }
            for (team_id, slug), team_cells in sorted(by_team.items(), key=lambda item: places[item[0][0]].path)
        ]
        return Response({"wave": str(wave.pk), "map": heatmap, "dimensions": list(codes), "rows": table})


class TrendView(PublishedMixin, TabularListView):
    serializer_class = rows.TrendPointSerializer
    pagination_class = None
    filter_backends: list = []
    columns = rows.TREND_COLUMNS
    export_name = "trend"

    def params(self) -> dict:
        if not hasattr(self, "_params"):
            self._params = self.query(filters.TrendQuerySerializer)
        return self._params

    def stamp_waves(self) -> list[Wave]:
        return list(selectors.organisation_waves(organisation=self.organisation).filter(survey=self.params()["survey"]))

    def to_row(self, point: object) -> dict:
        params = self.params()
        return rows.trend_row(point, params["team"], params["kind"], params["code"])

    @extend_schema(
        tags=["figures"],
        summary="One measure of one team across the organisation's waves, oldest first",
        parameters=[filters.TrendQuerySerializer, FORMAT],
        responses={200: rows.TrendPointSerializer(many=True), **errors(400, 406)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request) -> Response:
        params = self.params()
        series = selectors.trend_cells(
            team=params["team"], survey=params["survey"], kind=params["kind"], code=params["code"]
        )
        exported = self.tabular(series)
        if exported is not None:
            return exported
        return Response(self.get_serializer(series, many=True).data)


class DistributionView(PublishedMixin, APIKeyView):
    serializer_class = rows.DistributionSerializer

    def stamp_waves(self) -> list[Wave]:
        return [self.query(filters.DistributionQuerySerializer)["wave"]]

    @extend_schema(
        tags=["figures"],
        summary="A dimension cell's questions and their published answer distributions (the HR drill-down)",
        parameters=[filters.DistributionQuerySerializer],
        responses={200: rows.DistributionSerializer, **errors(400)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request) -> Response:
        params = self.query(filters.DistributionQuerySerializer)
        wave, team, dimension = params["wave"], params["team"], params["dimension"]
        cell = team_cell(wave=wave, team=team, kind=PublishedCell.Kind.DIMENSION, code=dimension.code)
        questions = cell_questions(wave=wave, team=team, dimension=dimension)
        return Response(rows.distribution_body(wave, team, dimension, cell, questions))
