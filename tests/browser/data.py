"""Realistic data for the browser tests, made through the same services the pages use."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from applications.services import application_request
from grants.criteria import SearchCriteria
from grants.models import Grant
from grants.services.saving import grants_save, saved_search_create
from grants.services.search_runs import search_run_start
from profiles.services import document_upload
from tests.factories import BusinessProfileFactory, OpportunityFactory

# The catalog a search runs over: titles the tests look for, several categories and deadlines.
CATALOG = [
    ("Rural Broadband Expansion", ["IS"], 20, "Deploy broadband to unserved rural households in Louisiana."),
    ("Digital Literacy for Rural Communities", ["ED"], 12, "Teach digital skills in rural Louisiana parishes."),
    (
        "Community Wi-Fi Hotspots",
        ["IS", "CD"],
        33,
        "Community Wi-Fi and device lending for rural broadband users in Louisiana.",
    ),
    ("Broadband Workforce Training", ["ELT"], 50, "Train technicians to build rural broadband networks in Louisiana."),
]


def run_worker() -> None:
    """Run every queued background task (search runs, application writing) to the end, as db_worker does."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def catalog_add() -> None:
    today = timezone.localdate()
    for title, categories, days_left, text in CATALOG:
        OpportunityFactory(
            title=title,
            categories=categories,
            close_date=today + timedelta(days=days_left),
            description=f"<p>{text}</p>",
            description_text=text,
        )


def grant_seeker_with_everything(user) -> dict:
    """A user who has a profile, a document, a finished search, a saved grant and a written application."""
    profile = BusinessProfileFactory(user=user, business_name="Bayou Connect")
    document = document_upload(
        user=user,
        uploaded_file=SimpleUploadedFile(
            "annual-report.txt", b"Bayou Connect served 1,200 rural households in 2025.", content_type="text/plain"
        ),
    )
    catalog_add()
    run = search_run_start(user=user, criteria=SearchCriteria(keywords="broadband"))
    run_worker()
    grant = Grant.objects.filter(user=user).order_by("-overall_composite_score", "id").first()
    grants_save(user=user, grant_ids=[grant.pk])
    saved_search_create(user=user, name="Broadband", criteria=SearchCriteria(keywords="broadband"))
    application = application_request(user=user, grant=grant)
    run_worker()
    return {"profile": profile, "document": document, "run": run, "grant": grant, "application": application}
