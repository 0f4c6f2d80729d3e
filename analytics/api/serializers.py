"""Output rows and input payloads. Row dicts are built by plain functions so JSON, CSV and XLSX
share one definition and a large CSV does not pay for a serializer per row."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from analytics.api.selectors import is_in_subtree
from analytics.cells import CELL_FIGURES, HEATMAPS, cell_figures
from analytics.models import DriverResult, PublishedCell
from analytics.selectors import TeamPlace
from survey.models import Dimension, Option, Question, Survey, Team, Wave

TEAM_COLUMNS = ["id", "slug", "name", "parent", "path", "level", "headcount", "external_id"]
WAVE_COLUMNS = ["id", "name", "survey", "status", "opens_at", "closes_at", "k_min", "k_comments", "allow_open_links"]
DRIVER_COLUMNS = ["wave", "team", "team_slug", "team_path", "outcome", "driver", "coefficient", "r2", "n"]
TREND_COLUMNS = ["wave", "wave_name", "opens_at", "closes_at", "team", "kind", "code", *CELL_FIGURES]

_UNKNOWN = TeamPlace(path="", level=0)


def cell_row(cell: dict, places: dict) -> dict:
    place = places.get(cell["team_id"], _UNKNOWN)
    return {
        "wave": str(cell["wave_id"]),
        "team": str(cell["team_id"]),
        "team_slug": cell["team_slug"],
        "team_path": place.path,
        "level": place.level,
        "kind": cell["kind"],
        "code": cell["code"],
        **cell_figures(cell),
    }


def team_row(team: Team, places: dict) -> dict:
    place = places.get(team.pk, _UNKNOWN)
    return {
        "id": str(team.pk),
        "slug": team.slug,
        "name": team.name,
        "parent": str(team.parent_id) if team.parent_id else None,
        "path": place.path,
        "level": place.level,
        "headcount": team.headcount,
        "external_id": team.external_id,
    }


def driver_row(driver: DriverResult, places: dict) -> dict:
    return {
        "wave": str(driver.wave_id),
        "team": str(driver.team_id),
        "team_slug": driver.team.slug,
        "team_path": places.get(driver.team_id, _UNKNOWN).path,
        "outcome": driver.outcome,
        "driver": driver.driver,
        "coefficient": driver.coefficient,
        "r2": driver.r2,
        "n": driver.n,
    }


def trend_row(point: tuple[Wave, dict | None], team: Team, kind: str, code: str) -> dict:
    wave, cell = point
    return {
        "wave": str(wave.pk),
        "wave_name": wave.name,
        "opens_at": wave.opens_at,
        "closes_at": wave.closes_at,
        "team": str(team.pk),
        "kind": kind,
        "code": code,
        **cell_figures(cell),
    }


class RowSerializer(serializers.Serializer):
    """Read-only: declares the fields for the schema, renders with the row function."""

    def to_representation(self, instance: object) -> dict:
        return self.context["to_row"](instance)


class CellFiguresSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True, help_text="0-100 (eNPS: -100 to 100); null when suppressed.")
    n = serializers.IntegerField(allow_null=True, help_text="People behind the figure; null when suppressed.")
    favourable_pct = serializers.FloatField(allow_null=True)
    delta_org = serializers.FloatField(allow_null=True, help_text="Score minus the organisation's score.")
    delta_previous = serializers.FloatField(allow_null=True, help_text="Score minus the previous wave's score.")
    suppressed = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=PublishedCell.Reason.choices, allow_blank=True, help_text="Why the figure is hidden; empty if shown."
    )


class CellSerializer(RowSerializer, CellFiguresSerializer):
    wave = serializers.UUIDField()
    team = serializers.UUIDField()
    team_slug = serializers.CharField()
    team_path = serializers.CharField(help_text='e.g. "Lumen Industries / Engineering / Platform".')
    level = serializers.IntegerField(help_text="Depth in the tree; the organisation's root team is 0.")
    kind = serializers.ChoiceField(choices=PublishedCell.Kind.choices)
    code = serializers.CharField(help_text="Dimension or question code.")


class TeamSerializer(RowSerializer):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.UUIDField(allow_null=True)
    path = serializers.CharField()
    level = serializers.IntegerField()
    headcount = serializers.IntegerField()
    external_id = serializers.CharField(allow_blank=True)


class DriverSerializer(RowSerializer):
    wave = serializers.UUIDField()
    team = serializers.UUIDField()
    team_slug = serializers.CharField()
    team_path = serializers.CharField()
    outcome = serializers.CharField(help_text="The dimension explained, e.g. fatigue or enps.")
    driver = serializers.CharField(help_text="The dimension that moves it.")
    coefficient = serializers.FloatField(help_text="Standardised regression coefficient.")
    r2 = serializers.FloatField()
    n = serializers.IntegerField()


class TrendPointSerializer(RowSerializer, CellFiguresSerializer):
    wave = serializers.UUIDField()
    wave_name = serializers.CharField()
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    team = serializers.UUIDField()
    kind = serializers.CharField()
    code = serializers.CharField()


class AnswerCountSerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="The option's value (see the survey's questions).")
    label_en = serializers.CharField()
    label_fr = serializers.CharField()
    count = serializers.IntegerField(help_text="People who gave this answer.")
    share = serializers.FloatField(allow_null=True, help_text="% of the question's n (multiple choice: >100 in all).")


class QuestionDistributionSerializer(CellFiguresSerializer):
    code = serializers.CharField()
    text_en = serializers.CharField()
    text_fr = serializers.CharField()
    answers = AnswerCountSerializer(many=True, help_text="Empty when the question's cell is hidden.")


class DistributionSerializer(serializers.Serializer):
    wave = serializers.UUIDField()
    team = serializers.UUIDField()
    dimension = serializers.CharField()
    cell = CellFiguresSerializer(help_text="The dimension's own published cell.")
    questions = QuestionDistributionSerializer(many=True)


def distribution_body(wave: Wave, team: Team, dimension: Dimension, cell: dict | None, questions: list) -> dict:
    """What the HR pages' drill-down shows, for a BI client: the same selector, the same figures."""
    return {
        "wave": str(wave.pk),
        "team": str(team.pk),
        "dimension": dimension.code,
        "cell": cell_figures(cell),
        "questions": [
            {
                "code": item.question.code,
                "text_en": item.question.text_en,
                "text_fr": item.question.text_fr,
                **item.figures,
                "answers": [
                    {
                        "value": answer.option.value,
                        "label_en": answer.option.label_en,
                        "label_fr": answer.option.label_fr,
                        "count": answer.count,
                        "share": answer.share,
                    }
                    for answer in item.answers
                ],
            }
            for item in questions
        ],
    }


