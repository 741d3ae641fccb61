"""Thailand's 77 provinces (Thai names) and the official six regions they belong to, for routing rules."""

from django.utils.translation import gettext_lazy as _

NORTH, NORTHEAST, CENTRAL, EAST, WEST, SOUTH = "north", "northeast", "central", "east", "west", "south"

REGIONS = {
    NORTH: _("North"),
    NORTHEAST: _("Northeast"),
    CENTRAL: _("Central"),
    EAST: _("East"),
    WEST: _("West"),
    SOUTH: _("South"),
}

# The six-region grouping of the National Geographical Committee (1977), Bangkok in the centre.
_BY_REGION = {
    NORTH: "เชียงราย เชียงใหม่ น่าน พะเยา แพร่ แม่ฮ่องสอน ลำปาง ลำพูน อุตรดิตถ์",
    NORTHEAST: (
        "กาฬสินธุ์ ขอนแก่น ชัยภูมิ นครพนม นครราชสีมา บึงกาฬ บุรีรัมย์ มหาสารคาม มุกดาหาร ยโสธร ร้อยเอ็ด เลย "
        "สกลนคร สุรินทร์ ศรีสะเกษ หนองคาย หนองบัวลำภู อุดรธานี อุบลราชธานี อำนาจเจริญ"
    ),
    CENTRAL: (
        "กรุงเทพมหานคร กำแพงเพชร ชัยนาท นครนายก นครปฐม นครสวรรค์ นนทบุรี ปทุมธานี พระนครศรีอยุธยา พิจิตร "
        "พิษณุโลก เพชรบูรณ์ ลพบุรี สมุทรปราการ สมุทรสงคราม สมุทรสาคร สิงห์บุรี สุโขทัย สุพรรณบุรี สระบุรี "
        "อ่างทอง อุทัยธานี"
    ),
    EAST: "จันทบุรี ฉะเชิงเทรา ชลบุรี ตราด ปราจีนบุรี ระยอง สระแก้ว",
    WEST: "กาญจนบุรี ตาก ประจวบคีรีขันธ์ เพชรบุรี ราชบุรี",
    SOUTH: "กระบี่ ชุมพร ตรัง นครศรีธรรมราช นราธิวาส ปัตตานี พังงา พัทลุง ภูเก็ต ระนอง สตูล สงขลา สุราษฎร์ธานี ยะลา",
}

PROVINCES: dict[str, str] = {name: region for region, names in _BY_REGION.items() for name in names.split()}

# How else people write some of them.
_ALIASES = {
    "กรุงเทพ": "กรุงเทพมหานคร",
    "กรุงเทพฯ": "กรุงเทพมหานคร",
    "กทม": "กรุงเทพมหานคร",
    "กทม.": "กรุงเทพมหานคร",
    "อยุธยา": "พระนครศรีอยุธยา",
}


def normalise(name: str) -> str | None:
    """The province's official Thai name, or None if `name` is not a province."""
    name = " ".join((name or "").split())
    for prefix in ("จังหวัด", "จ."):
        if name.startswith(prefix):
            name = name[len(prefix) :].strip()
    name = _ALIASES.get(name, name)
    return name if name in PROVINCES else None


def region_of(province: str) -> str | None:
    name = normalise(province)
    return PROVINCES[name] if name else None


def province_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(PROVINCES)]
