"""Test data: people with user accounts, made the way the directory stores them."""

import functools
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from directory.models import Bureau, Person, Team

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    # Hash once per run: PBKDF2 is slow on purpose, and every test makes several people.
    return make_password(PASSWORD)


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
    user = get_user_model().objects.create(username=username, password=_password_hash(), email=f"{username}@ksp.test")
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
