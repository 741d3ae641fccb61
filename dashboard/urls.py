"""URLs of the dashboard pages."""

from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.report, name="report"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("me/", views.mine, name="mine"),
]
