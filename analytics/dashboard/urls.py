from django.urls import path

from analytics.dashboard.views import auth, comments, heatmaps, home, overview, reports, waves

app_name = "dashboard"

urlpatterns = [
    path("sign-in/", auth.SignInView.as_view(), name="login"),
    path("sign-out/", auth.SignOutView.as_view(), name="logout"),
    path("", home.organisations, name="home"),
    path("<slug:organisation>/", home.organisation, name="organisation"),
    *overview.urlpatterns,
    *heatmaps.urlpatterns,
    *reports.urlpatterns,
    *comments.urlpatterns,
    *waves.urlpatterns,
]
