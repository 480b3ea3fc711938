"""The default English words of every message a customer is sent, for every application.

The data migration mail/0002 writes them as the templates administrators then change
in Systems Admin; and should a kind's default row be missing (deleted, or a test
database emptied between tests), `templates.choose` falls back to these, so a customer
is never left without their acknowledgement for want of a row."""

from __future__ import annotations

LANGUAGE = "en"

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
""",
    ),
    "waiting": (
        "We need your reply: {{ title }}",
        """Hello {{ name }},

We need something from you before we can carry on with {{ number }}, {{ title }}.
Please see our last message, or the request in the portal: {{ portal_link }}

To answer, reply to this message.

{{ site_name }}
""",
    ),
    "resolved": (
        "Resolved: {{ title }}",
        """Hello {{ name }},

We have resolved your request {{ number }}, {{ title }}:

{{ resolution }}

If it is not fixed, reply to this message or reopen it in the portal: {{ portal_link }}

{{ site_name }}
""",
    ),
    "closed": (
        "Closed: {{ title }}",
        """Hello {{ name }},

Your request {{ number }}, {{ title }}, is now closed.

{{ resolution }}

The request stays in the portal for your records: {{ portal_link }}

{{ site_name }}
""",
    ),
    "thanks": (
        "Thank you: {{ title }}",
        """Hello {{ name }},

Thank you for your kind words. We have passed them on to the team, who will be glad to
hear them. For your records, we have noted them as {{ number }}.

{{ site_name }}
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
    "reminder": (
        "Still waiting for your reply: {{ title }}",
        """Hello {{ name }},

We asked you for something {{ days }} days ago so that we can carry on with
{{ number }}, {{ title }}, and have not heard back. If we do not hear from you, we will
close the request; you can reopen it or write to us again at any time.

See the request in the portal: {{ portal_link }}
Or reply to this message.

{{ site_name }}
""",
    ),
    "update": (
        "An update on your request: {{ title }}",
        """Hello {{ name }},

There is news on your request {{ number }}, {{ title }}: it is now {{ status }}.

See it in the portal: {{ portal_link }}

{{ site_name }}
""",
    ),
    "birthday": (
        "Happy birthday, {{ name }}",
        """Hello {{ name }},

Everyone at {{ site_name }} wishes you a very happy birthday.

{{ site_name }}
""",
    ),
    "anniversary": (
        "Thank you for {{ years }} years with us",
        """Hello {{ name }},

It is {{ years }} years today since you became our customer. Thank you for your trust:
we are glad to be working with you.

{{ site_name }}
""",
    ),
    "satisfaction": (
        "Were you satisfied? {{ title }}",
        """Hello {{ name }},

Your request {{ number }}, {{ title }}, has been resolved. Were you satisfied with how
we handled it? One click tells us, and you can add a comment on the page that opens:

{{ rating_links }}

Thank you: every answer is read.

{{ site_name }}
""",
    ),
}
