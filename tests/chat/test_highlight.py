"""Search results mark the words searched for in a message's text, and only in its text."""

from chat.markdown import highlight, render


def test_words_are_marked_in_text_never_in_tags_or_entities():
    html = render("ดู **ใบอนุญาต** <script>alert('amp')</script> & [ลิงก์](https://example.com/amp)")
    marked = highlight(html, ["amp", "ใบอนุญาต", "<script>"])
    assert "<strong><mark>ใบอนุญาต</mark></strong>" in marked
    assert "<mark>&lt;script&gt;</mark>alert(&#x27;<mark>amp</mark>&#x27;)" in marked
    assert 'href="https://example.com/amp"' in marked  # the link's address is left alone
    assert "<script>" not in marked and "&amp;" in marked


def test_nothing_to_mark_leaves_the_html_as_it_was():
    html = render("สวัสดี & ลาก่อน")
    assert highlight(html, []) == html
    assert highlight(html, ["ไม่มี"]) == html
