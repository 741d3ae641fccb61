"""URLs of the case page's assignment forms, under /cases/ (hub.urls)."""

from django.urls import path

from licensing import routing_views

app_name = "licensing_routing"

urlpatterns = [
    path("<int:case_id>/reassign/", routing_views.reassign, name="reassign"),
    path("<int:case_id>/take/", routing_views.take, name="take"),
]
