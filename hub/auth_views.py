"""Log-in and log-out pages, with the statuses and wording staff should meet."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse

from hub.forms import LoginForm


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        # A `next` pointing back at the login page would send a signed-in person round in a loop.
        url = super().get_redirect_url()
        return "" if url.split("?")[0] == reverse("login") else url

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LogoutView(auth_views.LogoutView):
    """POST logs out; GET (a bookmarked or typed link) asks first instead of a bare 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")
