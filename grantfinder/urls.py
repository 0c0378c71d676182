from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from grantfinder.api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health", account_views.health, name="health"),
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

# A database that failed answers 503 (JSON under /api/), other errors 500: grantfinder/outage.py.
handler500 = "grantfinder.outage.server_error"
