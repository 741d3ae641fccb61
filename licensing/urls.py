"""URLs of the case pages."""

from django.urls import path

from licensing import views

app_name = "licensing"
urlpatterns = [
    path("", views.case_list, name="cases"),
    path("<int:case_id>/", views.case_page, name="case"),
    path("<int:case_id>/invite/", views.invite, name="invite"),
]
