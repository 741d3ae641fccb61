"""Meetings for the demo: a committee with experts, weekly and daily team meetings, a monthly board,
with answers, a cancelled and a moved occurrence, so the calendars are not empty."""

import datetime as dt

from django.utils import timezone

from directory.models import Person, Team
from meetings import selectors, services
from meetings.models import Meeting, MeetingRoom
from meetings.recurrence import Recurrence

ROOMS = [
    ("ห้องประชุม 1 ชั้น 3", "Meeting room 1, 3rd floor", "อาคารคุรุสภา ชั้น 3", "Khurusapha building, 3rd floor", 12),
    ("ห้องประชุมใหญ่", "Main conference room", "อาคารคุรุสภา ชั้น 5", "Khurusapha building, 5th floor", 60),
    ("ห้องประชุมเล็ก", "Small meeting room", "อาคารคุรุสภา ชั้น 2", "Khurusapha building, 2nd floor", 6),
]


def _day(offset: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=offset)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def _team(code: str) -> tuple[Person, list[Person]]:
    team = Team.objects.get(code=code)
    members = list(Person.objects.filter(team=team).exclude(pk=team.manager_id).order_by("pk"))
    return team.manager, members


def seed_meetings() -> None:
    rooms = []
    for name_th, name_en, where_th, where_en, seats in ROOMS:
        room, _ = MeetingRoom.objects.update_or_create(
            name_th=name_th,
            defaults={"name_en": name_en, "location_th": where_th, "location_en": where_en, "capacity": seats},
        )
        rooms.append(room)
    if not Team.objects.filter(code="reg-licence").exists() or Meeting.objects.exists():
        return  # only a fresh demo gets meetings; a second run keeps what people did with them
    licence_head, licence = _team("reg-licence")
    it_head, it_staff = _team("it-systems")
    experts = list(Person.objects.filter(kind=Person.Kind.EXPERT).order_by("pk"))
    director = Team.objects.get(code="reg-licence").bureau.head

    committee = services.schedule_meeting(
        licence_head.user,
        services.Draft(
            title="คณะอนุกรรมการพิจารณาใบอนุญาต ครั้งที่ 13/2569",
            agenda=(
                "วาระที่ 1 เรื่องที่ประธานแจ้งให้ทราบ\n"
                "วาระที่ 2 รับรองรายงานการประชุมครั้งที่ 12/2569\n"
                "วาระที่ 3 พิจารณาคำขอใบอนุญาตประกอบวิชาชีพครูชาวต่างชาติ 14 ราย\n"
                "วาระที่ 4 พิจารณาคำขอขึ้นทะเบียนหนังสืออนุญาตชั่วคราว 6 ราย\n"
                "วาระที่ 5 เรื่องอื่น ๆ"
            ),
            start=_at(_day(1), 13, 30),
            end=_at(_day(1), 16, 0),
            chair_id=director.pk if director else None,
            room_id=rooms[0].pk,
            quorum=2,
            quorum_of=Meeting.QuorumOf.EXPERTS,
            people={licence[0].pk: True, licence[1].pk: True, **{e.pk: True for e in experts[:3]}},
        ),
    )
    services.respond(experts[0].user, committee.pk, "accepted", "จะเตรียมความเห็นวาระที่ 3 มาด้วย")
    services.respond(experts[1].user, committee.pk, "tentative", "อาจติดสอนช่วงบ่าย จะยืนยันอีกครั้ง")
    services.respond(licence[1].user, committee.pk, "accepted")

    weekly = services.schedule_meeting(
        licence_head.user,
        services.Draft(
            title="ประชุมประจำสัปดาห์ กลุ่มงานใบอนุญาต",
            agenda="ติดตามคำขอต่ออายุใบอนุญาตค้างพิจารณา และงานที่ได้รับมอบหมาย",
            start=_at(_day(1), 9, 30),
            end=_at(_day(1), 10, 30),
            room_id=rooms[2].pk,
            recurrence=Recurrence(frequency="weekly", weekdays=[0, 3], count=16),
            teams={Team.objects.get(code="reg-licence").pk: True},
        ),
    )
    slots = selectors.occurrences_of(weekly, timezone.now(), timezone.now() + dt.timedelta(days=60))
    services.cancel_occurrence(licence_head.user, weekly.pk, slots[2].key)
    moved_day = slots[3].start.date() + dt.timedelta(days=1)
    services.move_occurrence(licence_head.user, weekly.pk, slots[3].key, _at(moved_day, 14), _at(moved_day, 15))
    for person in licence[:3]:
        services.respond(person.user, weekly.pk, "accepted")

    services.schedule_meeting(
        it_head.user,
        services.Draft(
            title="ติดตามระบบ e-Service (ประชุมสั้นรายวัน)",
            agenda="สิ่งที่ทำเมื่อวาน สิ่งที่จะทำวันนี้ และปัญหาที่ติดขัด",
            start=_at(_day(1), 9, 0),
            end=_at(_day(1), 9, 15),
            recurrence=Recurrence(frequency="daily", until=_day(14)),
            teams={Team.objects.get(code="it-systems").pk: True},
        ),
    )

    board = services.schedule_meeting(
        licence_head.user,
        services.Draft(
            title="ประชุมคณะกรรมการคุรุสภา",
            agenda="วาระการประชุมประจำเดือน ส่งล่วงหน้าทางอีเมลสามวันก่อนการประชุม",
            start=_at(_day(2), 10, 0),
            end=_at(_day(2), 12, 0),
            room_id=rooms[1].pk,
            chair_id=director.pk if director else None,
            recurrence=Recurrence(frequency="monthly", count=6),
            people={it_head.pk: True, licence[0].pk: False, it_staff[0].pk: True, experts[3].pk: True},
        ),
    )
    services.respond(it_staff[0].user, board.pk, "declined", "ลาพักร้อนวันนั้น")

    # One meeting whose call is open as soon as the demo starts (for the next few hours).
    soon = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=10)
    services.schedule_meeting(
        licence_head.user,
        services.Draft(
            title="ทดลองห้องประชุมวิดีโอ",
            agenda="ทดสอบกล้องและไมโครโฟนก่อนประชุมคณะอนุกรรมการ",
            start=soon.replace(tzinfo=None),
            end=(soon + dt.timedelta(hours=6)).replace(tzinfo=None),
            people={licence[0].pk: True, licence[1].pk: True, experts[0].pk: False},
        ),
    )
