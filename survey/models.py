"""Organisations, surveys, waves, invitations and the anonymous answers.

Anonymity (PRODUCT.md rule 1) shapes these tables: response-side rows use random UUID
keys, carry no user, time, language or invitation, and are written by a batch that mixes
many submissions (see survey.services.submission), never by the request that consumed the
invitation.
"""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def localized(instance: models.Model, field: str) -> str:
    """The French or English variant of `field`, following the active language."""
    language = (get_language() or "en")[:2]
    return getattr(instance, f"{field}_{language}", "") or getattr(instance, f"{field}_en")


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A node of the organisation's tree; a parent's figures cover all its descendants."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    headcount = models.PositiveIntegerField(default=0)
    external_id = models.CharField(max_length=100, blank=True, default="", help_text=_("Id in the HR system."))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="team_slug_unique_per_org"),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="team_external_id_unique_per_org",
            ),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamClosure(models.Model):
    """Every (ancestor, descendant) pair of the tree, a team being its own ancestor at depth 0.

    Lets aggregation roll leaf counts up to every parent with one SQL join.
    """

    ancestor = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    descendant = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="ancestor_links")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ancestor", "descendant"], name="team_closure_unique")]


class Survey(models.Model):
    """A questionnaire; `organisation` is empty for the built-in templates."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE)
    code = models.SlugField()
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200)
    intro_en = models.TextField(blank=True)
    intro_fr = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="survey_code_unique_per_org")]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def intro(self) -> str:
        return localized(self, "intro")


class Dimension(models.Model):
    class Kind(models.TextChoices):
        MEAN = "mean", _("Mean of its questions (0–100)")
        ENPS = "enps", _("Employee Net Promoter Score (−100 to 100)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MEAN)
    position = models.PositiveSmallIntegerField(default=0)
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200)
    description_en = models.TextField(blank=True)
    description_fr = models.TextField(blank=True)
    favourable_en = models.TextField(blank=True)
    favourable_fr = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="dimension_code_unique")]

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class Question(models.Model):
    class Type(models.TextChoices):
        LIKERT = "likert", _("Likert 1–5")
        FREQUENCY = "frequency", _("Frequency scale")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE10 = "scale10", _("0–10 scale")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    dimension = models.ForeignKey(Dimension, null=True, blank=True, on_delete=models.PROTECT, related_name="questions")
    code = models.SlugField(max_length=60, help_text=_("Stable code used by the API and exports."))
    type = models.CharField(max_length=10, choices=Type.choices)
    position = models.PositiveSmallIntegerField(default=0)
    text_en = models.TextField()
    text_fr = models.TextField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique")]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def is_text(self) -> bool:
        return self.type == self.Type.TEXT

    @property
    def is_multiple(self) -> bool:
        return self.type == self.Type.MULTIPLE


class Option(models.Model):
    """One answer choice. `score` (0–100) and `favourable` are the scoring rules, kept as data.

    Multiple-choice options use bit indexes as values: an answer stores the bitmask of the
    chosen options, so one row per answered question whatever the number of ticks.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    value = models.SmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    label_en = models.CharField(max_length=200)
    label_fr = models.CharField(max_length=200)
    score = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])
    favourable = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="option_value_unique")]

    def __str__(self) -> str:
        return f"{self.question.code}={self.value}"

    @property
    def label(self) -> str:
        return localized(self, "label")


class Wave(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="waves")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="waves")
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    k_min = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(10)],
        help_text=_("Minimum number of answers before a figure is shown. Fixed when the wave opens."),
    )
    k_comments = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text=_("Minimum number of answers before comments are shown. Fixed when the wave opens."),
    )
    allow_open_links = models.BooleanField(
        default=False,
        help_text=_("One reusable link per team instead of single-use links (weaker against duplicate answers)."),
    )

    class Meta:
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.k_comments < self.k_min:
            raise ValidationError({"k_comments": _("Must be at least the minimum group size k.")})
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Must be after the opening date.")})


class WaveTeam(models.Model):
    """A team as its wave froze it when it opened (PRODUCT.md rule 7): its parent and headcount then.

    Later edits of the tree apply to later waves only, so a closed wave's figures never change and
    re-parenting a team cannot turn the difference of two versions of a department into one person.
    `headcount` is the people in the team's whole subtree (the sum of its children's when HR left
    it at 0). `seats` counts what the team has used of it: single-use links issued plus answers
    through its open link. No team's subtree ever uses more seats than its headcount.
    """

    pk = models.CompositePrimaryKey("wave_id", "team_id")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="frozen_teams")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(Team, null=True, on_delete=models.PROTECT, related_name="+")
    headcount = models.PositiveIntegerField()
    seats = models.PositiveIntegerField(default=0)


class WaveTeamClosure(models.Model):
    """Every (ancestor, descendant) pair of a wave's frozen tree; what aggregation rolls counts up."""

    pk = models.CompositePrimaryKey("wave_id", "ancestor_id", "descendant_id")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    ancestor = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    descendant = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    depth = models.PositiveSmallIntegerField()


