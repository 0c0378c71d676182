"""Sending the product's e-mails: each has a subject, a text body and an HTML body.

Templates live in ``templates/emails/<name>-subject.txt``, ``<name>-body.txt`` and
``<name>-body.html``. Each app keeps one function per e-mail in its own ``emails.py`` and
calls ``send_templated_email`` here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(*, to: str, name: str, context: dict) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{name}-subject.txt", context).strip()
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