class HeatmapRowSerializer(serializers.Serializer):
    team = serializers.UUIDField()
    team_slug = serializers.CharField()
    team_path = serializers.CharField()
    level = serializers.IntegerField()
    cells = serializers.DictField(child=CellFiguresSerializer(), help_text="Dimension code -> figures.")


class HeatmapSerializer(serializers.Serializer):
    wave = serializers.UUIDField()
    map = serializers.ChoiceField(choices=list(HEATMAPS))
    dimensions = serializers.ListField(child=serializers.CharField())
    rows = HeatmapRowSerializer(many=True)


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["value", "position", "label_en", "label_fr", "score", "favourable"]
        extra_kwargs = {
            "value": {"help_text": "What an answer stores, and the key of a published distribution."},
            "score": {"help_text": "0-100; null for an option that does not count in the score."},
        }


class QuestionSerializer(serializers.ModelSerializer):
    dimension = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["code", "type", "dimension", "position", "text_en", "text_fr", "options"]


class DimensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dimension
        fields = ["code", "kind", "position", "name_en", "name_fr", "description_en", "description_fr"]


class SurveySerializer(serializers.ModelSerializer):
    dimensions = DimensionSerializer(many=True, read_only=True)
    questions = QuestionSerializer(many=True, read_only=True)
    builtin = serializers.SerializerMethodField(help_text="A built-in template shared by every organisation.")

    class Meta:
        model = Survey
        fields = ["id", "code", "name_en", "name_fr", "builtin", "dimensions", "questions"]

    def get_builtin(self, survey: Survey) -> bool:
        return survey.organisation_id is None


def wave_row(wave: Wave) -> dict:
    return {column: getattr(wave, column) for column in WAVE_COLUMNS if column != "survey"} | {
        "id": str(wave.pk),
        "survey": str(wave.survey_id),
    }


class WaveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Wave
        fields = WAVE_COLUMNS
        read_only_fields = ["id", "status"]

    def to_representation(self, instance: Wave) -> dict:
        return wave_row(instance)

    def validate_survey(self, survey: Survey) -> Survey:
        organisation = self.context["organisation"]
        if survey.organisation_id not in (None, organisation.pk):
            raise serializers.ValidationError("Unknown survey.", code="does_not_exist")
        return survey

    def validate(self, attrs: dict) -> dict:
        # The model's own rules (k_comments >= k_min, dates in order), as 400s.
        wave = Wave(organisation=self.context["organisation"], **attrs)
        try:
            wave.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return attrs


class WaveCreateSerializer(WaveSerializer):
    class Meta(WaveSerializer.Meta):
        extra_kwargs = {"survey": {"pk_field": serializers.UUIDField()}}


class TeamWriteSerializer(serializers.ModelSerializer):
    """Creates or edits one team; the tree is re-derived after every write (closure table)."""

    class Meta:
        model = Team
        fields = ["slug", "name", "parent", "headcount", "external_id"]
        extra_kwargs = {"parent": {"pk_field": serializers.UUIDField(), "required": False, "allow_null": True}}
        # Uniqueness per organisation is checked in validate(): the organisation is not a field here.
        validators: list = []

    def validate_parent(self, parent: Team | None) -> Team | None:
        if parent is not None and parent.organisation_id != self.context["organisation"].pk:
            raise serializers.ValidationError("Unknown team.", code="does_not_exist")
        if parent is not None and self.instance is not None and is_in_subtree(team=parent, root=self.instance):
            raise serializers.ValidationError("A team cannot move under itself or its descendants.", code="cycle")
        return parent

    def validate(self, attrs: dict) -> dict:
        teams = Team.objects.filter(organisation=self.context["organisation"])
        if self.instance is not None:
            teams = teams.exclude(pk=self.instance.pk)
        if "slug" in attrs and teams.filter(slug=attrs["slug"]).exists():
            raise serializers.ValidationError({"slug": ["A team with this slug already exists."]}, code="unique")
        if attrs.get("external_id") and teams.filter(external_id=attrs["external_id"]).exists():
            raise serializers.ValidationError({"external_id": ["A team with this external id already exists."]})
        return attrs


class TeamSyncItemSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=200)
    parent_external_id = serializers.CharField(max_length=100, allow_blank=True, allow_null=True, default=None)
    headcount = serializers.IntegerField(min_value=0, max_value=2_147_483_647, default=0)  # the column's range


class TeamSyncResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class LinksRequestSerializer(serializers.Serializer):
    team = serializers.UUIDField(help_text="Team id (of the key's organisation).")
    count = serializers.IntegerField(min_value=1, max_value=10_000, default=1)


class LinksSerializer(serializers.Serializer):
    wave = serializers.UUIDField()
    team = serializers.UUIDField()
    links = serializers.ListField(child=serializers.URLField(), help_text="Single-use links; shown only this once.")
