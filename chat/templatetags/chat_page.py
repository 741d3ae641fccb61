"""The chat's words for its page script, for every page that shows a conversation (the chat page,
a meeting's page): `{% load chat_page %}{% chat_labels %}` writes them as #chat-labels."""

from django import template
from django.utils.html import format_html_join, json_script
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def chat_labels():
    return json_script(_labels(), "chat-labels")


def _labels() -> dict:
    """Words the page's script needs, in the page's language."""
    return {
        "edited": _("edited"),
        "notice": _("System notice"),
        "deleted": _("This message was deleted."),
        "reply": _("Reply"),
        # The page's languages have at most two plural forms (Thai one, English two): "one" and "many".
        "replies_one": ngettext("%(n)s reply", "%(n)s replies", 1),
        "replies": ngettext("%(n)s reply", "%(n)s replies", 2),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "typing": _("%(name)s is typing…"),
        "sending": _("Sending…"),
        "waiting": _("Not sent yet: it will be sent when the connection is back."),
        "failed": _("Not sent"),
        "discard": _("Discard"),
        "confirm_delete": _("Delete this message?"),
        "react": _("React with thumbs up"),
        "new_message": _("New message from %(name)s"),
        "uploading": _("Uploading %(name)s…"),
        "upload_failed": _("Could not send %(name)s: %(reason)s"),
        "offline_upload": _("Files can be sent only while connected."),
        "pin": _("Pin"),
        "unpin": _("Unpin"),
        "pinned": _("Pinned"),
        "pinned_one": ngettext("%(n)s pinned", "%(n)s pinned", 1),
        "pinned_many": ngettext("%(n)s pinned", "%(n)s pinned", 2),
        "archive": _("Archive"),
        "unread": _("unread"),
        "mention_list": _("People and teams to mention"),
        "open_again": _("Open again"),
    }


@register.filter
def picker_options(people) -> str:
    """The <option>s of a people picker (chat/_people_picker.html), written without the template
    engine: the chat page has up to three pickers of up to 500 people, and rendering them tag by
    tag was most of the page's time in an organisation of 1,500 (bench/capacity.py)."""
    return format_html_join(
        "",
        '<option value="{}" data-search="{} {} {} {} {}" data-hint="{}">{}{}</option>',
        (
            (
                person.user_id,
                person.first_name_th,
                person.last_name_th,
                person.first_name_en,
                person.last_name_en,
                person.nickname,
                person.position,
                person.display_name,
                f" ({person.nickname})" if person.nickname else "",
            )
            for person in people
        ),
    )
