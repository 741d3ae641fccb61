"""Presence and today's workplace of many people at once, for the managers' dashboard."""

from django.utils import timezone

from directory import presence
from directory.models import Person
from directory.selectors import is_out_of_office, presence_of
from directory.services import WEEKDAYS

# Where a person works today, in the words of their work pattern, or these when it says nothing.
OUT_OF_OFFICE, UNKNOWN = "out_of_office", "unknown"


def statuses_of(people: list[Person]) -> dict[int, str]:
    """Person id → presence status, asking the presence store once for all of them."""
    store = presence.store()
    online = store.online_user_ids()
    user_ids = [p.user_id for p in people if p.user_id in online]
    connections = store.connections_of(user_ids)
    in_meeting = presence.people_in_a_meeting([p.pk for p in people])
    return {p.pk: presence_of(p, connections.get(p.user_id, []), p.pk in in_meeting) for p in people}


def workplace_today(person: Person, today=None) -> str:
    """office, home or off by the person's weekly pattern; out_of_office; or unknown."""
    today = today or timezone.localdate()
    if is_out_of_office(person, today):
        return OUT_OF_OFFICE
    return person.work_pattern.get(WEEKDAYS[today.weekday()]) or UNKNOWN
