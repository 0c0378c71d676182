from django.urls import path

from billing import views

app_name = "billing"

# /billing/
urlpatterns = [
    path("", views.plans, name="plans"),
    path("checkout/<slug:plan_key>/", views.checkout, name="checkout"),
    path("checkout/success/", views.checkout_success, name="checkout_success"),
    path("checkout/cancel/", views.checkout_cancel, name="checkout_cancel"),
    path("portal/", views.portal, name="portal"),
]
