"""Admin: the bookable meeting rooms (meetings themselves are changed only through our pages and API)."""

from django.contrib import admin

from meetings.models import MeetingRoom


@admin.register(MeetingRoom)
class MeetingRoomAdmin(admin.ModelAdmin):
    list_display = ("name_th", "name_en", "location_th", "capacity")
    search_fields = ("name_th", "name_en")


def hide_scheduler_models() -> None:
    """django-scheduler's own admin would change times and rules behind meetings.services' checks.
    Called from MeetingsConfig.ready(), after every app's admin module (schedule's is imported last)."""
    from schedule.models import Calendar, CalendarRelation, Event, EventRelation, Occurrence, Rule

    for model in (Calendar, CalendarRelation, Event, EventRelation, Occurrence, Rule):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
