"""Each scoring dimension and the composite, against values worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from grants import scoring
from grants.scoring import OpportunityFacts, ProfileFacts

TODAY = date(2026, 11, 26)
WEIGHTS = scoring.default_weights()
PROFILE = ProfileFacts(
    sectors=("Telecommunications", "Education"),
    geographic_focus="Louisiana",
    organization_type="nonprofit",
    revenue_range="$250k-$1M",
    team_size=12,
    mission="Bring affordable broadband and digital skills to rural Louisiana parishes.",
    services="Community Wi-Fi hubs, digital literacy classes and device lending.",
)
BROADBAND = OpportunityFacts(
    title="Rural Broadband Expansion",
    text="Deploy broadband to unserved rural households in Louisiana.",
    categories=("IS",),
    eligible_applicants=("12",),
    award_ceiling=500_000,
    cost_sharing=True,
    close_date=TODAY + timedelta(days=45),
)


def test_it_scores_sector_relevance_by_category_then_text():
    assert scoring.sector_relevance(PROFILE, BROADBAND).score == 1.0  # IS is a telecoms category
    by_text = replace(BROADBAND, categories=("ST",), title="Adult Learning", text="Adult literacy programs.")
    assert scoring.sector_relevance(PROFILE, by_text) == scoring.Dimension(
        0.6, ("Education: mentioned in the description",)
    )
    assert scoring.sector_relevance(PROFILE, replace(by_text, text="Wildlife.", title="Fish")).score == 0.0
    assert scoring.sector_relevance(ProfileFacts(), BROADBAND).score == 0.5


def test_it_scores_geography_from_places_named():
    assert scoring.geographic_relevance(PROFILE, BROADBAND).reasons == ("Names your area: Louisiana",)
    texas = replace(BROADBAND, text="Households in Texas and New Mexico.")
    assert scoring.geographic_relevance(PROFILE, texas) == scoring.Dimension(
        0.2, ("Aimed at other places: New Mexico, Texas",)
    )
    national = replace(BROADBAND, text="Households anywhere.")
    assert scoring.geographic_relevance(PROFILE, national).score == 0.7
    abroad = replace(BROADBAND, text="Partnerships with foreign universities.")
    assert scoring.geographic_relevance(PROFILE, abroad).score == 0.3
    assert scoring.geographic_relevance(replace(PROFILE, geographic_focus="Baton Rouge, LA"), BROADBAND).score == 1.0
    west = replace(BROADBAND, text="Coal communities of West Virginia.")
    assert scoring.geographic_relevance(replace(PROFILE, geographic_focus="Virginia"), west).score == 0.2


def test_it_scores_operational_alignment_from_eligibility_codes():
    assert scoring.operational_alignment(PROFILE, BROADBAND).score == 1.0
    assert scoring.operational_alignment(PROFILE, replace(BROADBAND, eligible_applicants=("99",))).score == 1.0
    assert scoring.operational_alignment(PROFILE, replace(BROADBAND, eligible_applicants=("25",))).score == 0.4
    assert scoring.operational_alignment(PROFILE, replace(BROADBAND, eligible_applicants=("23",))).score == 0.0
    assert scoring.operational_alignment(PROFILE, replace(BROADBAND, eligible_applicants=())).score == 0.5
    small_business = replace(PROFILE, organization_type="small_business")
    assert scoring.operational_alignment(small_business, replace(BROADBAND, eligible_applicants=("23",))).score == 1.0


def test_it_scores_business_logic_from_award_size_and_cost_sharing():
    # $500,000 against revenue of up to $1,000,000: ratio 0.5 -> 1.0, less 0.2 for cost sharing.
    assert scoring.business_logic_alignment(PROFILE, BROADBAND).score == 0.8
    no_match = replace(BROADBAND, cost_sharing=False)
    assert scoring.business_logic_alignment(PROFILE, replace(no_match, award_ceiling=900_000)).score == 0.7
    assert scoring.business_logic_alignment(PROFILE, replace(no_match, award_ceiling=2_500_000)).score == 0.4
    assert scoring.business_logic_alignment(PROFILE, replace(no_match, award_ceiling=5_000_000)).score == 0.2
    # No revenue: 12 people at about $100k each = $1.2M; $500k is 0.42 of it.
    team_only = replace(PROFILE, revenue_range="")
    assert scoring.business_logic_alignment(team_only, no_match).reasons == (
        "Award up to $500,000 is 0.42× your team size estimate of $1,200,000.",
    )
    assert scoring.business_logic_alignment(PROFILE, replace(no_match, award_ceiling=None)).score == 0.5
    assert scoring.revenue_estimate("under $100,000") == 100_000


def test_it_scores_feasibility_from_time_left():
    def at(days):
        return scoring.feasibility(replace(BROADBAND, close_date=TODAY + timedelta(days=days)), today=TODAY).score

    assert [at(d) for d in (-1, 3, 10, 20, 45, 120)] == [0.0, 0.2, 0.4, 0.7, 1.0, 0.9]
    assert scoring.feasibility(replace(BROADBAND, close_date=None, is_rolling=True), today=TODAY).score == 0.8
    forecast = replace(BROADBAND, close_date=None, is_forecast=True)
    assert scoring.feasibility(forecast, today=TODAY).reasons == ("Forecast: no deadline yet, time to prepare.",)
    assert scoring.feasibility(forecast, today=TODAY).score == 0.6


def test_it_scores_strategic_synergy_by_shared_terms():
    # Profile terms (15): bring affordable broadband digital skill rural louisiana parishe community
    # wi-fi hubs literacy classe device lending. Opportunity terms (7): rural broadband expansion
    # deploy unserved household louisiana. Shared 3: 2 * 3 / sqrt(15 * 7) = 0.58554.
    synergy = scoring.strategic_synergy(PROFILE, BROADBAND)
    assert synergy == scoring.Dimension(0.5855, ("Shared terms: broadband, louisiana, rural",))
    assert scoring.strategic_synergy(PROFILE, replace(BROADBAND, title="Fish", text="Salmon.")).score == 0.0
    assert scoring.strategic_synergy(ProfileFacts(), BROADBAND).score == 0.5


def test_it_weighs_the_composite_and_flags_high_priority():
    card = scoring.score_opportunity(PROFILE, BROADBAND, today=TODAY, weights=WEIGHTS)
    assert {name: dim.score for name, dim in card.dimensions.items()} == {
        "sector_relevance": 1.0,
        "geographic_relevance": 1.0,
        "operational_alignment": 1.0,
        "business_logic_alignment": 0.8,
        "feasibility": 1.0,
        "strategic_synergy": 0.5855,
    }
    # .25 + .15 + .20 + .10 * .8 + .15 + .15 * .5855 = 0.917825
    assert card.composite == 0.9178 and card.is_high_priority
    assert card.reasons()["business_logic_alignment"][-1] == "Requires cost sharing or matching funds."


def test_it_uses_the_weights_it_is_given():
    assert scoring.composite({"feasibility": 1.0, "strategic_synergy": 0.0}, WEIGHTS) == 0.5
    assert (
        scoring.composite({"feasibility": 0.4, "sector_relevance": 1.0}, {"feasibility": 3, "sector_relevance": 1})
        == 0.55
    )
    poor = replace(BROADBAND, eligible_applicants=("23",), text="Texas.", categories=(), close_date=TODAY)
    # sector: "broadband" in title -> 0.6; geo 0.2; operational 0; business 0.8; feasibility 0 days -> 0.2;
    # synergy: opportunity terms rural broadband expansion texas; shared broadband, rural:
    # 2 * 2 / sqrt(15 * 4) = 0.5164.
    card = scoring.score_opportunity(PROFILE, poor, today=TODAY, weights=WEIGHTS)
    assert card.dimensions["strategic_synergy"].score == 0.5164
    expected = 0.25 * 0.6 + 0.15 * 0.2 + 0 + 0.1 * 0.8 + 0.15 * 0.2 + 0.15 * 0.5164
    assert card.composite == round(expected, 4) == 0.3675 and not card.is_high_priority


def test_one_table_names_every_dimension_its_grant_column_and_weight():
    from grants.models import Grant

    names = [dimension.name for dimension in scoring.SCORE_DIMENSIONS]
    assert len(names) == len(set(names)) == 6
    columns = {field.name for field in Grant._meta.get_fields()}
    assert all(f"{name}_score" in columns for name in names)
    assert round(sum(WEIGHTS.values()), 6) == 1.0
    card = scoring.score_opportunity(PROFILE, BROADBAND, today=TODAY, weights=WEIGHTS)
    assert list(card.dimensions) == names
