"""Test data: people with user accounts, made the way the directory stores them."""

import itertools

from django.contrib.auth import get_user_model

from directory.models import Bureau, Person, Team

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_team(code: str | None = None, name_th: str = "กลุ่มงานทดสอบ", name_en: str = "Test Team") -> Team:
    n = next(_counter)
    bureau, _ = Bureau.objects.get_or_create(code="test-bureau", defaults={"name_th": "สำนักทดสอบ", "name_en": "Test"})
    return Team.objects.create(bureau=bureau, code=code or f"team-{n}", name_th=name_th, name_en=name_en)


def make_person(
    username: str | None = None,
    *,
    first_name_th: str = "สมชาย",
    last_name_th: str = "ใจดี",
    first_name_en: str = "Somchai",
    last_name_en: str = "Jaidee",
    kind: str = Person.Kind.STAFF,
    team: Team | None = None,
    **fields,
) -> Person:
    n = next(_counter)
    username = username or f"user{n}"
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, email=f"{username}@ksp.test")
    return Person.objects.create(
        user=user,
        kind=kind,
        title_th=fields.pop("title_th", "นาย"),
        title_en=fields.pop("title_en", "Mr"),
        first_name_th=first_name_th,
        last_name_th=last_name_th,
        first_name_en=first_name_en,
        last_name_en=last_name_en,
        email=f"{username}@ksp.test",
        team=team,
        **fields,
    )