class Invitation(models.Model):
    """A link to answer a wave for one team. Only a hash of its secret is stored.

    Nothing here points to a response, and consuming it happens in its own transaction.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    reusable = models.BooleanField(default=False, help_text=_("An open team link."))
    used = models.BooleanField(default=False)


class PendingResponse(models.Model):
    """A submission waiting for the next mixing batch (survey.services.submission.pending_move)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    batch = models.UUIDField(null=True, blank=True, db_index=True)


class PendingAnswer(models.Model):
    pk = models.CompositePrimaryKey("pending_id", "question_id")
    pending = models.ForeignKey(PendingResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    value = models.IntegerField()


class PendingComment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pending = models.ForeignKey(PendingResponse, on_delete=models.CASCADE, related_name="comments")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()


class Response(models.Model):
    """One person's answers: a random key, a wave and a team, nothing else but `scored`.

    `scored` (the response answers at least one scored question, what participation counts)
    is a fact of its answers under the wave's frozen scoring, set when the batch is moved: it
    tells nothing the answers do not, and lets a full recount read participation from this
    table instead of a second pass over every answer of the wave (its index, in the order the
    recount groups them, serves the wave's lookups as well)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses", db_index=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    scored = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["wave", "scored", "team"], name="survey_response_counting")]


class Answer(models.Model):
    """One scored answer. `wave` and `team` are copied from the response so that aggregation is
    a single-table GROUP BY.

    The largest table by far: two indexes only, and no foreign-key constraints in the database, so
    that writing a batch and bulk loads stay cheap (a deferred check per row and key cost more at
    commit than moving the whole batch). The primary key also serves response lookups; the
    counting index holds every answer's (wave, team, question, value) in the order the recount
    groups them, so that the recount reads it alone, in order, instead of the whole table
    (analytics.services.recount). Rows are written only by `survey.services.submission.pending_move`,
    from the very rows that it writes into survey_response in the same transaction, with questions
    the submission checked against the frozen questionnaire; the ORM still cascades and protects
    on delete."""

    pk = models.CompositePrimaryKey("response_id", "question_id")
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", db_constraint=False, db_index=False
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    wave = models.ForeignKey(Wave, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False)
    team = models.ForeignKey(Team, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False)
    value = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["wave", "team", "question", "value"], name="survey_answer_counting")]


class Comment(models.Model):
    """Free text, scrubbed of personal data before it was stored, with no link to its response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="comments")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()


# --- Roles and the audit trail (PRODUCT.md rule 7) -------------------------------------------
# Kept at the end of the module so that edits to the tables above merge without conflicts.


class Membership(models.Model):
    """A user's role in one organisation. The admin and the HR pages decide what a user sees from this."""

    class Role(models.TextChoices):
        HR_ADMIN = "hr_admin", _("HR admin")
        MANAGER = "manager", _("Manager")
        STAFF_REP = "staff_rep", _("Staff representative")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    # A manager sees the subtree under this team. Deleting the team drops the membership rather
    # than widening the manager's view to the whole organisation.
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_per_org")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"

    def clean(self) -> None:
        if self.role == self.Role.MANAGER and self.team_id is None:
            raise ValidationError({"team": _("A manager needs the root team of their subtree.")})
        if self.team_id is not None and self.team.organisation_id != self.organisation_id:
            raise ValidationError({"team": _("The team belongs to another organisation.")})


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes would skip the model's refusal; refuse them here too."""

    def update(self, **kwargs):
        raise PermissionDenied("Audit events are append-only.")

    def delete(self):
        raise PermissionDenied("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing HR (or a key, or a command) did, readable by the staff representative.

    Rows form a hash chain per organisation (survey.services.audit): `seq` counts from 1 without
    gaps and `hash` covers the previous row's hash, so a row deleted or edited behind the
    application's back shows up in `audit_verify`. On PostgreSQL a trigger also refuses UPDATE,
    DELETE and TRUNCATE. Details never hold a survey link's secret or hash.
    """

    class Action(models.TextChoices):
        LINKS_ISSUED = "links_issued", _("Links issued")
        TEAM_CREATED = "team_created", _("Team created")
        TEAM_CHANGED = "team_changed", _("Team changed")
        TEAM_DELETED = "team_deleted", _("Team deleted")
        TREE_CHANGED = "tree_changed", _("Tree synchronised")
        WAVE_CREATED = "wave_created", _("Wave created")
        WAVE_OPENED = "wave_opened", _("Wave opened")
        WAVE_CLOSED = "wave_closed", _("Wave closed")
        SCORING_CHANGED = "scoring_changed", _("Scoring changed")
        SURVEY_COPIED = "survey_copied", _("Survey copied")
        API_KEY_CREATED = "api_key_created", _("API key created")
        API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
        MEMBER_ADDED = "member_added", _("Member added")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="audit_events")
    seq = models.PositiveBigIntegerField(help_text=_("Position in the organisation's chain, from 1."))
    # HR's actions, not respondents': the exact time is what a staff representative needs.
    at = models.DateTimeField()
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=30, choices=Action.choices)
    detail = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "-seq"]
        constraints = [models.UniqueConstraint(fields=["organisation", "seq"], name="audit_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionDenied("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit events are append-only.")
