"""The Thai demo organisation that ./run demo seeds."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from chat.models import Room
from chat.services import add_members, create_room
from directory.models import Bureau, Person, Team
from directory.services import refresh_search_documents

TITLES_EN = {
    "นาย": "Mr",
    "นาง": "Mrs",
    "นางสาว": "Ms",
    "ดร.": "Dr",
    "ศ.ดร.": "Prof. Dr.",
    "รศ.ดร.": "Assoc. Prof. Dr.",
    "ผศ.ดร.": "Asst. Prof. Dr.",
}

# (code, name_th, name_en, [(team code, name_th, name_en), ...])
BUREAUS = [
    (
        "adm",
        "สำนักอำนวยการ",
        "Bureau of General Administration",
        [
            ("adm-general", "กลุ่มงานบริหารทั่วไป", "General Affairs Team"),
            ("adm-hr", "กลุ่มงานบริหารทรัพยากรบุคคล", "Human Resources Team"),
            ("adm-finance", "กลุ่มงานการเงินและบัญชี", "Finance and Accounting Team"),
        ],
    ),
    (
        "reg",
        "สำนักทะเบียนและใบอนุญาตประกอบวิชาชีพ",
        "Bureau of Registration and Professional Licences",
        [
            ("reg-licence", "กลุ่มงานออกใบอนุญาตประกอบวิชาชีพ", "Licence Issuance Team"),
            ("reg-renewal", "กลุ่มงานต่ออายุใบอนุญาตและทะเบียนประวัติ", "Licence Renewal and Records Team"),
            ("reg-service", "กลุ่มงานบริการข้อมูลสมาชิก", "Member Information Services Team"),
        ],
    ),
    (
        "std",
        "สำนักมาตรฐานวิชาชีพ",
        "Bureau of Professional Standards",
        [
            ("std-accredit", "กลุ่มงานรับรองปริญญาและประกาศนียบัตร", "Degree and Certificate Accreditation Team"),
            ("std-develop", "กลุ่มงานพัฒนามาตรฐานวิชาชีพ", "Professional Standards Development Team"),
            ("std-test", "กลุ่มงานทดสอบและประเมินสมรรถนะ", "Testing and Competency Assessment Team"),
        ],
    ),
    (
        "eth",
        "สำนักจรรยาบรรณวิชาชีพ",
        "Bureau of Professional Ethics",
        [
            ("eth-promote", "กลุ่มงานส่งเสริมจรรยาบรรณวิชาชีพ", "Ethics Promotion Team"),
            ("eth-legal", "กลุ่มงานสอบสวนและนิติการ", "Investigation and Legal Affairs Team"),
        ],
    ),
    (
        "it",
        "สำนักเทคโนโลยีสารสนเทศ",
        "Bureau of Information Technology",
        [
            ("it-systems", "กลุ่มงานพัฒนาระบบสารสนเทศ", "Information Systems Development Team"),
            ("it-infra", "กลุ่มงานโครงสร้างพื้นฐานและความมั่นคงปลอดภัยไซเบอร์", "Infrastructure and Cyber Security Team"),
        ],
    ),
    (
        "pln",
        "สำนักนโยบายและแผน",
        "Bureau of Policy and Planning",
        [
            ("pln-strategy", "กลุ่มงานนโยบายและยุทธศาสตร์", "Policy and Strategy Team"),
            ("pln-monitor", "กลุ่มงานติดตามและประเมินผล", "Monitoring and Evaluation Team"),
        ],
    ),
]

POSITIONS = {
    "sg": ("เลขาธิการคุรุสภา", "Secretary-General of the Teachers Council of Thailand"),
    "edu": ("นักวิชาการศึกษาปฏิบัติการ", "Education Officer, Practitioner Level"),
    "edu_p": ("นักวิชาการศึกษาชำนาญการ", "Education Officer, Professional Level"),
    "edu_sp": ("นักวิชาการศึกษาชำนาญการพิเศษ", "Education Officer, Senior Professional Level"),
    "comp": ("นักวิชาการคอมพิวเตอร์ชำนาญการ", "Computer Technical Officer, Professional Level"),
    "comp_o": ("นักวิชาการคอมพิวเตอร์ปฏิบัติการ", "Computer Technical Officer, Practitioner Level"),
    "gen": ("นักจัดการงานทั่วไปชำนาญการ", "General Administration Officer, Professional Level"),
    "supply": ("นักวิชาการพัสดุปฏิบัติการ", "Procurement Officer, Practitioner Level"),
    "hr": ("นักทรัพยากรบุคคลชำนาญการ", "Human Resources Officer, Professional Level"),
    "fin": ("นักวิชาการเงินและบัญชีชำนาญการ", "Finance and Accounting Officer, Professional Level"),
    "legal": ("นิติกรชำนาญการ", "Legal Officer, Professional Level"),
    "plan": ("นักวิเคราะห์นโยบายและแผนชำนาญการ", "Policy and Plan Analyst, Professional Level"),
    "plan_o": ("นักวิเคราะห์นโยบายและแผนปฏิบัติการ", "Policy and Plan Analyst, Practitioner Level"),
    "pr": ("นักประชาสัมพันธ์ปฏิบัติการ", "Public Relations Officer, Practitioner Level"),
    "svc": ("เจ้าพนักงานธุรการชำนาญงาน", "Administrative Officer, Experienced Level"),
}

# (team, position key or "dir"/"mgr", title, first_th, last_th, first_en, last_en, nickname, ext, mobile, skills)
# "dir" heads the team's bureau, "mgr" manages the team; everyone else reports to their team's manager.
STAFF = [
    (
        "adm-general",
        "sg",
        "ดร.",
        "ประเสริฐ",
        "วงศ์ไพบูลย์",
        "Prasert",
        "Wongpaiboon",
        "เสริฐ",
        "1001",
        "081-245-1001",
        "นโยบายการศึกษา, Leadership, กฎหมายวิชาชีพครู",
    ),
    (
        "adm-general",
        "dir",
        "นาง",
        "วิไลวรรณ",
        "ศรีสุข",
        "Wilaiwan",
        "Srisuk",
        "ปุ๊ก",
        "1100",
        "081-372-4410",
        "บริหารองค์กร, Public sector management",
    ),
    (
        "adm-general",
        "mgr",
        "นาย",
        "สมชาย",
        "ใจดี",
        "Somchai",
        "Jaidee",
        "ชาย",
        "1110",
        "089-611-2043",
        "งานสารบรรณ, e-Saraban, ประสานงาน",
    ),
    (
        "adm-general",
        "gen",
        "นางสาว",
        "กมลชนก",
        "แก้วมณี",
        "Kamonchanok",
        "Kaewmanee",
        "แพร",
        "1111",
        "086-904-3321",
        "จัดประชุม, Event planning, หนังสือราชการ",
    ),
    (
        "adm-general",
        "supply",
        "นาย",
        "ธนากร",
        "บุญมา",
        "Thanakorn",
        "Boonma",
        "ต้น",
        "1112",
        "084-118-7765",
        "พัสดุ, จัดซื้อจัดจ้าง, e-GP",
    ),
    (
        "adm-hr",
        "mgr",
        "นาง",
        "รัตนา",
        "พงษ์ศิริ",
        "Rattana",
        "Pongsiri",
        "แหม่ม",
        "1120",
        "081-930-5528",
        "บริหารบุคคล, ระเบียบข้าราชการ, Coaching",
    ),
    (
        "adm-hr",
        "hr",
        "นางสาว",
        "ปิยะนุช",
        "สุวรรณรัตน์",
        "Piyanut",
        "Suwannarat",
        "นุช",
        "1121",
        "092-447-1836",
        "สรรหาบุคลากร, Payroll, Training",
    ),
    (
        "adm-finance",
        "mgr",
        "นาง",
        "สุภาพร",
        "เจริญผล",
        "Supaporn",
        "Charoenphon",
        "ภา",
        "1130",
        "081-552-0917",
        "งบประมาณ, Budgeting, Internal audit",
    ),
    (
        "adm-finance",
        "fin",
        "นางสาว",
        "อรอุมา",
        "ทองดี",
        "Onuma",
        "Thongdee",
        "อร",
        "1131",
        "095-263-4480",
        "บัญชีภาครัฐ, GFMIS, Excel",
    ),
    (
        "reg-licence",
        "dir",
        "ดร.",
        "อนุชา",
        "รักษ์ไทย",
        "Anucha",
        "Rakthai",
        "นุ",
        "2100",
        "081-804-2256",
        "ใบอนุญาตประกอบวิชาชีพ, Process improvement",
    ),
    (
        "reg-licence",
        "mgr",
        "นาง",
        "จันทร์เพ็ญ",
        "มั่นคง",
        "Chanphen",
        "Mankong",
        "เพ็ญ",
        "2110",
        "089-225-6714",
        "ออกใบอนุญาต, ตรวจสอบคุณวุฒิ, e-Service",
    ),
    (
        "reg-licence",
        "edu_p",
        "นางสาว",
        "สุดารัตน์",
        "พรหมมา",
        "Sudarat",
        "Phromma",
        "ดา",
        "2111",
        "083-671-9052",
        "ตรวจสอบคุณวุฒิ, e-Service, ใบอนุญาตครู",
    ),
    (
        "reg-licence",
        "edu",
        "นาย",
        "วีระพงษ์",
        "แสงทอง",
        "Weerapong",
        "Saengthong",
        "เบิร์ด",
        "2112",
        "097-318-2264",
        "ทะเบียนใบอนุญาต, Data entry, SQL",
    ),
    (
        "reg-renewal",
        "mgr",
        "นาย",
        "ชัยวัฒน์",
        "อินทรประเสริฐ",
        "Chaiwat",
        "Intharaprasert",
        "ชัย",
        "2120",
        "081-466-3190",
        "ต่ออายุใบอนุญาต, ทะเบียนประวัติ, PDPA",
    ),
    (
        "reg-renewal",
        "edu_p",
        "นางสาว",
        "พิมพ์ชนก",
        "วัฒนากุล",
        "Phimchanok",
        "Watthanakul",
        "พิม",
        "2121",
        "086-257-8843",
        "ต่ออายุใบอนุญาต, Customer service, PDPA",
    ),
    (
        "reg-service",
        "mgr",
        "นางสาว",
        "นิภาพร",
        "ชัยมงคล",
        "Nipaporn",
        "Chaimongkol",
        "นิด",
        "2130",
        "089-703-1175",
        "บริการสมาชิก, Call center, CRM",
    ),
    (
        "reg-service",
        "svc",
        "นาย",
        "กิตติศักดิ์",
        "ทองคำ",
        "Kittisak",
        "Thongkham",
        "กิต",
        "2131",
        "094-582-6601",
        "ตอบคำถามสมาชิก, LINE OA, Call center",
    ),
    (
        "std-accredit",
        "dir",
        "ดร.",
        "สุนันทา",
        "เพชรรัตน์",
        "Sunantha",
        "Phetcharat",
        "นันท์",
        "3100",
        "081-139-7742",
        "มาตรฐานวิชาชีพ, Quality assurance, Teacher education",
    ),
    (
        "std-accredit",
        "mgr",
        "นาย",
        "ปรีชา",
        "บุญญาศิริ",
        "Preecha",
        "Boonyasiri",
        "ปรี",
        "3110",
        "089-874-3329",
        "รับรองหลักสูตร, Site visit, ประสานมหาวิทยาลัย",
    ),
    (
        "std-accredit",
        "edu_p",
        "นางสาว",
        "ชนิดา",
        "มหาวงศ์",
        "Chanida",
        "Mahawong",
        "มิ้นท์",
        "3111",
        "098-215-6047",
        "รับรองหลักสูตร, Quality assurance, Report writing",
    ),
    (
        "std-develop",
        "mgr",
        "นาง",
        "อัญชลี",
        "ธนพัฒน์",
        "Anchalee",
        "Thanaphat",
        "อัญ",
        "3120",
        "081-620-4438",
        "พัฒนามาตรฐาน, Competency framework, Research",
    ),
    (
        "std-develop",
        "edu_sp",
        "นางสาว",
        "ศุภิสรา",
        "จันทร์แก้ว",
        "Supitsara",
        "Chankaew",
        "ฝน",
        "3121",
        "085-346-9912",
        "มาตรฐานวิชาชีพครู, Research, Curriculum",
    ),
    (
        "std-test",
        "mgr",
        "ดร.",
        "ธีรวัฒน์",
        "สมบูรณ์ชัย",
        "Theerawat",
        "Somboonchai",
        "ธีร์",
        "3130",
        "089-431-5586",
        "ทดสอบสมรรถนะ, Psychometrics, Test design",
    ),
    (
        "std-test",
        "edu_p",
        "นาย",
        "ภานุวัฒน์",
        "ศรีสมบูรณ์",
        "Phanuwat",
        "Srisomboon",
        "ภู",
        "3131",
        "093-708-2215",
        "ออกข้อสอบ, Item analysis, Statistics",
    ),
    (
        "std-test",
        "edu",
        "นางสาว",
        "วรรณิภา",
        "ใจงาม",
        "Wannipa",
        "Jaingam",
        "วาว",
        "3132",
        "096-184-3370",
        "จัดสอบ, Logistics, Excel",
    ),
    (
        "eth-promote",
        "dir",
        "นาย",
        "สุรชัย",
        "ธรรมรักษ์",
        "Surachai",
        "Thammarak",
        "ชัย",
        "4100",
        "081-277-6605",
        "จรรยาบรรณวิชาชีพ, กฎหมายปกครอง, Mediation",
    ),
    (
        "eth-promote",
        "mgr",
        "นาง",
        "เบญจวรรณ",
        "สุขประเสริฐ",
        "Benjawan",
        "Sukprasert",
        "เบญ",
        "4110",
        "089-560-1482",
        "ส่งเสริมจรรยาบรรณ, Workshop facilitation, ครูดีเด่น",
    ),
    (
        "eth-promote",
        "edu_p",
        "นาย",
        "ศักดิ์ชัย",
        "พึ่งบุญ",
        "Sakchai",
        "Phuengboon",
        "ศักดิ์",
        "4111",
        "087-932-4417",
        "จรรยาบรรณวิชาชีพ, Workshop, รางวัลครู",
    ),
    (
        "eth-promote",
        "pr",
        "นางสาว",
        "ธิดารัตน์",
        "คงเจริญ",
        "Thidarat",
        "Khongcharoen",
        "ดาว",
        "4112",
        "092-615-7730",
        "ประชาสัมพันธ์, Graphic design, Facebook page",
    ),
    (
        "eth-legal",
        "mgr",
        "นาย",
        "วิชัย",
        "ยุติธรรม",
        "Wichai",
        "Yutitham",
        "วิ",
        "4120",
        "081-748-2291",
        "สอบสวนจรรยาบรรณ, กฎหมายปกครอง, Case management",
    ),
    (
        "eth-legal",
        "legal",
        "นางสาว",
        "ปวีณา",
        "ศรีอ่อน",
        "Paweena",
        "Sri-on",
        "ปุ๊ก",
        "4121",
        "086-403-5519",
        "สอบสวนข้อเท็จจริง, Legal research, Case management",
    ),
    (
        "eth-legal",
        "legal",
        "นาย",
        "ณรงค์ฤทธิ์",
        "แก้วประเสริฐ",
        "Narongrit",
        "Kaewprasert",
        "ณรงค์",
        "4122",
        "090-327-8864",
        "นิติกรรมสัญญา, Legal drafting, PDPA",
    ),
    (
        "it-systems",
        "dir",
        "นาย",
        "ธีรพงษ์",
        "วิริยะกิจ",
        "Theerapong",
        "Wiriyakit",
        "ต้อม",
        "5100",
        "081-906-3357",
        "Digital transformation, Enterprise architecture, ธรรมาภิบาลข้อมูล",
    ),
    (
        "it-systems",
        "mgr",
        "นาย",
        "พงศกร",
        "ศรีประเสริฐ",
        "Pongsakorn",
        "Sriprasert",
        "กร",
        "5110",
        "089-182-7746",
        "Software architecture, Python, Agile",
    ),
    (
        "it-systems",
        "comp",
        "นาย",
        "ศุภชัย",
        "ตั้งมั่น",
        "Supachai",
        "Tangman",
        "โจ้",
        "5111",
        "084-559-2038",
        "Python, Django, PostgreSQL",
    ),
    (
        "it-systems",
        "comp_o",
        "นางสาว",
        "กัญญารัตน์",
        "บุญเรือง",
        "Kanyarat",
        "Boonruang",
        "แก้ม",
        "5112",
        "095-871-4406",
        "UX/UI, Figma, ออกแบบเว็บไซต์",
    ),
    (
        "it-infra",
        "mgr",
        "นาย",
        "อัครพล",
        "เรืองศรี",
        "Akkharaphon",
        "Ruangsri",
        "อั๋น",
        "5120",
        "081-663-9021",
        "Network, Cybersecurity, ISO 27001",
    ),
    (
        "it-infra",
        "comp",
        "นาย",
        "ชยพล",
        "สายทอง",
        "Chayaphon",
        "Saithong",
        "เจมส์",
        "5121",
        "088-240-6175",
        "Linux, Docker, Firewall",
    ),
    (
        "it-infra",
        "comp_o",
        "นาย",
        "สมชาย",
        "จันทโสภณ",
        "Somchai",
        "Jantasopon",
        "ต้น",
        "5122",
        "091-736-5582",
        "Help desk, Windows, ซ่อมบำรุงอุปกรณ์",
    ),
    (
        "pln-strategy",
        "dir",
        "นาง",
        "มาลินี",
        "สุวรรณศรี",
        "Malinee",
        "Suwannasri",
        "หน่อย",
        "6100",
        "081-385-2267",
        "แผนยุทธศาสตร์, นโยบายสาธารณะ, Change management",
    ),
    (
        "pln-strategy",
        "mgr",
        "นางสาว",
        "รุ่งนภา",
        "ทองประเสริฐ",
        "Rungnapa",
        "Thongprasert",
        "รุ่ง",
        "6110",
        "089-947-1503",
        "แผนยุทธศาสตร์, OKR, Stakeholder engagement",
    ),
    (
        "pln-strategy",
        "plan",
        "นาย",
        "ณัฐพล",
        "ศรีวงศ์",
        "Natthaphon",
        "Sriwong",
        "บอส",
        "6111",
        "094-130-8826",
        "แผนปฏิบัติราชการ, Power BI, งบประมาณ",
    ),
    (
        "pln-strategy",
        "plan",
        "นาง",
        "ศิริพร",
        "นาคสวัสดิ์",
        "Siriporn",
        "Naksawat",
        "แอน",
        "6112",
        "086-572-3349",
        "นโยบายสาธารณะ, Data analysis, Report writing",
    ),
    (
        "pln-monitor",
        "mgr",
        "ดร.",
        "อภิชาติ",
        "วงศ์สวัสดิ์",
        "Aphichat",
        "Wongsawat",
        "ชาติ",
        "6120",
        "081-214-6698",
        "ติดตามประเมินผล, KPI, Evaluation research",
    ),
    (
        "pln-monitor",
        "plan_o",
        "นาย",
        "อภิสิทธิ์",
        "เกษมสุข",
        "Aphisit",
        "Kasemsuk",
        "เอ",
        "6121",
        "097-465-0132",
        "ประเมินผลโครงการ, Survey design, Google Forms",
    ),
]

# (title, first_th, last_th, first_en, last_en, affiliation, e-mail domain, mobile, expertise, skills)
EXPERTS = [
    (
        "ศ.ดร.",
        "วรวิทย์",
        "ศักดิ์สิทธิ์",
        "Worawit",
        "Saksit",
        "Chulalongkorn University",
        "chula.ac.th",
        "081-920-4471",
        ["educational_administrator", "school_administrator"],
        "บริหารการศึกษา, Education policy",
    ),
    (
        "รศ.ดร.",
        "สมศักดิ์",
        "ปัญญาวงศ์",
        "Somsak",
        "Panyawong",
        "Chiang Mai University",
        "cmu.ac.th",
        "089-633-1208",
        ["teacher", "educational_supervisor"],
        "หลักสูตรและการสอน, Mathematics education",
    ),
    (
        "รศ.ดร.",
        "อรุณี",
        "ศรีสวัสดิ์",
        "Arunee",
        "Srisawat",
        "Khon Kaen University",
        "kku.ac.th",
        "086-118-5594",
        ["teacher"],
        "การผลิตครู, Early childhood education",
    ),
    (
        "ผศ.ดร.",
        "กิตติพงษ์",
        "มณีรัตน์",
        "Kittipong",
        "Maneerat",
        "Prince of Songkla University",
        "psu.ac.th",
        "081-477-9036",
        ["school_administrator"],
        "บริหารสถานศึกษา, School leadership",
    ),
    (
        "ผศ.ดร.",
        "นวลจันทร์",
        "ทองสุข",
        "Nuanchan",
        "Thongsuk",
        "Srinakharinwirot University",
        "swu.ac.th",
        "092-861-3310",
        ["teacher", "educational_supervisor"],
        "นิเทศการศึกษา, Science education",
    ),
    (
        "ศ.ดร.",
        "บุญเลิศ",
        "ชัยศรี",
        "Boonlert",
        "Chaisri",
        "Kasetsart University",
        "ku.ac.th",
        "081-305-7729",
        ["educational_administrator"],
        "ประเมินผลการศึกษา, Educational measurement",
    ),
    (
        "ดร.",
        "ประภาพร",
        "แสงจันทร์",
        "Praphaporn",
        "Saengchan",
        "Retired school director, Bangkok",
        "gmail.com",
        "089-524-6683",
        ["school_administrator", "teacher"],
        "บริหารโรงเรียน, Thai language teaching",
    ),
    (
        "ดร.",
        "สุเทพ",
        "บุญประเสริฐ",
        "Suthep",
        "Boonprasert",
        "Retired educational supervisor, OBEC",
        "gmail.com",
        "081-698-2145",
        ["educational_supervisor", "educational_administrator"],
        "นิเทศการศึกษา, Coaching",
    ),
    (
        "รศ.ดร.",
        "จิราพร",
        "วัฒนศิริ",
        "Jiraporn",
        "Watthanasiri",
        "Naresuan University",
        "nu.ac.th",
        "086-740-3358",
        ["educational_administrator", "school_administrator"],
        "กฎหมายการศึกษา, Governance",
    ),
    (
        "ผศ.ดร.",
        "ธนวัฒน์",
        "พลอยงาม",
        "Thanawat",
        "Ployngam",
        "Mahasarakham University",
        "msu.ac.th",
        "095-412-8870",
        ["teacher", "educational_supervisor"],
        "เทคโนโลยีการศึกษา, Digital learning",
    ),
]

RANK = {"sg": 0, "dir": 1, "mgr": 2}


def _usernames(names: list[tuple[str, str]]) -> list[str]:
    taken = {"admin"}
    result = []
    for first, last in names:
        base = f"{first}.{last[:1]}".lower()
        username, n = base, 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        taken.add(username)
        result.append(username)
    return result


class _Passwords:
    """Set one shared demo password without hashing per user.

    PBKDF2 costs a fraction of a second per call, so hashing (or even checking) 56 users each run is slow.
    Demo users all share one known password anyway, so they share one hash and each distinct hash is checked once.
    """

    def __init__(self, password: str):
        self.password = password
        self.checked: dict[str, bool] = {}
        self.encoded = ""

    def apply(self, user) -> None:
        if user.password not in self.checked:
            self.checked[user.password] = check_password(self.password, user.password)
        if not self.checked[user.password]:
            self.encoded = self.encoded or make_password(self.password)
            self.checked[self.encoded] = True
            user.password = self.encoded
            user.save(update_fields=["password"])


def _user(username: str, first: str, last: str, email: str, passwords: _Passwords, **extra):
    user, _ = get_user_model().objects.update_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": email, **extra}
    )
    passwords.apply(user)
    return user


def _seed_work_patterns(members: dict[str, list[Person]]) -> None:
    """Hybrid weeks for everyone, and one colleague away this week with a stand-in."""
    weeks = [
        {"mon": "office", "tue": "home", "wed": "office", "thu": "home", "fri": "office"},
        {"mon": "home", "tue": "office", "wed": "office", "thu": "office", "fri": "home"},
        {"mon": "office", "tue": "office", "wed": "home", "thu": "office", "fri": "home"},
    ]
    for number, person in enumerate(Person.objects.filter(kind=Person.Kind.STAFF).order_by("pk")):
        if person.work_pattern != weeks[number % 3]:
            Person.objects.filter(pk=person.pk).update(work_pattern=weeks[number % 3])
    away, stand_in = members["reg-licence"][1], members["reg-licence"][0]
    today = timezone.localdate()
    Person.objects.filter(pk=away.pk).update(
        out_of_office_from=today,
        out_of_office_until=today + timedelta(days=4),
        out_of_office_note="ไปราชการ ประชุมเครือข่ายครูภาคเหนือ",
        out_of_office_delegate=stand_in,
    )


def _seed_rooms(experts: list[Person], members: dict[str, list[Person]], managers: dict[str, Person]) -> None:
    """A committee room with two experts, so an expert's login has people to see."""
    staff = [managers["reg-licence"], *members["reg-licence"][:2]]
    name = "คณะอนุกรรมการพิจารณาใบอนุญาต ครั้งที่ 12/2569"
    users = [person.user for person in [*staff, *experts[:2]]]
    room = Room.objects.filter(kind=Room.Kind.MEETING, name=name).first()
    if room is None:
        create_room(kind=Room.Kind.MEETING, name=name, owner=users[0], members=users)
    else:
        add_members(room, users)


