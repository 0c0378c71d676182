from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from profiles import selectors, services
from profiles.documents import CONTENT_TYPES, DocumentRejected
from profiles.forms import BusinessProfileForm, DocumentUploadForm
from profiles.models import DOCUMENTS_MAX_TOTAL_BYTES, NARRATIVE_MAX_LENGTH, Document
from profiles.uploads import DocumentSizeLimitHandler


def _get_document_for_user(request, pk: int) -> Document:
    """The signed-in user's document, or 404 (never 403: others' ids are not confirmed)."""
    return get_object_or_404(selectors.documents_for_user(user=request.user), pk=pk)


def _initial(profile) -> dict:
    return {field: getattr(profile, field) for field in services.PROFILE_FIELDS} if profile else {}


@login_required
def profile_edit(request):
    profile = selectors.profile_for_user(user=request.user)
    if request.method == "POST":
        form = BusinessProfileForm(request.POST, initial=_initial(profile))
        if form.is_valid():
            services.profile_save(user=request.user, data=form.cleaned_data)
            messages.success(request, "Your profile is saved.")
            return redirect("profiles:edit")
        messages.error(request, "Your profile is not saved yet: please correct the fields marked below.")
    else:
        form = BusinessProfileForm(initial=_initial(profile))
    documents = selectors.documents_for_user(user=request.user)
    used = profile.documents_total_size_bytes if profile else 0
    return render(
        request,
        "profiles/profile.html",
        {
            "form": form,
            "profile": profile,
            "documents": documents,
            "upload_form": DocumentUploadForm(),
            "narrative_max_length": NARRATIVE_MAX_LENGTH,
            "documents_used_bytes": used,
            "documents_limit_bytes": DOCUMENTS_MAX_TOTAL_BYTES,
        },
        status=400 if form.errors else 200,
    )


@csrf_exempt  # checked below by csrf_protect, once the size guard is in place
@login_required
@require_POST
def document_upload(request):
    # The guard must be installed before anything reads the body, CSRF checking included.
    profile = selectors.profile_for_user(user=request.user)
    used = profile.documents_total_size_bytes if profile else 0
    guard = DocumentSizeLimitHandler(request, limit=max(DOCUMENTS_MAX_TOTAL_BYTES - used, 0))
    request.upload_handlers.insert(0, guard)
    return _document_upload(request, guard=guard, used=used)


@csrf_protect
def _document_upload(request, *, guard: DocumentSizeLimitHandler, used: int):
    files = request.FILES  # parses the body, through the guard
    if guard.exceeded:
        messages.error(request, f"Not uploaded: {services.over_limit_message(used)}")
        return redirect("profiles:edit")
    form = DocumentUploadForm(request.POST, files)
    if not form.is_valid():
        for error in form.errors.get("file", ["The upload could not be read."]):
            messages.error(request, str(error))
        return redirect("profiles:edit")
    try:
        document = services.document_upload(user=request.user, uploaded_file=form.cleaned_data["file"])
    except DocumentRejected as rejected:
        messages.error(request, f"Not uploaded: {rejected}")
    else:
        messages.success(request, f"“{document.original_name}” is uploaded and indexed.")
    return redirect("profiles:edit")


@login_required
def document_download(request, pk: int):
    document = _get_document_for_user(request, pk)
    try:
        handle = services.document_open(document=document)
    except FileNotFoundError:
        raise Http404("The file of this document is missing.")
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=CONTENT_TYPES[document.kind]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_delete(request, pk: int):
    document = _get_document_for_user(request, pk)
    name = document.original_name
    services.document_delete(document=document)
    messages.success(request, f"“{name}” is deleted.")
    return redirect("profiles:edit")
