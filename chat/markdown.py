"""Message Markdown → safe HTML: rendered by markdown-it, then sanitized by nh3 (DESIGN.md §8)."""

import re
from html import unescape

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt

# CommonMark with ~~strike~~; raw HTML in a message is shown as text, never passed through.
_renderer = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("strikethrough")


def _link_allowed(url: str) -> bool:
    url = url.strip().lower()
    # "/people/7/" is ours; "//evil.example" only looks local.
    return url.startswith(("http://", "https://", "mailto:")) or (url.startswith("/") and not url.startswith("//"))


_renderer.validateLink = _link_allowed

ALLOWED_TAGS = {"p", "br", "strong", "em", "del", "s", "a", "ul", "ol", "li", "code", "pre", "blockquote", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "class"}, "span": {"class"}, "ol": {"start"}}
# Bidirectional controls can make a link's text read differently from where it goes.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_.\-]{2,150})")
# Sanitized HTML cut into tags and text; mentions are linked in text only, outside links and code.
TAGS = re.compile(r"(<[^>]*>)")
SKIPPED = {"a", "code", "pre"}


# One line that Markdown cannot read as anything but text (no markup, entity, break, mention or
# list marker): it renders as itself in one paragraph. Most messages are such lines, and this
# answers them without markdown-it and nh3 (45 µs a send, docs/performance.md). Thai is spelled
# out because its vowel and tone marks are not word characters to the regex module. After the
# first character it is one character class, never an alternation: two overlapping ways to match
# each character would make a long line that fails at its end take exponential time. "_" is a
# word character, and emphasis: bodies holding one go through the engine.
PLAIN_LINE = re.compile(r"(?:[^\W\d_]|[\u0e00-\u0e7f\"'({])[\w\u0e00-\u0e7f \"'{}(),.?!:;/%=+-]*")


def _plain(body: str) -> bool:
    return PLAIN_LINE.fullmatch(body) is not None and "_" not in body and not body.endswith(" ")


def render(body: str, mentionable: dict[str, tuple[str | tuple[str, str], str]] | None = None) -> str:
    """HTML of a message body. `mentionable` maps a lower-cased @handle to (label, link); a label
    may be a (Thai, English) pair: both are stored, and the page shows the one of its language."""
    if _plain(body):
        return f"<p>{body}</p>"
    return _rendered(body, mentionable)


def _rendered(body: str, mentionable: dict | None) -> str:
    html = _renderer.render(BIDI_CONTROLS.sub("", body))
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    if not mentionable:
        return html.strip()

    def link(match: re.Match) -> str:
        found = mentionable.get(match.group(1).lower().rstrip("."))
        if found is None:
            return match.group(0)
        label, href = found
        if isinstance(label, tuple):
            thai, english = label
            label_html = (
                f'<span class="lang-th" lang="th">@{escape(thai)}</span>'
                f'<span class="lang-en" lang="en">@{escape(english)}</span>'
            )
        else:
            label_html = f"@{escape(label)}"
        return f'<a class="mention" href="{escape(href)}">{label_html}</a>'

    out, inside = [], []
    for part in TAGS.split(html):
        if part.startswith("<"):
            name = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            if name in SKIPPED:
                if part.startswith("</"):
                    if inside:
                        inside.pop()
                else:
                    inside.append(name)
            out.append(part)
        else:
            out.append(part if inside else MENTION.sub(link, part))
    return "".join(out).strip()


def mentioned_handles(body: str) -> set[str]:
    return {handle.lower().rstrip(".") for handle in MENTION.findall(body)}


def highlight(html: str, words: list[str]) -> str:
    """Sanitized message HTML with each of `words` marked where it appears in the text (never inside
    a tag or an entity): each text run is read back to plain text, cut at the matches, and every
    piece escaped again before the marks go around the matching ones."""
    wanted = sorted({word for word in words if word}, key=len, reverse=True)
    if not wanted:
        return html
    pattern = re.compile("|".join(re.escape(word) for word in wanted), re.IGNORECASE)

    def mark(text: str) -> str:
        plain, out, at = unescape(text), [], 0
        for match in pattern.finditer(plain):
            out += [escape(plain[at : match.start()]), f"<mark>{escape(match.group(0))}</mark>"]
            at = match.end()
        return "".join([*out, escape(plain[at:])]) if out else text

    return "".join(part if part.startswith("<") else mark(part) for part in TAGS.split(html))