@transaction.atomic
def seed_demo(password: str) -> list[dict]:
    """Create or refresh the demo organisation and its accounts; return the logins worth showing."""
    passwords = _Passwords(password)
    _user("admin", "", "", "admin@ksp.or.th", passwords, is_staff=True, is_superuser=True, is_active=True)

    bureaus: dict[str, Bureau] = {}
    teams: dict[str, Team] = {}
    for code, name_th, name_en, team_rows in BUREAUS:
        bureau, _ = Bureau.objects.update_or_create(code=code, defaults={"name_th": name_th, "name_en": name_en})
        bureaus[code] = bureau
        for team_code, team_th, team_en in team_rows:
            teams[team_code], _ = Team.objects.update_or_create(
                code=team_code, defaults={"bureau": bureau, "name_th": team_th, "name_en": team_en}
            )

    usernames = _usernames([(row[5], row[6]) for row in STAFF] + [(row[3], row[4]) for row in EXPERTS])
    rows = sorted(zip(STAFF, usernames), key=lambda item: RANK.get(item[0][1], 3))
    secretary_general = None
    heads: dict[str, Person] = {}
    managers: dict[str, Person] = {}
    members: dict[str, list[Person]] = {}
    for row, username in rows:
        team_code, role, title, first_th, last_th, first_en, last_en, nickname, ext, mobile, skills = row
        team = teams[team_code]
        if role == "dir":
            position = (f"ผู้อำนวยการ{team.bureau.name_th}", f"Director of the {team.bureau.name_en}")
            manager = secretary_general
        elif role == "mgr":
            position = (f"หัวหน้า{team.name_th}", f"Head of the {team.name_en}")
            manager = heads[team.bureau.code]
        else:
            position = POSITIONS[role]
            manager = None if role == "sg" else managers[team_code]
        email = f"{username}@ksp.or.th"
        user = _user(username, first_en, last_en, email, passwords)
        person, _ = Person.objects.update_or_create(
            email=email,
            defaults={
                "user": user,
                "kind": Person.Kind.STAFF,
                "team": team,
                "manager": manager,
                "title_th": title,
                "first_name_th": first_th,
                "last_name_th": last_th,
                "title_en": TITLES_EN[title],
                "first_name_en": first_en,
                "last_name_en": last_en,
                "nickname": nickname,
                "position_th": position[0],
                "position_en": position[1],
                "phone_ext": ext,
                "mobile": mobile,
                "skills": skills,
                "affiliation": "",
                "expertise": [],
            },
        )
        if role == "sg":
            secretary_general = person
        elif role == "dir":
            heads[team.bureau.code] = person
        elif role == "mgr":
            managers[team_code] = person
        else:
            members.setdefault(team_code, []).append(person)

    for code, bureau in bureaus.items():
        if bureau.head_id != heads[code].pk:
            bureau.head = heads[code]
            bureau.save(update_fields=["head"])
    for code, team in teams.items():
        if team.manager_id != managers[code].pk:
            team.manager = managers[code]
            team.save(update_fields=["manager"])

    experts = []
    for row, username in zip(EXPERTS, usernames[len(STAFF) :]):
        title, first_th, last_th, first_en, last_en, affiliation, domain, mobile, expertise, skills = row
        email = f"{first_en}.{last_en}@{domain}".lower()
        user = _user(username, first_en, last_en, email, passwords)
        person, _ = Person.objects.update_or_create(
            email=email,
            defaults={
                "user": user,
                "kind": Person.Kind.EXPERT,
                "team": None,
                "manager": None,
                "title_th": title,
                "first_name_th": first_th,
                "last_name_th": last_th,
                "title_en": TITLES_EN[title],
                "first_name_en": first_en,
                "last_name_en": last_en,
                "nickname": "",
                "position_th": "ผู้ทรงคุณวุฒิภายนอก",
                "position_en": "External Expert",
                "phone_ext": "",
                "mobile": mobile,
                "skills": skills,
                "affiliation": affiliation,
                "expertise": expertise,
            },
        )
        experts.append(person)

    admin = get_user_model().objects.get(username="admin")
    Person.objects.update_or_create(
        email="admin@ksp.or.th",
        defaults={
            "user": admin,
            "kind": Person.Kind.STAFF,
            "team": teams["it-systems"],
            "manager": managers["it-systems"],
            "title_th": "",
            "first_name_th": "ผู้ดูแลระบบ",
            "last_name_th": "คุรุสภา",
            "first_name_en": "System",
            "last_name_en": "Administrator",
            "position_th": "ผู้ดูแลระบบ",
            "position_en": "System Administrator",
            "phone_ext": "1234",
        },
    )
    _seed_rooms(experts, members, managers)
    _seed_work_patterns(members)
    refresh_search_documents()

    shown = [
        (secretary_general, "secretary-general"),
        (heads["it"], "bureau director"),
        (managers["it-systems"], "team manager"),
        (members["it-systems"][0], "staff"),
        (managers["reg-licence"], "team manager (cases)"),
        (members["reg-licence"][0], "staff (cases)"),
        (experts[0], "external expert"),
        (experts[1], "external expert"),
    ]
    logins = [{"username": "admin", "role": "administrator", "name": "Administrator"}]
    logins += [{"username": p.user.username, "role": role, "name": p.name_en} for p, role in shown]
    return logins
