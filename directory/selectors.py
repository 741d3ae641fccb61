"""Reads of the directory."""

from directory.models import Person


def teammates_of(person: Person | None) -> list[Person]:
    """The other members of a person's team, managers first."""
    if person is None or person.team_id is None:
        return []
    members = Person.objects.filter(team_id=person.team_id).exclude(pk=person.pk).select_related("team")
    manager_id = person.team.manager_id
    return sorted(members, key=lambda member: (member.pk != manager_id, member.first_name_th))
