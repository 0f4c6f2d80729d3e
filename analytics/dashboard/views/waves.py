"""Waves and links (HR admin only): create, open, close; single-use links as CSV; open team link."""

urlpatterns: list = []
