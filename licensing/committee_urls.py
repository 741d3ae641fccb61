"""URLs of committee reviews (mounted under /cases/ beside the case pages)."""

from django.urls import path

from licensing import committee_views as views

app_name = "committee"
urlpatterns = [
    path("<int:case_id>/committee/", views.panel, name="panel"),
    path("committee/<int:review_id>/confirm/", views.confirm, name="confirm"),
    path("committee/<int:review_id>/propose-again/", views.propose_again, name="propose_again"),
    path("committee/<int:review_id>/resolution/", views.resolve, name="resolve"),
]
