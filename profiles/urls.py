from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("", views.profile_edit, name="edit"),
    # /profile/documents/
    path("documents/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
]
