"""A small, hand-countable set of funders for matching (the figures are worked out in test_matching.py)."""

from __future__ import annotations

import pytest

from tests.factories import BusinessProfileFactory, FunderFactory, FunderGrantFactory, FunderReturnFactory


def _grants(filing, rows):
    """The grants of a return, and its totals (Part XV 3a) and its funder's, as an import leaves them."""
    total = sum(amount for _, _, amount in rows)
    filing.total_grants_paid, filing.paid_grants = total, len(rows)
    filing.save(update_fields=["total_grants_paid", "paid_grants"])
    filing.funder.total_grants_paid, filing.funder.grants_count = total, len(rows)
    filing.funder.save(update_fields=["total_grants_paid", "grants_count"])
    for position, (state, purpose, amount) in enumerate(rows, start=1):
        FunderGrantFactory(filing=filing, position=position, recipient_state=state, purpose=purpose, amount=amount)


def build_funders() -> dict:
    """Four foundations: Bayou (open, Louisiana, digital literacy), Gulf (open, one LA grant, a year
    behind), Family (Louisiana digital literacy, preselected only), Lone Star (Texas only)."""
    bayou = FunderFactory(name="BAYOU DIGITAL FUTURES FOUNDATION", ein="720000001", tax_year=2022)
    _grants(
        FunderReturnFactory(funder=bayou, tax_year=2022),
        [
            ("LA", "DIGITAL LITERACY CLASSES FOR SENIORS", 10000),
            ("LA", "DIGITAL LITERACY", 10000),
            ("LA", "FOOD PANTRY", 5000),
            ("LA", "LIBRARY COMPUTERS", 12000),
            ("LA", "GENERAL SUPPORT", 8000),
            ("TX", "DIGITAL LITERACY", 20000),
            ("TX", "SCHOLARSHIP", 1000),
            ("TX", "ARTS", 3000),
        ],
    )
    gulf = FunderFactory(name="GULF SCHOLARS TRUST", ein="720000002", tax_year=2021, state="MS", city="BILOXI")
    _grants(
        FunderReturnFactory(funder=gulf, tax_year=2021),
        [("LA", "SCHOLARSHIP", 50000), ("MS", "HEALTH", 1000), ("MS", "HEALTH", 2000), ("MS", "HEALTH", 3000)],
    )
    family = FunderFactory(name="PRIVATE FAMILY FOUNDATION", ein="720000003", tax_year=2022, preselected_only=True)
    _grants(
        FunderReturnFactory(funder=family, tax_year=2022),
        [("LA", "DIGITAL LITERACY", 5000), ("LA", "DIGITAL LITERACY", 5000), ("LA", "DIGITAL LITERACY", 5000)],
    )
    texan = FunderFactory(name="LONE STAR LITERACY FUND", ein="720000004", tax_year=2022, state="TX", city="AUSTIN")
    _grants(FunderReturnFactory(funder=texan, tax_year=2022), [("TX", "DIGITAL LITERACY", 15000)])
    return {"bayou": bayou, "gulf": gulf, "family": family, "texan": texan}


@pytest.fixture
def funders_fixture(db):
    return build_funders()


@pytest.fixture
def louisiana_profile(user):
    return BusinessProfileFactory(
        user=user,
        business_name="Parish Connect",
        organization_type="nonprofit",
        geographic_focus="Louisiana",
        target_sectors=["digital literacy"],
        mission_statement="Digital literacy classes for adults in rural parishes.",
        service_description="",
        revenue_range="$100k-$250k",
    )
