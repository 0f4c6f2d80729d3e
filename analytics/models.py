"""Aggregates: live answer counts, the released snapshot, and the published cells.

Only `PublishedCell` and `DriverResult` are ever read by pages, the API or exports; the
count tables are inputs to the disclosure gate (analytics.disclosure).
"""

import uuid

from django.db import models
from rest_framework_api_key.models import AbstractAPIKey

from survey.models import Organisation, Question, Team, Wave

# Count tables are derived data, rebuilt by `aggregate --full`: integrity comes from the SQL that
# writes them, so they skip per-row foreign-key checks and the extra indexes; the ORM still
# cascades deletes. Their composite primary keys lead with the wave.
DERIVED = {"db_constraint": False, "db_index": False}


class AnswerCount(models.Model):
    """How many responses of `team` itself (not its descendants) gave `value` to `question`:
    all of them (`n`) and as of the team's last release (`released`, PRODUCT.md rule 4). For a
    multiple-choice question, as in `RolledCount`: a row per option (value = its bit, the people
    who ticked it) and value -1 (scoring.ANSWERED, the people who answered it).

    The sufficient statistic: n, mean score, favourable share and distribution all follow
    from it, and an increment is a plain addition, so full and incremental runs agree.
    """

    pk = models.CompositePrimaryKey("wave_id", "team_id", "question_id", "value")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+", **DERIVED)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", **DERIVED)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+", **DERIVED)
    value = models.IntegerField()
    n = models.PositiveIntegerField()
    released = models.PositiveIntegerField(default=0)


class RolledCount(models.Model):
    """Released counts summed over each team's whole subtree: what the published cells show.

    Kept up to date by adding each release's difference, so a release costs in proportion to the
    teams it touches, not to the history.
    """

    pk = models.CompositePrimaryKey("wave_id", "team_id", "question_id", "value")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+", **DERIVED)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", **DERIVED)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+", **DERIVED)
    value = models.IntegerField()
    n = models.IntegerField()


class TeamTally(models.Model):
    """Responses of one team itself that answered at least one scored question: all of them
    (`responses`), and those already released (`released`); `rolled` is what the published
    participation of the team's subtree holds (release chunks at the team or below it)."""

    pk = models.CompositePrimaryKey("wave_id", "team_id")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    responses = models.PositiveIntegerField(default=0)
    released = models.PositiveIntegerField(default=0)
    rolled = models.PositiveIntegerField(default=0)


class Publication(models.Model):
    """One row per wave: bumped each time its published cells change (ETag, Last-Modified)."""

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, primary_key=True, related_name="publication")
    version = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True)


class PublishedCell(models.Model):
    class Kind(models.TextChoices):
        DIMENSION = "dimension"
        QUESTION = "question"
        PARTICIPATION = "participation"
        COMMENTS = "comments"

    class Reason(models.TextChoices):
        SHOWN = ""
        NO_RESPONSES = "no_responses"
        MIN_GROUP = "min_group"
        COMPLEMENTARY = "complementary"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="published_cells")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=60)
    n = models.PositiveIntegerField(null=True)
    score = models.FloatField(null=True)
    favourable_pct = models.FloatField(null=True)
    distribution = models.JSONField(null=True)
    delta_previous = models.FloatField(null=True)
    suppressed = models.BooleanField(default=False)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "team", "kind", "code"], name="published_cell_unique")]
        indexes = [models.Index(fields=["wave", "kind", "code"], name="published_cell_measure")]


class PublishedDay(models.Model):
    """A team's published participation n as of one day (local date): the answers-per-day chart
    reads the increase from one day to the next. Responses carry no time (PRODUCT.md rule 1), so a
    day counts answers when publication released them, not when people gave them."""

    pk = models.CompositePrimaryKey("wave_id", "team_id", "day")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    n = models.PositiveIntegerField()


class DriverResult(models.Model):
    """How strongly a dimension moves an outcome (standardised coefficient), where n allows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="drivers")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=60)
    driver = models.CharField(max_length=60)
    coefficient = models.FloatField()
    r2 = models.FloatField()
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "team", "outcome", "driver"], name="driver_result_unique")
        ]


class OrganisationAPIKey(AbstractAPIKey):
    """A BI or HRIS client's key: stored as a hash, shown once, scoped to one organisation."""

    class Scope(models.TextChoices):
        READ = "read", "Read published aggregates"
        ADMIN = "admin", "Read, and manage teams, waves and links"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_keys")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "organisation API key"
        verbose_name_plural = "organisation API keys"


class CommentScore(models.Model):
    """What comment analytics read in one stored comment: language, sentiment, seeded theme and
    the wave's discovered topic. `wave`, `team` and `question` are copies of the comment's, so
    that publication is a single-table GROUP BY.

    `release_point` is where the comment's release chunk was published (the team itself, or an
    ancestor its answers were pooled into): null while it waits. Pages list and count only
    released comments, so what they show moves in whole chunks, as every figure does."""

    comment = models.OneToOneField(
        "survey.Comment", on_delete=models.CASCADE, primary_key=True, related_name="score", db_constraint=False
    )
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", **DERIVED)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+", **DERIVED)
    lang = models.CharField(max_length=2)
    sentiment = models.CharField(max_length=8)
    theme = models.CharField(max_length=20)
    topic = models.SmallIntegerField(null=True)
    model_version = models.CharField(max_length=40)
    release_point = models.ForeignKey(Team, null=True, on_delete=models.CASCADE, related_name="+", **DERIVED)


class WaveTopic(models.Model):
    """A recurring theme found in one wave's released comments of one language (NMF on TF-IDF),
    labelled by its top terms."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="topics")
    lang = models.CharField(max_length=2)
    index = models.SmallIntegerField()
    terms = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "lang", "index"], name="wave_topic_unique")]
