"""Conversations for the demo: a few team channels with messages, so the chat page is not empty."""

from django.contrib.auth import get_user_model

from chat.models import Room
from chat.services import add_members, create_room, send_message

CHANNELS = [
    ("ทั่วไป", "ประกาศและเรื่องทั่วไปของสำนักงาน", None),
    ("ทีมออกใบอนุญาต", "งานออกใบอนุญาตประกอบวิชาชีพครู", "reg-licence"),
    ("ไอที-ช่วยเหลือ", "แจ้งปัญหาระบบและอุปกรณ์", "it-systems"),
]
CONVERSATION = [
    ("ทั่วไป", 0, "สวัสดีตอนเช้าทุกท่านครับ วันนี้มี **ประชุมประจำสัปดาห์** เวลา 10:00 น. นะครับ"),
    ("ทั่วไป", 1, "รับทราบค่ะ ขอเอกสารวาระการประชุมด้วยนะคะ"),
    ("ทั่วไป", 0, "ส่งในอีเมลแล้วครับ หัวข้อหลัก:\n- ความคืบหน้าการต่ออายุใบอนุญาต\n- ระบบ e-Service"),
    ("ทีมออกใบอนุญาต", 1, "คำขอต่ออายุใบอนุญาตเข้ามา 42 รายการเมื่อวาน ส่วนใหญ่เอกสารครบค่ะ"),
    ("ทีมออกใบอนุญาต", 2, "มี 3 รายที่ต้องขอเอกสารเพิ่ม เดี๋ยวผมโทรแจ้งผู้ยื่นคำขอเองครับ"),
    ("ไอที-ช่วยเหลือ", 2, "เครื่องพิมพ์ชั้น 3 ใช้ไม่ได้ครับ ขึ้นข้อความ `Paper jam`"),
]


def seed_conversations() -> None:
    users = get_user_model().objects.filter(person__kind="staff").select_related("person").order_by("pk")
    staff = list(users)
    if len(staff) < 3:
        return
    rooms = {}
    for name, topic, team_code in CHANNELS:
        room = Room.objects.filter(kind=Room.Kind.CHANNEL, name=name).first()
        members = [u for u in staff if team_code is None or (u.person.team and u.person.team.code == team_code)]
        if room is None:
            room = create_room(kind=Room.Kind.CHANNEL, name=name, owner=members[0], members=members)
            Room.objects.filter(pk=room.pk).update(topic=topic)
        else:
            add_members(room, members)
        rooms[name] = (room, members)
    for number, (name, speaker, body) in enumerate(CONVERSATION):
        room, members = rooms[name]
        author = members[speaker % len(members)]
        send_message(author, room.pk, body, client_id=f"demo-{number}")  # the same client_id: seeded once
