"""Opportunity descriptions are rendered unescaped: every write (the admin's form, an ORM save, a
bulk write) must clean them, not only the importers."""

from __future__ import annotations

import pytest

from grants.models import Opportunity
from tests.factories import GrantFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

HOSTILE = (
    "<p>Real text about broadband.</p>"
    "<script>alert('x')</script>"
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
    '<base href="https://evil.example/">'
    '<a href="javascript:alert(1)" onclick="alert(2)">click</a>'
    '<img src=x onerror="alert(3)">'
    '<iframe src="https://evil.example/"></iframe>'
)
NEVER_ON_THE_PAGE = ["<script>alert", "<meta http-equiv", "<base", "javascript:", "onclick", "onerror", "<iframe"]


def _admin_form_data(response) -> dict:
    """What the admin's change form would post back unchanged: every field's current value."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else str(value)
    return data


def _page_of(client, user, opportunity) -> str:
    grant = GrantFactory(user=user, opportunity=opportunity)
    response = client.get(f"/grants/{grant.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_description_saved_through_the_admin_form_never_reaches_a_page(staff_client, client, user):
    opportunity = OpportunityFactory()
    url = f"/admin/grants/opportunity/{opportunity.pk}/change/"
    data = _admin_form_data(staff_client.get(url))
    data["description"] = HOSTILE

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    opportunity.refresh_from_db()
    assert "Real text about broadband." in opportunity.description
    client.force_login(user)
    page = _page_of(client, user, opportunity)
    assert "Real text about broadband." in page
    for marker in NEVER_ON_THE_PAGE:
        assert marker not in page, marker


def test_orm_save_bulk_writes_and_update_are_cleaned(owner_client, user):
    saved = OpportunityFactory(description=HOSTILE)
    bulk = Opportunity.objects.bulk_create([OpportunityFactory.build(description=HOSTILE)])[0]
    updated = OpportunityFactory()
    Opportunity.objects.filter(pk=updated.pk).update(description=HOSTILE)
    bulk_updated = OpportunityFactory()
    bulk_updated.description = HOSTILE
    Opportunity.objects.bulk_update([bulk_updated], ["description"])

    for opportunity in (saved, bulk, updated, bulk_updated):
        stored = Opportunity.objects.values_list("description", flat=True).get(pk=opportunity.pk)
        for marker in NEVER_ON_THE_PAGE:
            assert marker not in stored, marker
        page = _page_of(owner_client, user, Opportunity.objects.get(pk=opportunity.pk))
        assert "Real text about broadband." in page
        for marker in NEVER_ON_THE_PAGE:
            assert marker not in page, marker


def test_clean_html_is_left_as_it_is():
    opportunity = OpportunityFactory(description='<p>Read <a href="https://grants.gov/x">the notice</a>.</p>')
    opportunity.refresh_from_db()
    assert opportunity.description == (
        '<p>Read <a href="https://grants.gov/x" rel="noopener nofollow">the notice</a>.</p>'
    )
    opportunity.save()
    first = opportunity.description
    opportunity.refresh_from_db()
    assert opportunity.description == first


def test_the_csp_forbids_base_objects_foreign_forms_and_framing(client):
    csp = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["base-uri"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"][0] == "'self'"
