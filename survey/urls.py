from django.urls import path

from survey import views

app_name = "survey"

urlpatterns = [
    path("s/", views.welcome, name="welcome"),
    path("s/questions/", views.questions, name="questions"),
    path("s/privacy/", views.privacy, name="privacy"),
    # Last, so that the fixed pages above are never read as a token.
    path("s/<str:token>/", views.start, name="start"),
]
