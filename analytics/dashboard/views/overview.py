"""A wave at a glance: participation per team, answers per day, days left, links, release rule."""

urlpatterns: list = []
