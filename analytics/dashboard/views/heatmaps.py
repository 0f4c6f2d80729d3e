"""The adoption and wellbeing heatmaps, a cell's drill-down, and the heatmap's CSV."""

urlpatterns: list = []
