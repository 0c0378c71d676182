"""The two social-auth routes we use (begin and complete); its disconnect routes stay unmounted."""

from django.urls import path

from accounts import views

app_name = "social"

urlpatterns = [
    path("login/<str:backend>/", views.auth0_begin, name="begin"),
    path("complete/<str:backend>/", views.auth0_complete, name="complete"),
]
