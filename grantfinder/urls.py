from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from core import views as core_views
from grantfinder import metrics
from grantfinder.api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health", core_views.health, name="health"),
    path("metrics", metrics.metrics, name="metrics"),
    path("accounts/", include("accounts.urls")),
    path("accounts/auth/", include("accounts.social_urls")),
    path("profile/", include("profiles.urls")),
    path("applications/", include("applications.urls")),
    path("funders/", include("funders.urls")),
    path("billing/", include("billing.urls")),
    path("", include("grants.urls")),
    path("stripe/", include("djstripe.urls", namespace="djstripe")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

# A database that failed answers 503, other errors 500; every error is JSON under /api/
# (grantfinder/outage.py).
handler500 = "grantfinder.outage.server_error"
handler400 = "grantfinder.outage.bad_request"
handler403 = "grantfinder.outage.permission_denied"
handler404 = "grantfinder.outage.page_not_found"
