"""Billing's e-mails, one function each (templates in templates/emails/)."""

from __future__ import annotations

from django.urls import reverse

from core.emails import send_templated_email


def send_usage_warning(*, user, kind: str, used: int, limit: int) -> None:
    send_templated_email(
        to=user.email,
        name="usage-warning",
        context={"user": user, "kind": kind, "used": used, "limit": limit, "plans_path": reverse("billing:plans")},
    )


def send_payment_failed(*, user, plan_name: str, amount_due: int, currency: str) -> None:
    send_templated_email(
        to=user.email,
        name="payment-failed",
        context={
            "user": user,
            "plan_name": plan_name,
            "amount_due": f"{amount_due / 100:,.2f} {currency.upper()}",
            "plans_path": reverse("billing:plans"),
        },
    )
