"""URLs of the whole site."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from hub import login_throttle, ops_views, views
from hub.api import api
from hub.auth_views import LoginView, LogoutView
from hub.forms import AdminLoginForm

# The admin's log-in page goes through the same throttle as the hub's.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", ops_views.live, name="healthz-live"),
    path("healthz/ready", ops_views.ready, name="healthz-ready"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("login/", login_throttle.protect(LoginView.as_view()), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("language/", set_language, name="set_language"),
    path("s/<slug:slug>/", views.section, name="section"),
    path("people/", include("directory.urls")),
    path("chats/", include("chat.urls")),
    path("meetings/", include("meetings.urls")),
    path("cases/", include("licensing.committee_urls")),
    path("cases/", include("licensing.urls")),
    path("cases/", include("licensing.routing_urls")),
    path("dashboard/", include("dashboard.urls")),
    path("api/v1/", api.urls),
    path("admin/login/", login_throttle.protect(admin.site.login)),  # before the admin's own route
    path("admin/", admin.site.urls),
]

handler400 = "hub.views.bad_request"
handler404 = "hub.views.page_not_found"
handler500 = "hub.views.server_error"
handler403 = "hub.views.permission_denied"
