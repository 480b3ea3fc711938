"""The default English words of every message a customer is sent, for every application.
Administrators change them (or add an application's own, or another language's) in
Systems Admin. The texts are kept here, as they were when written: a later change to
the defaults is a new migration, never an edit of this one."""

from typing import Any

from django.db import migrations

DEFAULTS: dict[str, tuple[str, str]] = {
    "acknowledgement": (
        "We have your request: {{ title }}",
        """Hello {{ name }},

Thank you for getting in touch. We have logged your request as {{ number }}:

  {{ title }}

We will respond by {{ respond_by }}.

You can follow it, and add to it, in the portal: {{ portal_link }}
Or reply to this message.

{{ site_name }}
To stop e-mail about requests that are not your own: {{ unsubscribe_link }}
""",
    ),
    "note": (
        "{{ title }}",
        """Hello {{ name }},

{{ note }}

This is about request {{ number }}, {{ title }}.
You can read the whole request in the portal: {{ portal_link }}
To answer, reply to this message.

{{ site_name }}
To stop e-mail about requests that are not your own: {{ unsubscribe_link }}
""",
    ),
    "waiting": (
        "We need your reply: {{ title }}",
        """Hello {{ name }},

We need something from you before we can carry on with {{ number }}, {{ title }}.
Please see our last message, or the request in the portal: {{ portal_link }}

To answer, reply to this message.

{{ site_name }}
To stop e-mail about requests that are not your own: {{ unsubscribe_link }}
""",
    ),
    "resolved": (
        "Resolved: {{ title }}",
        """Hello {{ name }},

We have resolved your request {{ number }}, {{ title }}:

{{ resolution }}

If it is not fixed, reply to this message or reopen it in the portal: {{ portal_link }}

{{ site_name }}
To stop e-mail about requests that are not your own: {{ unsubscribe_link }}
""",
    ),
    "closed": (
        "Closed: {{ title }}",
        """Hello {{ name }},

Your request {{ number }}, {{ title }}, is now closed.

{{ resolution }}

The request stays in the portal for your records: {{ portal_link }}

{{ site_name }}
To stop e-mail about requests that are not your own: {{ unsubscribe_link }}
""",
    ),
    "thanks": (
        "Thank you: {{ title }}",
        """Hello {{ name }},

Thank you for your kind words. We have passed them on to the team, who will be glad to
hear them. For your records, we have noted them as {{ number }}.

{{ site_name }}
To stop e-mail about requests that are not your own: {{ unsubscribe_link }}
""",
    ),
    "refused": (
        "We could not add your reply",
        """Hello {{ name }},

We are sorry: we could not add your reply, as this address may not add to that
request. If you think it should, please log in to the portal and add it there, or ask
the person who made the request to reply.

Request: {{ number }}
Your message: {{ subject }}

{{ site_name }}
""",
    ),
    "unknown_sender": (
        "We could not take your message",
        """Hello,

Thank you for writing to us. We are sorry: we only take requests by e-mail from our
registered customers, and we do not know this address. If you have an account, please
write from the address you registered with, or log in to the portal.

Your message: {{ subject }}

{{ site_name }}
""",
    ),
}


def write(apps: Any, schema_editor: Any) -> None:
    template = apps.get_model("mail", "Template")
    for kind, (subject, text) in DEFAULTS.items():
        template.objects.get_or_create(
            kind=kind,
            application=None,
            language="en",
            defaults={"subject": subject, "text": text, "html": ""},
        )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("mail", "Template").objects.filter(
        application=None, language="en", kind__in=list(DEFAULTS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("mail", "0001_mailboxes_templates_inbound")]

    operations = [migrations.RunPython(write, remove)]
