"""URLs of the chat page."""

from django.urls import path

from chat import views

app_name = "chat"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:room_id>/", views.room, name="room"),
    path("<int:room_id>/join/", views.join, name="join"),
    path("<int:room_id>/archive/", views.archive, name="archive"),
    path("<int:room_id>/members/", views.invite, name="invite"),  # GET: the panel; POST: add people
    path("<int:room_id>/members/<int:user_id>/remove/", views.remove, name="remove"),
    path("<int:room_id>/leave/", views.leave, name="leave"),
    path("new/", views.start, name="start"),
    path("search/", views.search, name="search"),
    path("direct/", views.direct, name="direct"),
    path("files/<int:attachment_id>/", views.download, name="download"),
]
