"""The two social-auth routes we use (begin and complete); its disconnect routes stay unmounted."""

from django.urls import path
from social_django import views as social_views

app_name = "social"

urlpatterns = [
    path("login/<str:backend>/", social_views.auth, name="begin"),
    path("complete/<str:backend>/", social_views.complete, name="complete"),
]
