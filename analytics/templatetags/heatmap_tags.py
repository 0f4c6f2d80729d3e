"""Figures as the heatmap's table prints them, in the active locale."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def signed(value: float | None) -> str:
    """A delta with its sign ("+3.1", "−2.0"; "0.0" for none): the sign carries the meaning."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + number_format(abs(value), 1)


@register.filter
def figure(value: float | None) -> str:
    return "—" if value is None else number_format(value, 1)
