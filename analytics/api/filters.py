"""Query parameters of the read endpoints. Choices are limited to the key's organisation, so an
unknown or foreign id is a 400 ("Select a valid choice"), never an empty list."""

import django_filters
from django.db.models import F, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from analytics.api.selectors import organisation_surveys, organisation_teams, organisation_waves, subtree_ids
from analytics.cells import HEATMAPS
from analytics.models import DriverResult, PublishedCell
from survey.models import Organisation, Question, Team, Wave


def _organisation(request: Request | None) -> Organisation | None:
    # No request while drf-spectacular builds the schema: an empty choice list then.
    return request.auth.organisation if request is not None and request.auth is not None else None


def _waves(request: Request | None) -> QuerySet:
    return organisation_waves(organisation=_organisation(request))


def _teams(request: Request | None) -> QuerySet:
    return organisation_teams(organisation=_organisation(request))


@extend_schema_field(OpenApiTypes.UUID)
class TeamChoiceFilter(django_filters.ModelChoiceFilter):
    """A team id of the key's organisation (typed for the schema: the filter's method takes a Team)."""


class CellFilter(django_filters.FilterSet):
    wave = django_filters.ModelChoiceFilter(queryset=_waves, required=True, help_text="Wave id (required).")
    team = django_filters.ModelChoiceFilter(queryset=_teams, help_text="Only this team's cells.")
    subtree = TeamChoiceFilter(
        queryset=_teams, method="filter_subtree", help_text="A team id: that team and all its descendants."
    )
    kind = django_filters.ChoiceFilter(choices=PublishedCell.Kind.choices)
    code = django_filters.CharFilter(help_text="A dimension or question code.")
    dimension = django_filters.CharFilter(
        method="filter_dimension", help_text="A dimension code: that dimension's cell and its questions' cells."
    )

    class Meta:
        model = PublishedCell
        fields = ["wave", "team", "subtree", "kind", "code", "dimension"]

    def filter_subtree(self, queryset: QuerySet, name: str, team: object) -> QuerySet:
        return queryset.filter(team_id__in=subtree_ids(team=team))

    def filter_dimension(self, queryset: QuerySet, name: str, code: str) -> QuerySet:
        wave = self.form.cleaned_data["wave"]
        if not wave.survey.dimensions.filter(code=code).exists():
            raise serializers.ValidationError({"dimension": [f"Unknown dimension {code!r} for this wave's survey."]})
        questions = Question.objects.filter(survey=wave.survey_id, dimension__code=code).values("code")
        return queryset.filter(Q(kind=PublishedCell.Kind.DIMENSION, code=code) | Q(kind="question", code__in=questions))


class ParticipationFilter(django_filters.FilterSet):
    wave = django_filters.ModelChoiceFilter(queryset=_waves, required=True, help_text="Wave id (required).")
    team = django_filters.ModelChoiceFilter(queryset=_teams, help_text="Only this team.")
    subtree = TeamChoiceFilter(
        queryset=_teams, method="filter_subtree", help_text="A team id: that team and all its descendants."
    )

    class Meta:
        model = PublishedCell
        fields = ["wave", "team", "subtree"]

    filter_subtree = CellFilter.filter_subtree


class DriverFilter(django_filters.FilterSet):
    wave = django_filters.ModelChoiceFilter(queryset=_waves, required=True, help_text="Wave id (required).")
    team = django_filters.ModelChoiceFilter(queryset=_teams)
    outcome = django_filters.CharFilter(help_text="e.g. fatigue or enps.")

    class Meta:
        model = DriverResult
        fields = ["wave", "team", "outcome"]


class TeamFilter(django_filters.FilterSet):
    subtree = TeamChoiceFilter(
        queryset=_teams, method="filter_subtree", help_text="A team id: that team and all its descendants."
    )
    external_id = django_filters.CharFilter()

    class Meta:
        model = Team
        fields = ["subtree", "external_id"]

    def filter_subtree(self, queryset: QuerySet, name: str, team: object) -> QuerySet:
        return queryset.filter(pk__in=subtree_ids(team=team))


class WaveFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Wave.Status.choices)
    survey = django_filters.ModelChoiceFilter(
        queryset=lambda request: organisation_surveys(organisation=_organisation(request))
    )

    class Meta:
        model = Wave
        fields = ["status", "survey"]


class WaveQuerySerializer(serializers.Serializer):
    """`?wave=` for the endpoints that take no other filter; validated against the key's organisation."""

    wave = serializers.UUIDField(help_text="Wave id (required).")

    def validate_wave(self, wave_id: object) -> object:
        wave = organisation_waves(organisation=self.context["organisation"]).filter(pk=wave_id).first()
        if wave is None:
            raise serializers.ValidationError("Unknown wave.", code="does_not_exist")
        return wave


class HeatmapQuerySerializer(WaveQuerySerializer):
    map = serializers.ChoiceField(choices=list(HEATMAPS), help_text="adoption or wellbeing.")


class DistributionQuerySerializer(WaveQuerySerializer):
    team = serializers.UUIDField(help_text="Team id.")
    dimension = serializers.CharField(max_length=60, help_text="Dimension code, e.g. fatigue.")

    def validate(self, attrs: dict) -> dict:
        wave = attrs["wave"]
        attrs["team"] = organisation_teams(organisation=self.context["organisation"]).filter(pk=attrs["team"]).first()
        if attrs["team"] is None:
            raise serializers.ValidationError({"team": ["Unknown team."]}, code="does_not_exist")
        attrs["dimension"] = wave.survey.dimensions.filter(code=attrs["dimension"]).first()
        if attrs["dimension"] is None:
            raise serializers.ValidationError({"dimension": ["Unknown dimension for this wave's survey."]})
        return attrs


class TrendQuerySerializer(serializers.Serializer):
    team = serializers.UUIDField(help_text="Team id.")
    kind = serializers.ChoiceField(choices=PublishedCell.Kind.choices, default=PublishedCell.Kind.DIMENSION)
    code = serializers.CharField(max_length=60, help_text="Dimension or question code, e.g. fatigue.")
    survey = serializers.UUIDField(
        required=False, help_text="Survey id; by default the survey of the organisation's latest wave."
    )

    def validate_team(self, team_id: object) -> object:
        team = organisation_teams(organisation=self.context["organisation"]).filter(pk=team_id).first()
        if team is None:
            raise serializers.ValidationError("Unknown team.", code="does_not_exist")
        return team

    def validate_survey(self, survey_id: object) -> object:
        survey = organisation_surveys(organisation=self.context["organisation"]).filter(pk=survey_id).first()
        if survey is None:
            raise serializers.ValidationError("Unknown survey.", code="does_not_exist")
        return survey

    def validate(self, attrs: dict) -> dict:
        if "survey" not in attrs:
            waves = organisation_waves(organisation=self.context["organisation"])
            latest = waves.order_by(F("opens_at").desc(nulls_last=True), "-id").first()
            if latest is None:
                raise serializers.ValidationError({"survey": ["The organisation has no wave yet."]})
            attrs["survey"] = latest.survey
        survey, kind, code = attrs["survey"], attrs["kind"], attrs["code"]
        known = {
            PublishedCell.Kind.DIMENSION: survey.dimensions.filter(code=code).exists,
            PublishedCell.Kind.QUESTION: survey.questions.filter(code=code).exclude(type="text").exists,
            PublishedCell.Kind.COMMENTS: survey.questions.filter(code=code, type="text").exists,
            PublishedCell.Kind.PARTICIPATION: lambda: code == PublishedCell.Kind.PARTICIPATION,
        }[kind]()
        if not known:
            raise serializers.ValidationError({"code": [f"Unknown {kind} code {code!r} for this survey."]})
        return attrs
