"""Forms of the HR pages that write: a new wave, and the links of a team."""

from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from analytics.selectors import organisation_surveys
from survey.models import Organisation, Wave


class SurveyChoice(forms.ModelChoiceField):
    def label_from_instance(self, survey) -> str:
        if survey.organisation_id is None:
            return _("%(name)s (built-in template)") % {"name": survey.name}
        return survey.name


class WaveForm(forms.ModelForm):
    """A draft wave. The model's own rules (k ranges, k_comments >= k_min) run through its clean(),
    so their messages show next to the fields; the service checks them again before saving."""

    survey = SurveyChoice(queryset=None, label=pgettext_lazy("waves", "Survey"), empty_label=None)
    closes_at = forms.DateField(
        label=pgettext_lazy("waves", "Closes on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Answers are accepted until the end of this day. Leave empty to close the wave by hand."),
    )

    class Meta:
        model = Wave
        fields = ["survey", "name", "k_min", "k_comments", "closes_at", "allow_open_links"]
        labels = {
            "name": pgettext_lazy("waves", "Name"),
            "k_min": pgettext_lazy("waves", "Minimum group size k"),
            "k_comments": pgettext_lazy("waves", "Minimum group size for comments"),
            "allow_open_links": pgettext_lazy("waves", "Allow open team links"),
        }
        help_texts = {
            "name": _("For example “Spring 2025”. People answering see it."),
            "k_min": _("From 3 to 10. A figure shows only once k people answered. Fixed when the wave opens."),
            "k_comments": _("At least k. Comments are shown only for groups this large. Fixed when the wave opens."),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, instance=Wave(organisation=organisation), **kwargs)
        self.fields["survey"].queryset = organisation_surveys(organisation=organisation)
        self.fields["k_min"].widget.attrs.update(min=3, max=10)
        self.fields["k_comments"].widget.attrs.update(min=3, max=50)

    def clean_closes_at(self) -> datetime | None:
        day = self.cleaned_data["closes_at"]
        if day is None:
            return None
        if day < timezone.localdate():
            raise ValidationError(pgettext_lazy("waves", "Choose today or a later day."), code="past")
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class LinksForm(forms.Form):
    """Single-use links for one team of the wave's frozen tree."""

    team = forms.ChoiceField(label=pgettext_lazy("waves", "Team"))
    count = forms.IntegerField(label=pgettext_lazy("waves", "Number of links"), min_value=1, max_value=100_000)

    def __init__(self, *args, teams: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {str(row.team.pk): row for row in teams}
        # Indented like the tree; the non-breaking spaces survive the browser's whitespace folding.
        self.fields["team"].choices = [(str(row.team.pk), "\u00a0\u00a0" * row.depth + row.team.name) for row in teams]

    def chosen(self):
        return self.teams[self.cleaned_data["team"]]


class OpenLinkForm(LinksForm):
    """The one reusable link of a team (its own prefix: both forms share the links page)."""

    prefix = "open"
    count = None
