"""The Funders section: matches for my profile, search, a funder's page, saving and approaches."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from funders import selectors
from funders.forms import ApproachForm, FunderSearchForm, GrantFilterForm
from funders.matching import profile_needs
from funders.services import approach_log, funder_save, funder_unsave

GRANTS_PER_PAGE = 50
FUNDERS_PER_PAGE = 25


def _profile(user):
    return getattr(user, "business_profile", None)


@login_required
def funder_home(request):
    profile = _profile(request.user)
    needs = profile_needs(profile)
    matches = selectors.funder_matches(needs) if profile else []
    return render(
        request,
        "funders/home.html",
        {
            "profile": profile,
            "needs": needs,
            "matches": matches,
            "preselected": selectors.preselected_funders_nearby(needs) if profile else [],
            "saved": selectors.saved_funders_for_user(request.user),
            "approaches": selectors.approaches_for_user(request.user)[:10],
            "form": FunderSearchForm(),
        },
    )


@login_required
def funder_search(request):
    form = FunderSearchForm(request.GET or None)
    page = None
    if form.is_valid():
        data = form.cleaned_data
        funders = selectors.funders_search(
            q=data["q"], state=data["state"], accepts_applications=True if data["open_only"] else None
        )
        page = Paginator(funders, FUNDERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "funders/search.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def funder_detail(request, ein):
    funder = selectors.funder_by_ein(ein)
    filters = GrantFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    grants = selectors.funder_grants_filtered(
        funder, year=data.get("year"), state=data.get("state") or "", q=data.get("q") or ""
    )
    page = Paginator(grants, GRANTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    needs = profile_needs(_profile(request.user))
    return render(
        request,
        "funders/detail.html",
        {
            "funder": funder,
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "giving": selectors.giving_by_year(funder),
            "needs": needs,
            "is_saved": selectors.saved_funders_for_user(request.user).filter(funder=funder).exists(),
            "approaches": selectors.approaches_for_user(request.user).filter(funder=funder),
            "approach_form": ApproachForm(),
        },
    )


@login_required
@require_POST
def funder_save_view(request, ein):
    funder = selectors.funder_by_ein(ein)
    funder_save(user=request.user, funder=funder)
    messages.success(request, f"Saved {funder.name}. A new filing of it will be noted in your digest.")
    return redirect("funders:detail", ein=funder.ein)


@login_required
@require_POST
def funder_unsave_view(request, ein):
    funder = selectors.funder_by_ein(ein)
    funder_unsave(user=request.user, funder=funder)
    messages.success(request, f"Removed {funder.name} from your saved funders.")
    return redirect("funders:detail", ein=funder.ein)


@login_required
@require_POST
def approach_create(request, ein):
    funder = selectors.funder_by_ein(ein)
    form = ApproachForm(request.POST)
    if form.is_valid():
        approach = approach_log(user=request.user, funder=funder, **form.cleaned_data)
        messages.success(request, f"Logged: {approach.get_stage_display()}.")
        return redirect("funders:detail", ein=funder.ein)
    messages.error(request, "The approach was not logged: " + "; ".join(
        f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    ))  # fmt: skip
    return redirect("funders:detail", ein=funder.ein)


@login_required
@require_POST
def approach_delete(request, pk):
    approach = selectors.approach_for_user(request.user, pk)
    ein = approach.funder.ein
    approach.delete()
    messages.success(request, "The step was deleted.")
    return redirect("funders:detail", ein=ein)
