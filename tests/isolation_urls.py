"""The project's URLs plus deliberately broken routes, to prove tests/test_isolation.py can fail."""

from django.http import Http404, HttpResponse, JsonResponse
from django.urls import include, path

from grantfinder.urls import urlpatterns as project_urlpatterns
from grants.models import Grant


def leaky(request, pk):
    # Wrong on purpose: no ownership check.
    return HttpResponse(Grant.objects.get(pk=pk).title)


def meddling(request, pk):
    # Wrong on purpose: answers 404 to others, but only after changing their grant.
    grant = Grant.objects.get(pk=pk)
    if grant.user_id != request.user.pk:
        grant.title = "changed by someone else"
        grant.save(update_fields=["title"])
        raise Http404
    return HttpResponse(grant.title)


def all_grants(request):
    # Wrong on purpose: everyone's grants, not the caller's.
    return HttpResponse("\n".join(Grant.objects.values_list("title", flat=True)))


def all_grant_ids(request):
    # Wrong on purpose: everyone's grant ids, as a JSON list endpoint would show them.
    return JsonResponse({"ids": list(Grant.objects.values_list("pk", flat=True))})


def unmapped(request, widget_id):
    raise Http404


probe_patterns = (
    [
        path("leaky/<int:pk>/", leaky, name="leaky"),
        path("meddling/<int:pk>/", meddling, name="meddling"),
        path("unmapped/<int:widget_id>/", unmapped, name="unmapped"),
        path("all-grants/", all_grants, name="all_grants"),
        path("all-grant-ids/", all_grant_ids, name="all_grant_ids"),
    ],
    "probe",
)

urlpatterns = [*project_urlpatterns, path("probe/", include(probe_patterns))]
