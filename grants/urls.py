from django.urls import path

from grants import search_views, views

app_name = "grants"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    # /grants/
    path("grants/", views.grant_list, name="list"),
    path("grants/export.csv", views.grant_export_csv, name="export_csv"),
    path("grants/calendar.ics", views.grant_calendar, name="calendar"),
    path("grants/save/", views.grant_bulk_save, name="bulk_save"),
    path("grants/<int:pk>/", views.grant_detail, name="detail"),
    path("grants/<int:pk>/save/", views.grant_save, name="save"),
    path("grants/<int:pk>/unsave/", views.grant_unsave_view, name="unsave"),
    # /search/
    path("search/", search_views.search, name="search"),
    path("search/runs/", search_views.run_list, name="runs"),
    path("search/runs/<int:pk>/", search_views.run_detail, name="run_detail"),
    path("search/runs/<int:pk>/status.json", search_views.run_status, name="run_status"),
    path("search/saved/", search_views.saved_search_list, name="saved_searches"),
    path("search/saved/<int:pk>/alerts/", search_views.saved_search_toggle, name="saved_search_toggle"),
    path("search/saved/<int:pk>/delete/", search_views.saved_search_delete, name="saved_search_delete"),
    path("alerts/unsubscribe/<uuid:token>/", search_views.alerts_unsubscribe, name="unsubscribe"),
]
