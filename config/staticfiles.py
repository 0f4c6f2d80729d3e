from django.contrib.staticfiles.apps import StaticFilesConfig


class PulseStaticFilesConfig(StaticFilesConfig):
    """collectstatic takes only plotly.min.js from Plotly's package data (settings.STATICFILES_DIRS)."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "widgetbundle.js", "datasets", "templates"]
