from django.urls import path

from billing import views

app_name = "billing"

# /billing/ (success and cancel come before checkout/<plan>/, which would swallow them)
urlpatterns = [
    path("", views.plans, name="plans"),
    path("checkout/success/", views.checkout_success, name="checkout_success"),
    path("checkout/cancel/", views.checkout_cancel, name="checkout_cancel"),
    path("checkout/<slug:plan_key>/", views.checkout, name="checkout"),
    path("portal/", views.portal, name="portal"),
]
