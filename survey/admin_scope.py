"""What a member who is not a superuser may see and do in the Django admin.

Rows are those of the user's organisations (survey.roles); rights come from the membership role,
not from Django's per-model permissions, so that one table says who may do what:
- HR admins view and change their organisation's teams, waves and surveys;
- managers view them and change nothing;
- staff representatives read the audit trail and the memberships, nothing else.
Built-in surveys (no organisation) are readable by members and changed only by superusers, and
nobody changes the scoring of a survey an opened wave uses (survey.services.scoring).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from survey.models import Membership, Organisation, Survey, Wave
from survey.roles import user_organisations
from survey.services.scoring import survey_scoring_frozen

Role = Membership.Role
HR_AND_MANAGERS = frozenset({Role.HR_ADMIN, Role.MANAGER})
HR_ONLY = frozenset({Role.HR_ADMIN})
EVERY_ROLE = frozenset(Role.values)


def member_organisations(request: HttpRequest, roles: frozenset[str]) -> QuerySet[Organisation]:
    if request.user.is_superuser:
        return Organisation.objects.all()
    return user_organisations(user=request.user, roles=roles)


class ScopedAdmin(admin.ModelAdmin):
    """`organisation_path` leads from the model to its organisation, e.g. "survey__organisation"."""

    organisation_path = "organisation"
    view_roles: frozenset[str] = HR_AND_MANAGERS
    edit_roles: frozenset[str] = HR_ONLY
    builtin_readable = False  # rows whose organisation is NULL (built-in surveys) are readable

    def organisation_id_of(self, obj) -> object:
        *path, last = self.organisation_path.split("__")
        for step in path:
            obj = getattr(obj, step)
        return getattr(obj, f"{last}_id")

    def _member(self, request: HttpRequest, obj, roles: frozenset[str]) -> bool:
        """Whether the user holds one of `roles` in obj's organisation (in any, for no obj or a built-in)."""
        organisations = user_organisations(user=request.user, roles=roles)
        organisation_id = None if obj is None else self.organisation_id_of(obj)
        if organisation_id is None:
            return organisations.exists()
        return organisations.filter(pk=organisation_id).exists()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        scope = Q(**{f"{self.organisation_path}__in": member_organisations(request, self.view_roles | self.edit_roles)})
        if self.builtin_readable:
            scope |= Q(**{f"{self.organisation_path}__isnull": True})
        return queryset.filter(scope)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        # Another organisation's row answers exactly like an unknown id: 404 (Django's default, a
        # redirect with a message, would do too, but a 404 is what clients and tests expect).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_module_permission(self, request: HttpRequest) -> bool:
        if request.user.is_superuser:
            return True
        return self._member(request, None, self.view_roles | self.edit_roles)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        return self._member(request, obj, self.view_roles | self.edit_roles)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or self._member(request, None, self.edit_roles)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        if obj is not None and self.organisation_id_of(obj) is None:
            return False  # built-in surveys are changed by superusers only
        return self._member(request, obj, self.edit_roles)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        """Choices limited to the user's organisations, so a form cannot point across them."""
        queryset = self.foreign_key_choices(db_field.name, request)
        if queryset is not None and not request.user.is_superuser:
            kwargs["queryset"] = queryset
            if db_field.name == "organisation":
                kwargs["required"] = True  # an empty organisation would make a built-in survey
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def foreign_key_choices(self, field_name: str, request: HttpRequest) -> QuerySet | None:
        if field_name == "organisation":
            return member_organisations(request, self.edit_roles)
        return None


class ScoringAdmin(ScopedAdmin):
    """Surveys and their questions: built-ins readable, scoring read-only once a wave opened."""

    builtin_readable = True

    def survey_of(self, obj) -> Survey:
        raise NotImplementedError

    def scoring_editable(self, request: HttpRequest, obj) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return super().has_change_permission(request, obj) and not survey_scoring_frozen(
            survey_id=self.survey_of(obj).pk
        )

    def changeform_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # A wave may open between showing the form and saving it: the model guard then refuses
        # the save; say so instead of answering 500. The admin's transaction is rolled back.
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def editable_surveys(request: HttpRequest) -> QuerySet[Survey]:
    """Surveys the user may change the scoring of: their organisations', not frozen."""
    opened = Wave.objects.exclude(status=Wave.Status.DRAFT).values("survey_id")
    return Survey.objects.filter(organisation__in=member_organisations(request, HR_ONLY)).exclude(pk__in=opened)


class ScoringInline:
    """An inline of a survey's scoring rows: editable only where its parent's scoring is."""

    def scoring_editable(self, request: HttpRequest, parent) -> bool:
        return self.admin_site.get_model_admin(self.parent_model).scoring_editable(request, parent)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.scoring_editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.scoring_editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.scoring_editable(request, obj)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.admin_site.get_model_admin(self.parent_model).has_view_permission(request, obj)
