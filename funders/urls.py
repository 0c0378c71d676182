from django.urls import path

from funders import views

app_name = "funders"

urlpatterns = [
    path("", views.funder_home, name="home"),
    path("search/", views.funder_search, name="search"),
    path("approaches/<int:pk>/delete/", views.approach_delete, name="approach_delete"),
    # /funders/<ein>/: a foundation's public record (its EIN is public IRS data, not a user's object)
    path("<str:ein>/", views.funder_detail, name="detail"),
    path("<str:ein>/save/", views.funder_save_view, name="save"),
    path("<str:ein>/unsave/", views.funder_unsave_view, name="unsave"),
    path("<str:ein>/approaches/", views.approach_create, name="approach_create"),
]
