"""The project's URLs plus one page and one API route that consume an allowance (tests only)."""

from django.http import HttpResponse
from django.urls import path
from ninja import NinjaAPI

from billing.api import usage_limit_reached
from billing.exceptions import UsageLimitReached
from billing.services.usage import usage_consume_search
from grantfinder.urls import urlpatterns as project_urlpatterns


def consume_search_page(request):
    usage_consume_search(user=request.user)
    return HttpResponse("searched")


test_api = NinjaAPI(urls_namespace="limit_test_api")
test_api.add_exception_handler(UsageLimitReached, usage_limit_reached)


@test_api.post("/search")
def consume_search_route(request):
    usage_consume_search(user=request.user)
    return {"ok": True}


urlpatterns = [
    path("test-consume-search/", consume_search_page),
    path("test-api/", test_api.urls),
    *project_urlpatterns,
]
