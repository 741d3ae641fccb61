"""URLs of the meetings pages (django-scheduler's own urls are never mounted: they check no permissions)."""

from django.urls import path

from meetings import link_views, views

app_name = "meetings"
urlpatterns = [
    path("", views.my_meetings, name="mine"),
    path("new/", views.schedule, name="new"),
    path("people/", views.pick_people, name="pick_people"),
    path("people/<int:person_id>/", views.chosen_person, name="chosen_person"),
    path("find-time/", views.find_time, name="find_time"),
    path("feed/renew/", views.renew_feed, name="renew_feed"),
    path("reminders/", views.choose_reminder, name="choose_reminder"),
    path("time-zone/", views.choose_time_zone, name="choose_time_zone"),
    path("feed/<str:secret>.ics", views.feed, name="feed"),
    path("invited/ended/<int:meeting_id>/", link_views.link_ended, name="link_ended"),
    path("invited/<str:token>/", link_views.invited, name="invited"),
    path("<int:meeting_id>/experts/<int:person_id>/link/", link_views.withdraw_link, name="withdraw_link"),
    path("<int:meeting_id>/calendar.ics", views.meeting_ics, name="ics"),
    path("<int:meeting_id>/", views.meeting_page, name="meeting"),
    path("<int:meeting_id>/edit/", views.edit, name="edit"),
    path("<int:meeting_id>/join/", views.join, name="join"),
    path("<int:meeting_id>/attendance/", views.record_attendance, name="attendance"),
    path("<int:meeting_id>/answer/", views.answer, name="answer"),
    path("<int:meeting_id>/cancel/", views.cancel, name="cancel"),
    path("<int:meeting_id>/minutes/", views.minutes, name="minutes"),
    path("<int:meeting_id>/documents/", views.add_document, name="add_document"),
    path("<int:meeting_id>/documents/<int:document_id>/", views.document, name="document"),
    path("<int:meeting_id>/documents/<int:document_id>/remove/", views.remove_document, name="remove_document"),
    path("<int:meeting_id>/occurrences/<str:key>/cancel/", views.cancel_occurrence, name="cancel_occurrence"),
]
