from django.urls import path

from analytics.api.views import admin, reads

urlpatterns = [
    path("teams/", admin.TeamCollectionView.as_view(), name="teams"),
    path("teams/sync/", admin.TeamSyncView.as_view(), name="teams-sync"),
    path("teams/<str:pk>/", admin.TeamDetailView.as_view(), name="team"),
    path("surveys/", reads.SurveyListView.as_view(), name="surveys"),
    path("surveys/<str:pk>/", reads.SurveyDetailView.as_view(), name="survey"),
    path("waves/", admin.WaveCollectionView.as_view(), name="waves"),
    path("waves/<str:pk>/", admin.WaveDetailView.as_view(), name="wave"),
    path("waves/<str:pk>/open/", admin.WaveOpenView.as_view(), name="wave-open"),
    path("waves/<str:pk>/close/", admin.WaveCloseView.as_view(), name="wave-close"),
    path("waves/<str:pk>/links/", admin.WaveLinksView.as_view(), name="wave-links"),
    path("cells/", reads.CellListView.as_view(), name="cells"),
    path("participation/", reads.ParticipationListView.as_view(), name="participation"),
    path("heatmap/", reads.HeatmapView.as_view(), name="heatmap"),
    path("distribution/", reads.DistributionView.as_view(), name="distribution"),
    path("trends/", reads.TrendView.as_view(), name="trends"),
    path("drivers/", reads.DriverListView.as_view(), name="drivers"),
]
