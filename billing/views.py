from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from billing.exceptions import BillingError, BillingNotConfigured
from billing.models import Subscription
from billing.selectors import billing_is_configured, plan_get, plan_list, subscription_for_user, usage_for_user
from billing.services.subscriptions import checkout_session_start, portal_session_start


def _subscription_for_user(request) -> Subscription | None:
    """The signed-in user's own subscription row, if any (billing pages never take another's id)."""
    return subscription_for_user(user=request.user)


@login_required
def plans(request):
    subscription = _subscription_for_user(request)
    return render(
        request,
        "billing/plans.html",
        {
            "plans": plan_list(),
            "current_plan": plan_get(key=request.user.subscription_tier),
            "subscription": subscription,
            "usage": usage_for_user(user=request.user),
            "billing_configured": billing_is_configured(),
            "has_billing_account": bool(subscription and subscription.stripe_customer_id),
        },
    )


@login_required
@require_POST
def checkout(request, plan_key: str):
    plan = plan_get(key=plan_key)
    if plan is None:
        raise Http404("No such plan.")
    if not billing_is_configured():
        messages.error(request, "Billing is not configured on this server, so paid plans cannot be bought.")
        return redirect("billing:plans")
    if request.user.subscription_tier != "free":
        # A second Checkout would start a second subscription: plan changes happen in the portal.
        messages.info(request, "You already have a paid plan: change it under Manage billing.")
        return redirect("billing:plans")
    try:
        url = checkout_session_start(
            user=request.user,
            plan_key=plan.key,
            success_url=request.build_absolute_uri(reverse("billing:checkout_success")),
            cancel_url=request.build_absolute_uri(reverse("billing:checkout_cancel")),
        )
    except (BillingError, BillingNotConfigured) as exc:
        messages.error(request, str(exc))
        return redirect("billing:plans")
    return redirect(url)


@login_required
def checkout_success(request):
    # Stripe confirms the subscription by webhook; this page only thanks and explains.
    return render(request, "billing/checkout_success.html")


@login_required
def checkout_cancel(request):
    return render(request, "billing/checkout_cancel.html")


@login_required
@require_POST
def portal(request):
    try:
        url = portal_session_start(user=request.user, return_url=request.build_absolute_uri(reverse("billing:plans")))
    except (BillingError, BillingNotConfigured) as exc:
        messages.error(request, str(exc))
        return redirect("billing:plans")
    return redirect(url)
