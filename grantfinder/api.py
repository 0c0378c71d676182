"""The JSON API at /api/: one django-ninja instance, session-authenticated (CSRF on writes).

Each app contributes a router from ``<app>/api.py``; the OpenAPI docs are for staff only.
"""

from django.contrib.admin.views.decorators import staff_member_required
from ninja import NinjaAPI
from ninja.security import django_auth

from accounts.middleware import throttled_json
from accounts.throttling import Throttled
from billing.api import usage_limit_reached
from billing.exceptions import UsageLimitReached

api = NinjaAPI(
    title="Grant Finder API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_decorator=staff_member_required,
)

api.add_router("/users/", "accounts.api.router")
api.add_router("/billing/", "billing.api.router")
# A spent allowance (billing.services.usage.usage_consume_*) answers 402 from any route.
api.add_exception_handler(UsageLimitReached, usage_limit_reached)
# A rate limit (accounts/throttling.py) answers 429 with Retry-After from any route.
api.add_exception_handler(Throttled, lambda request, exc: throttled_json(exc))
api.add_router("/", "profiles.api.router")
api.add_router("/", "grants.api.router")
api.add_router("/", "funders.api.router")
api.add_router("/", "applications.api.router")
