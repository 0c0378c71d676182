"""The grant seeker's pages: dashboard, grants list and detail, saving, exports."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from grants import dashboard_charts, selectors
from grants.calendar import calendar_for_grants
from grants.criteria import CATEGORY_LABELS, ELIGIBILITY_LABELS
from grants.forms import BulkSaveForm
from grants.models import Grant
from grants.scoring import DIMENSION_LABELS, DIMENSIONS
from grants.services.saving import grant_unsave, grants_save
from grants.sources.normalize import safe_url


def _get_grant_for_user(request, pk: int) -> Grant:
    """The signed-in user's grant, or 404 (others' grants are not even confirmed to exist)."""
    return get_object_or_404(selectors.grants_for_user(request.user), pk=pk)


@login_required
def dashboard(request):
    context = selectors.dashboard_figures(request.user)
    # The charts are built here, from the figures already read: no query hides in the template.
    context["charts"] = {
        "score_bands": dashboard_charts.score_bands(request.user, context["figures"]),
        "categories": dashboard_charts.categories(request.user, context["figures"]),
        "deadline_weeks": dashboard_charts.deadlines_by_week(request.user),
    }
    return render(request, "grants/dashboard.html", context)


@login_required
def grant_list(request):
    form, page = selectors.grants_page(request.user, request.GET)
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    query = query.urlencode()
    prefix = f"?{query}&" if query else "?"
    return render(
        request,
        "grants/list.html",
        {
            "form": form,
            "page": page,
            "rows_html": _rows_html(page.rows),
            "query": query,
            "next_url": f"{prefix}{urlencode({'page': page.number + 1, 'after': page.next_cursor})}",
            "previous_url": f"{prefix}{urlencode({'page': page.number - 1, 'before': page.previous_cursor})}",
        },
    )


def _rows_html(rows: list[dict]) -> str:
    """The list's table rows. Built here rather than by a template loop: 25 rows of ten values
    each through the template engine cost more than the rest of the page (bench/pages.py)."""
    return mark_safe(
        "".join(
            f'<tr><td><input type="checkbox" name="grant_ids" value="{row["id"]}" id="select-{row["id"]}"'
            f' aria-label="Select {escape(row["title"])}"></td>'
            f'<td><a href="{row["url"]}">{escape(row["title"])}</a><div class="muted">{escape(row["funder"])}</div></td>'
            f'<td><span class="score{" score-high" if row["high"] else ""}">{row["score"]}</span></td>'
            f"<td>{row['deadline']}</td><td>{escape(row['funding'])}</td><td>{'Saved' if row['saved'] else ''}</td></tr>"
            for row in rows
        )
    )


@login_required
def grant_detail(request, pk: int):
    # The catalog entry in the same query: the page shows its eligibility and status.
    grant = get_object_or_404(selectors.grants_for_user(request.user).select_related("opportunity"), pk=pk)
    reasons = grant.score_reasons or {}
    breakdown = [
        {
            "name": DIMENSION_LABELS[name],
            "score": getattr(grant, f"{name}_score"),
            "reasons": reasons.get(name, []),
        }
        for name in DIMENSIONS
    ]
    days_left = (grant.deadline - timezone.now()).days if grant.deadline else None
    opportunity = grant.opportunity
    return render(
        request,
        "grants/detail.html",
        {
            "grant": grant,
            "opportunity": opportunity,
            "breakdown": breakdown,
            "days_left": days_left,
            # Legacy rows may hold anything in source_url; only http(s) becomes a link.
            "source_link": safe_url(grant.source_url),
            "eligible_labels": [ELIGIBILITY_LABELS.get(c, c) for c in opportunity.eligible_applicants]
            if opportunity
            else [],
            "category_labels": [CATEGORY_LABELS.get(c, c) for c in grant.categories or []],
        },
    )


@login_required
@require_POST
def grant_save(request, pk: int):
    grant = _get_grant_for_user(request, pk)
    grants_save(user=request.user, grant_ids=[grant.pk])
    messages.success(request, "Saved. Its deadline is in your calendar feed.")
    return redirect(_next_or(request, reverse("grants:detail", args=[grant.pk])))


@login_required
@require_POST
def grant_unsave_view(request, pk: int):
    grant = _get_grant_for_user(request, pk)
    grant_unsave(user=request.user, grant=grant)
    messages.success(request, "Removed from your saved grants.")
    return redirect(_next_or(request, reverse("grants:detail", args=[grant.pk])))


@login_required
@require_POST
def grant_bulk_save(request):
    form = BulkSaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Select at least one grant to save.")
    else:
        count = grants_save(user=request.user, grant_ids=form.cleaned_data["grant_ids"])
        messages.success(request, f"{count} grant{'s' if count != 1 else ''} saved.")
    return redirect(_next_or(request, reverse("grants:list")))


def _next_or(request, default: str) -> str:
    target = request.POST.get("next", "")
    # Only our own paths: never an open redirect.
    return target if target.startswith("/") and not target.startswith("//") else default


class _Echo:
    def write(self, value):
        return value


CSV_COLUMNS = [
    ("Title", "title"),
    ("Funder", "funder_name"),
    ("Score", "overall_composite_score"),
    ("Deadline", "deadline"),
    ("Funding", "funding_display"),
    ("Amount", "funding_amount"),
    ("Categories", "categories"),
    ("Status", "record_status"),
    ("Saved", "is_saved"),
    ("Source", "source_url"),
]


def _csv_cell(value) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = "" if value is None else str(value)
    # Spreadsheet apps run cells that start with these as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def grant_export_csv(request):
    _form, grants = selectors.grants_filtered(request.user, request.GET)
    writer = csv.writer(_Echo())
    fields = [field for _, field in CSV_COLUMNS]

    def rows():
        yield writer.writerow([label for label, _ in CSV_COLUMNS])
        for grant in grants.iterator(chunk_size=1000):
            yield writer.writerow([_csv_cell(getattr(grant, field)) for field in fields])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="grants.csv"'
    return response


@login_required
def grant_calendar(request):
    grants = selectors.grants_for_user(request.user).filter(is_saved=True, deadline__isnull=False)
    body = calendar_for_grants(grants.order_by("deadline"), site_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="grant-deadlines.ics"'
    return response
