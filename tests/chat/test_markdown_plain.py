"""A plain line of text renders as itself without the Markdown engine (chat.markdown.PLAIN_LINE):
it must render exactly as the engine would, and anything the engine reads as markup must still
go through it."""

import random

import pytest

from chat import markdown

# What a message may hold, markup included, so that random lines find the edges of PLAIN_LINE.
ALPHABET = (
    "กขคงจฉชซญดตถทนบปผพฟมยรลวศสหอฮะาำิีึืุูเแโใไ่้๊๋็์ัๆ๑๒"
    "abcxyzABCXYZéüßЖ0123456789 \"'{}()[],.?!:;/%=+-*_~`#>|<&@\\\u00a0\u200f\u202e\t"
)


def lines(count: int, seed: int):
    pick = random.Random(seed)  # noqa: S311 - test data, not secrets
    for _ in range(count):
        yield "".join(pick.choice(ALPHABET) for _ in range(pick.randint(1, 12)))


@pytest.mark.parametrize(
    "body",
    [
        "สวัสดีค่ะ พรุ่งนี้ประชุม 10.30 น.",
        "Hello, world!",
        '{"t": 1764543200000000000, "phase": "hub", "n": 512}',
        "(ก) ข้อ 1/2 = 50%",
        "ดู https://ksp.or.th/license/",
    ],
)
def test_a_plain_line_renders_as_the_engine_renders_it(body):
    assert markdown._plain(body)
    assert markdown.render(body) == markdown._rendered(body, None) == f"<p>{body}</p>"


@pytest.mark.parametrize(
    "body",
    ["1. ข้อแรก", "- รายการ", "+ รายการ", "**ตัวหนา**", "a_b_", "# หัวข้อ", "a & b", "<b>", "@somchai", "ก\nข", "ก "],
)
def test_anything_markdown_could_read_as_markup_goes_through_the_engine(body):
    assert not markdown._plain(body)
    assert markdown.render(body) == markdown._rendered(body, None)


def test_random_lines_render_the_same_either_way():
    taken = 0
    for body in lines(20_000, seed=12):
        body = body.strip()
        if not body:
            continue
        assert markdown.render(body) == markdown._rendered(body, None), body
        taken += markdown._plain(body)
    assert taken > 100  # the short way was tried, not only the engine


def test_a_long_thai_notice_that_is_not_one_plain_line_renders_at_once():
    """A case notice of many lines (licensing posts them): the plain-line check fails only at the
    first line break, and must fail in a single pass over the text, not by trying every way to
    match each character (the first version of PLAIN_LINE took seconds for 22 characters and
    hung the demo server on a notice)."""
    notice = "คำขอใบอนุญาตประกอบวิชาชีพครู ผู้ยื่นคำขอได้ส่งเอกสารครบถ้วนแล้ว " * 80 + "\n- เอกสารแนบ"
    html = markdown.render(notice)
    assert html.startswith("<p>คำขอใบอนุญาต") and "<li>เอกสารแนบ</li>" in html
