"""Sign-in and sign-out for HR (Django's auth views; django-axes throttles failures)."""

from django.contrib.auth import views as auth_views


class SignInView(auth_views.LoginView):
    template_name = "dashboard/login.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    next_page = "dashboard:login"
