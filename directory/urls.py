"""URLs of the directory pages."""

from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.people, name="people"),
    path("<int:person_id>/", views.profile, name="profile"),
    path("<int:person_id>/org/", views.org_chart, name="org"),
    path("<int:person_id>/vcard/", views.vcard, name="vcard"),
    path("<int:person_id>/photo/", views.photo, name="photo"),
    path("me/", views.edit_my_profile, name="edit_my_profile"),
    path("me/photo/", views.upload_my_photo, name="upload_my_photo"),
    path("me/presence/", views.set_my_presence, name="set_my_presence"),
    path("import/", views.import_people, name="import"),
]
