"""The JSON API at /api/: one django-ninja instance, session-authenticated (CSRF on writes).

Each app contributes a router from ``<app>/api.py``; the OpenAPI docs are for staff only. The
document declares, for every operation, the errors it can answer and their bodies
(core/api_errors.py), and every error is JSON.
"""

from typing import cast

from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from accounts.middleware import throttled_json
from accounts.throttling import Throttled
from billing.api import usage_limit_reached
from billing.exceptions import UsageLimitReached
from core.api_errors import ERROR_DESCRIPTIONS, ErrorOut, InvalidOut, declared_errors


class GrantFinderAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                errors = declared_errors(path=path, method=method, authenticated=bool(operation.get("security")))
                for status, model in errors.items():
                    if str(status) in responses or status in responses:
                        continue
                    components.setdefault(model.__name__, _component(model, components))
                    responses[status] = {
                        "description": ERROR_DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
                    }
        return schema


def _component(model, components: dict) -> dict:
    definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, nested in definition.pop("$defs", {}).items():
        components.setdefault(name, nested)
    return definition


api = GrantFinderAPI(
    title="Grant Finder API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_decorator=staff_member_required,
)


def _invalid(request, exc) -> JsonResponse:
    """Parameters that do not validate: 422 with what and where, in the declared InvalidOut shape."""
    where = "; ".join(
        f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', 'invalid')}" for error in exc.errors
    )
    body = InvalidOut(detail=f"The request is not valid: {where}.", code="invalid", errors=exc.errors)
    return JsonResponse(body.model_dump(mode="json"), status=422)


def _unauthorized(request, exc) -> JsonResponse:
    return JsonResponse(ErrorOut(detail="Sign in to use the API.", code="unauthorized").model_dump(), status=401)


def _uncaught(request, exc):
    # Even in DEBUG: Django's handler500 (grantfinder/outage.py) answers JSON, 503 for the database.
    raise exc


api.add_router("/users/", "accounts.api.router")
api.add_router("/billing/", "billing.api.router")
# A spent allowance (billing.services.usage.usage_consume_*) answers 402 from any route.
api.add_exception_handler(UsageLimitReached, usage_limit_reached)
# A rate limit (accounts/throttling.py) answers 429 with Retry-After from any route.
api.add_exception_handler(Throttled, lambda request, exc: throttled_json(cast(Throttled, exc)))
api.add_exception_handler(ValidationError, _invalid)
api.add_exception_handler(AuthenticationError, _unauthorized)
api.add_exception_handler(Exception, _uncaught)
api.add_router("/", "profiles.api.router")
api.add_router("/", "grants.api.router")
api.add_router("/", "funders.api.router")
api.add_router("/", "applications.api.router")
