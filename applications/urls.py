from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_new, name="new"),
    # /applications/<pk>/
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/retry/", views.application_retry, name="retry"),
    path("<int:pk>/status/", views.status_change, name="status"),
    path("<int:pk>/feedback/", views.feedback_save, name="feedback"),
    path("<int:pk>/sections/<slug:key>/", views.section_edit, name="section_edit"),
    path("<int:pk>/sections/<slug:key>/regenerate/", views.section_regenerate, name="section_regenerate"),
    # /applications/<pk>/ exports
    path("<int:pk>/export.md", views.export_markdown, name="export_markdown"),
    path("<int:pk>/export.docx", views.export_docx, name="export_docx"),
    path("<int:pk>/print/", views.print_view, name="print"),
    # /applications/tracking/: the application history of a grant, recorded by hand
    path("tracking/grant/<int:grant_id>/", views.tracking_for_grant, name="tracking"),
    path("tracking/<int:pk>/delete/", views.tracking_entry_delete, name="tracking_delete"),
]
