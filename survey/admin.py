"""HR's admin. Raw responses, answers and comments are deliberately not registered."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from survey.models import Dimension, Option, Organisation, Question, Survey, Team, Wave
from survey.services.teams import team_closure_rebuild
from survey.services.waves import wave_close, wave_open


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "headcount", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "slug", "external_id"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        team_closure_rebuild(organisation=obj.organisation)


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ["position", "code", "kind", "name_en", "name_fr"]


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["name_en", "code", "organisation"]
    inlines = [DimensionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "dimension", "type", "position", "survey"]
    list_filter = ["survey", "dimension", "type"]
    search_fields = ["code", "text_en", "text_fr"]
    inlines = [OptionInline]


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "status", "opens_at", "closes_at", "k_min", "k_comments"]
    list_filter = ["status", "organisation"]
    actions = ["open_waves", "close_waves"]

    def get_readonly_fields(self, request, obj=None):
        # k and k_comments are part of the promise made to respondents: frozen once open.
        return (
            ["status", "k_min", "k_comments", "allow_open_links"]
            if obj and obj.status != Wave.Status.DRAFT
            else ["status"]
        )

    def _apply(self, request, queryset, service):
        for wave in queryset:
            try:
                service(wave=wave)
            except ValidationError as error:
                self.message_user(request, f"{wave}: {'; '.join(error.messages)}", messages.ERROR)

    @admin.action(description="Open the selected waves")
    def open_waves(self, request, queryset):
        self._apply(request, queryset, wave_open)

    @admin.action(description="Close the selected waves")
    def close_waves(self, request, queryset):
        self._apply(request, queryset, wave_close)
