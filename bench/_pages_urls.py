"""bench/pages.py's URLs: the project's, plus an empty view signed-in requests pass through.

The empty view is the framework's floor (middleware, session, user lookup skipped: it reads
neither), which /health no longer is since it runs its checks on a thread of its own.
"""

from django.http import HttpResponse
from django.urls import include, path


def empty(request):
    return HttpResponse(b"")


urlpatterns = [path("bench-empty", empty), path("", include("grantfinder.urls"))]
