"""The login forms (the hub's and the admin's), with the wording staff see and the same throttle."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from hub.login_throttle import ThrottledLogin


class LoginForm(ThrottledLogin, AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("That username and password do not match. Please check them and try again."),
        "inactive": _("This account has been suspended. Please contact the system administrator."),
    }


class AdminLoginForm(ThrottledLogin, AdminAuthenticationForm):
    pass
