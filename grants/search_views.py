"""Search pages: the search form, run history with live progress, saved searches, unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.throttling import throttle_hit
from grants import selectors
from grants.criteria import SearchCriteria
from grants.forms import SearchForm
from grants.models import SavedSearch, SearchRun, SearchRunStatus
from grants.services import saving
from grants.services.saving import SavedSearchLimitReached, saved_search_alerts_set, saved_search_create
from grants.services.search_runs import search_run_start, search_runs_fail_stale
from profiles.selectors import profile_for_user


def _get_run_for_user(request, pk: int) -> SearchRun:
    return get_object_or_404(selectors.search_runs_for_user(user=request.user), pk=pk)


def _get_saved_search_for_user(request, pk: int) -> SavedSearch:
    return get_object_or_404(selectors.saved_searches_for_user(user=request.user), pk=pk)


@login_required
def search(request):
    profile = profile_for_user(user=request.user)
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid():
            criteria = form.criteria()
            name = form.cleaned_data["save_as"].strip()
            throttle_hit(user=request.user, scope="search_run")  # 429 page past the rate limit
            try:
                # One transaction: a spent allowance (402 page) leaves no saved search behind.
                with transaction.atomic():
                    if name:
                        saved_search_create(user=request.user, name=name, criteria=criteria)
                    run = search_run_start(user=request.user, criteria=criteria)
            except SavedSearchLimitReached as exc:
                form.add_error("save_as", str(exc))
                return render(request, "grants/search.html", {"form": form, "profile": profile}, status=400)
            if name:
                messages.success(request, f'Search saved as "{name}": new matches will be e-mailed to you.')
            else:
                messages.success(request, "Your search has started: this page follows it until it is done.")
            return redirect("grants:run_detail", pk=run.pk)
        return render(request, "grants/search.html", {"form": form, "profile": profile}, status=400)
    saved_pk = request.GET.get("saved")
    if saved_pk and saved_pk.isdigit():
        initial = SearchCriteria.from_dict(_get_saved_search_for_user(request, int(saved_pk)).criteria).as_dict()
    else:
        initial = SearchCriteria.from_profile(profile).as_dict()
    form = SearchForm(initial=initial)
    return render(request, "grants/search.html", {"form": form, "profile": profile, "fields_html": _fields_html(form)})


# The blank form's fields by their initial values, per process: its ~40 checkboxes rendered through
# the widgets' templates cost more than the rest of the page, and the initial values (from a
# profile or a saved search) repeat.
_FIELDS_HTML: dict[str, str] = {}
_FIELDS_HTML_SIZE = 512


def _fields_html(form: SearchForm) -> str:
    key = repr(sorted((name, repr(value)) for name, value in form.initial.items()))
    html = _FIELDS_HTML.get(key)
    if html is None:
        html = render_to_string("grants/_search_fields.html", {"form": form})
        if len(_FIELDS_HTML) >= _FIELDS_HTML_SIZE:
            _FIELDS_HTML.clear()
        _FIELDS_HTML[key] = html
    return mark_safe(html)


@login_required
def run_list(request):
    search_runs_fail_stale(user=request.user)
    runs = selectors.search_runs_for_user(user=request.user).order_by("-timestamp", "-id")
    page = Paginator(runs, 25).get_page(request.GET.get("page"))
    return render(request, "grants/runs.html", {"page": page})


@login_required
def run_detail(request, pk: int):
    run = _get_run_for_user(request, pk)
    criteria = SearchCriteria.from_dict(run.search_filters)
    return render(
        request, "grants/run_detail.html", {"run": run, "criteria": criteria, "status": selectors.search_run_data(run)}
    )


@never_cache
@login_required
def run_status(request, pk: int):
    """Polled by static/js/search-run-progress.js while the run is in progress."""
    run = _get_run_for_user(request, pk)
    if run.status == SearchRunStatus.IN_PROGRESS and search_runs_fail_stale(user=request.user):
        run.refresh_from_db()
    return JsonResponse(selectors.search_run_data(run))


@login_required
def saved_search_list(request):
    searches = selectors.saved_searches_for_user(user=request.user).order_by("name")
    return render(request, "grants/saved_searches.html", {"searches": searches})


@login_required
@require_POST
def saved_search_toggle(request, pk: int):
    saved = saved_search_alerts_set(saved_search=_get_saved_search_for_user(request, pk), enabled=None)
    messages.success(request, f'Alerts for "{saved.name}" are {"on" if saved.alerts_enabled else "off"}.')
    return redirect("grants:saved_searches")


@login_required
@require_POST
def saved_search_delete(request, pk: int):
    saved = _get_saved_search_for_user(request, pk)
    saving.saved_search_delete(saved_search=saved)
    messages.success(request, f'Saved search "{saved.name}" deleted.')
    return redirect("grants:saved_searches")


def alerts_unsubscribe(request, token):
    """From the link in an alert e-mail: no sign-in needed, the token names one saved search."""
    saved = get_object_or_404(selectors.saved_search_by_unsubscribe_token(token=token))
    if request.method == "POST":
        saved_search_alerts_set(saved_search=saved, enabled=False)
        return render(request, "grants/unsubscribed.html", {"saved": saved})
    return render(request, "grants/unsubscribe.html", {"saved": saved})
