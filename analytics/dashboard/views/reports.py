"""Trends across waves, drivers, comments, and the print-ready report of a wave."""

urlpatterns: list = []
