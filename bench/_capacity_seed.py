"""The capacity benchmark's organisation: N staff in teams of 20, their rooms, and a signed-in session each.

    python -m bench._capacity_seed --people 3000 --out people.json   (with the hub's settings in the environment)

Each person is in their team's channel (20 people), their bureau's channel (five teams, 100
people) and a direct room with the teammate next to them. Sessions are written as a login writes
them, so the simulated people arrive already signed in, as people do on a working day; the login
page's own throttle is not what the benchmark measures.
"""

import argparse
import json
import os
from datetime import timedelta

TEAM_SIZE = 20
TEAMS_PER_BUREAU = 5
UNUSABLE = "!"  # Django's mark of an account nobody can log in to with a password


def seed(people: int) -> list[dict]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from chat.models import Room
    from chat.services import create_room, open_direct
    from directory.models import Bureau, Person, Team

    User = get_user_model()
    users, teams, team_rooms, bureau_rooms = [], [], [], []
    for b in range((people + TEAM_SIZE * TEAMS_PER_BUREAU - 1) // (TEAM_SIZE * TEAMS_PER_BUREAU)):
        bureau = Bureau.objects.create(code=f"cap-{b}", name_th=f"สำนักที่ {b + 1}", name_en=f"Bureau {b + 1}")
        bureau_members = []
        for t in range(TEAMS_PER_BUREAU):
            first = len(users)
            if first >= people:
                break
            team = Team.objects.create(
                bureau=bureau, code=f"cap-{b}-{t}", name_th=f"กลุ่มงานที่ {b + 1}.{t + 1}", name_en=f"Team {b + 1}.{t + 1}"
            )
            made = User.objects.bulk_create(
                User(username=f"cap{n}", password=UNUSABLE) for n in range(first, min(people, first + TEAM_SIZE))
            )
            Person.objects.bulk_create(
                Person(
                    user=user,
                    title_th="นางสาว",
                    first_name_th=f"บุคลากร{user.username[3:]}",
                    last_name_th=f"ทดสอบ{b + 1}{t + 1}",
                    first_name_en=f"Person{user.username[3:]}",
                    last_name_en="Capacity",
                    email=f"{user.username}@capacity.bench",
                    team=team,
                )
                for user in made
            )
            users += made
            bureau_members += made
            teams.append(made)
            team_rooms.append(create_room(kind=Room.Kind.CHANNEL, name=team.name_th, owner=made[0], members=made))
        bureau_rooms.append(
            create_room(kind=Room.Kind.CHANNEL, name=bureau.name_th, owner=bureau_members[0], members=bureau_members)
        )
    backend = settings.AUTHENTICATION_BACKENDS[0]
    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    sessions = {}
    rows = []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        sessions[user.pk] = key
    Session.objects.bulk_create(rows, batch_size=1000)
    out = []
    for index, members in enumerate(teams):
        bureau_room = bureau_rooms[index // TEAMS_PER_BUREAU]
        for k, user in enumerate(members):
            partner = members[k ^ 1] if (k ^ 1) < len(members) else members[0]
            direct = open_direct(user, [partner]) if partner != user else team_rooms[index]
            out.append(
                {
                    "user": user.pk,
                    "session": sessions[user.pk],
                    "team": team_rooms[index].pk,
                    "bureau": bureau_room.pk,
                    "direct": direct.pk,
                }
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django

    django.setup()
    with open(args.out, "w") as file:
        json.dump(seed(args.people), file)


if __name__ == "__main__":
    main()
