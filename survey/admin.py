"""HR's admin. Raw responses, answers and comments are deliberately not registered.

Every ModelAdmin is scoped by organisation and role (survey.admin_scope).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from survey.admin_scope import (
    EVERY_ROLE,
    HR_ONLY,
    ScopedAdmin,
    ScoringAdmin,
    ScoringInline,
    editable_surveys,
    member_organisations,
)
from survey.models import AuditEvent, Dimension, Membership, Option, Organisation, Question, Survey, Team, Wave
from survey.services.surveys import survey_copy
from survey.services.teams import team_closure_rebuild
from survey.services.waves import wave_close, wave_open

# The default filter lists every row of the related table, other organisations' included.
only_related = admin.RelatedOnlyFieldListFilter


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    organisation_path = "pk"
    edit_roles = frozenset()  # organisations are set up by an operator

    def organisation_id_of(self, obj: Organisation) -> object:
        return obj.pk


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "parent", "headcount", "organisation"]
    list_filter = [("organisation", only_related)]
    search_fields = ["name", "slug", "external_id"]
    prepopulated_fields = {"slug": ["name"]}

    def foreign_key_choices(self, field_name, request):
        if field_name == "parent":
            return Team.objects.filter(organisation__in=member_organisations(request, HR_ONLY))
        return super().foreign_key_choices(field_name, request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        team_closure_rebuild(organisation=obj.organisation)


class DimensionInline(ScoringInline, admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ["position", "code", "kind", "name_en", "name_fr"]


class OptionInline(ScoringInline, admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Survey)
class SurveyAdmin(ScoringAdmin):
    list_display = ["name_en", "code", "organisation"]
    list_filter = [("organisation", only_related)]
    inlines = [DimensionInline]
    actions = ["copy_surveys"]

    def survey_of(self, obj: Survey) -> Survey:
        return obj

    def get_readonly_fields(self, request, obj=None):
        # Moving a survey would move the waves that use it out of their organisation's reach.
        return ["organisation"] if obj and not request.user.is_superuser else []

    def _copy_target(self, request, survey: Survey) -> Organisation | None:
        """The survey's own organisation if the user may edit it, else the only one they may."""
        editable = member_organisations(request, HR_ONLY)
        if survey.organisation_id and editable.filter(pk=survey.organisation_id).exists():
            return survey.organisation
        candidates = list(editable[:2])
        return candidates[0] if len(candidates) == 1 else None

    @admin.action(description="Copy into my organisation (to edit the scoring)", permissions=["add"])
    def copy_surveys(self, request, queryset):
        for survey in queryset:
            target = self._copy_target(request, survey)
            if target is None:
                self.message_user(
                    request, f"{survey}: no single organisation of yours to copy it into.", messages.ERROR
                )
                continue
            copy = survey_copy(survey=survey, organisation=target)
            self.message_user(request, f"Copied {survey} into {target} as {copy.code}.", messages.SUCCESS)


@admin.register(Question)
class QuestionAdmin(ScoringAdmin):
    list_display = ["code", "dimension", "type", "position", "survey"]
    list_filter = [("survey", only_related), ("dimension", only_related), "type"]
    search_fields = ["code", "text_en", "text_fr"]
    inlines = [OptionInline]
    organisation_path = "survey__organisation"

    def survey_of(self, obj: Question) -> Survey:
        return obj.survey

    def has_change_permission(self, request, obj=None):
        return self.scoring_editable(request, obj) if obj is not None else super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def foreign_key_choices(self, field_name, request):
        if field_name == "survey":
            return editable_surveys(request)
        if field_name == "dimension":
            return Dimension.objects.filter(survey__in=editable_surveys(request))
        return super().foreign_key_choices(field_name, request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Superusers too: a frozen survey takes no new question, whoever asks.
        if db_field.name in ("survey", "dimension") and request.user.is_superuser:
            opened = Wave.objects.exclude(status=Wave.Status.DRAFT).values("survey_id")
            field = "pk" if db_field.name == "survey" else "survey_id"
            kwargs["queryset"] = db_field.related_model.objects.exclude(**{f"{field}__in": opened})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Wave)
class WaveAdmin(ScopedAdmin):
    list_display = ["name", "organisation", "status", "opens_at", "closes_at", "k_min", "k_comments"]
    list_filter = ["status", ("organisation", only_related)]
    actions = ["open_waves", "close_waves"]

    def get_readonly_fields(self, request, obj=None):
        # k and k_comments are part of the promise made to respondents, and the survey holds the
        # scoring: all frozen once open.
        return (
            ["status", "organisation", "survey", "k_min", "k_comments", "allow_open_links"]
            if obj and obj.status != Wave.Status.DRAFT
            else ["status"]
        )

    def foreign_key_choices(self, field_name, request):
        if field_name == "survey":
            return Survey.objects.filter(organisation__in=member_organisations(request, HR_ONLY)) | (
                Survey.objects.filter(organisation__isnull=True)
            )
        return super().foreign_key_choices(field_name, request)

    def _apply(self, request, queryset, service):
        for wave in queryset:
            try:
                service(wave=wave)
            except ValidationError as error:
                self.message_user(request, f"{wave}: {'; '.join(error.messages)}", messages.ERROR)

    @admin.action(description="Open the selected waves", permissions=["change"])
    def open_waves(self, request, queryset):
        self._apply(request, queryset, wave_open)

    @admin.action(description="Close the selected waves", permissions=["change"])
    def close_waves(self, request, queryset):
        self._apply(request, queryset, wave_close)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    """Read-only to members: roles are granted by an operator (`manage.py create_member`)."""

    list_display = ["user", "role", "organisation", "team"]
    list_filter = ["role", ("organisation", only_related)]
    view_roles = frozenset({Membership.Role.HR_ADMIN, Membership.Role.STAFF_REP})
    edit_roles = frozenset()


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """The audit trail: readable by every member of the organisation, changed by nobody."""

    list_display = ["at", "action", "actor", "detail", "organisation"]
    list_filter = ["action", ("organisation", only_related)]
    search_fields = ["actor"]
    view_roles = EVERY_ROLE
    edit_roles = frozenset()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
