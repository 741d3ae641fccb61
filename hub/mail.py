"""An e-mail backend that keeps what is sent in the database instead of sending it (the demo)."""

from django.core.mail.backends.base import BaseEmailBackend

from hub.models import KeptMail


class KeepingBackend(BaseEmailBackend):
    """Every message is stored as a KeptMail, readable by admins (Admin → sent e-mails)."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            names = [item.get_filename() if hasattr(item, "get_filename") else item[0] for item in message.attachments]
            KeptMail.objects.create(
                to=", ".join(message.to + message.cc + message.bcc)[:5000],
                subject=str(message.subject)[:300],
                body=message.body,
                attachments=", ".join(str(name) for name in names if name)[:500],
            )
        return len(email_messages)
