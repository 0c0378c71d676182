"""What the writer gets for each section: the profile's and the grant's facts and the best passages.

Passages are ranked by PostgreSQL full-text search against the grant's own words, with the
section's purpose as a tie-breaker (see ``profiles.selectors.passage_search``).
"""

from __future__ import annotations

from applications.writer import Section, SectionContext
from grants.criteria import CATEGORY_LABELS, ELIGIBILITY_LABELS, FUNDING_INSTRUMENT_LABELS, dollars, labels
from grants.models import Grant
from profiles.models import BusinessProfile
from profiles.selectors import passage_search, query_terms

PASSAGES_PER_SECTION = 3
GRANT_DESCRIPTION_MAX_CHARS = 1500


def _dollars_or_blank(value: float | None) -> str:
    return dollars(value) if value else ""


def grant_funding(grant: Grant) -> str:
    if grant.funding_display:
        return grant.funding_display
    if grant.funding_min and grant.funding_max and grant.funding_min != grant.funding_max:
        return f"{_dollars_or_blank(grant.funding_min)} to {_dollars_or_blank(grant.funding_max)}"
    return _dollars_or_blank(grant.funding_max or grant.funding_amount or grant.funding_min)


def grant_facts(grant: Grant) -> dict[str, str]:
    description = " ".join((grant.description or "").split())
    if len(description) > GRANT_DESCRIPTION_MAX_CHARS:
        description = description[:GRANT_DESCRIPTION_MAX_CHARS].rsplit(" ", 1)[0] + " …"
    opportunity = grant.opportunity
    facts = {
        "Title": grant.title,
        "Funder": grant.funder_name or grant.source_name or "",
        "Funding": grant_funding(grant),
        "Deadline": f"{grant.deadline.day} {grant.deadline:%B %Y}" if grant.deadline else "",
        # Names, never codes: the writer and the LLM put these words into the application.
        "Categories": ", ".join(labels(grant.categories, CATEGORY_LABELS)),
        "Eligible applicants": "; ".join(labels(opportunity.eligible_applicants, ELIGIBILITY_LABELS))
        if opportunity
        else "",
        "Funding instrument": ", ".join(labels(opportunity.funding_instruments, FUNDING_INSTRUMENT_LABELS))
        if opportunity
        else "",
        "Description": description,
    }
    return {label: value for label, value in facts.items() if value}


def profile_prompt_facts(profile: BusinessProfile) -> dict[str, str]:
    facts = {
        "Name": profile.business_name,
        "Type": profile.get_organization_type_display() if profile.organization_type else "",
        "Mission": profile.mission_statement,
        "Services": profile.service_description,
        "Website": profile.website_url,
        "Target sectors": ", ".join(profile.target_sectors or []),
        "Annual revenue": profile.revenue_range,
        "Years in operation": "" if profile.years_in_operation is None else str(profile.years_in_operation),
        "Geographic focus": profile.geographic_focus,
        "Team size": "" if profile.team_size is None else str(profile.team_size),
        "Narrative": profile.narrative_text,
    }
    return {label: " ".join(value.split()) for label, value in facts.items() if value}


def grant_query_terms(grant: Grant) -> list[str]:
    text = " ".join(
        [
            grant.title,
            grant.description or "",
            " ".join(labels(grant.categories, CATEGORY_LABELS)),
            " ".join(str(k) for k in (grant.keywords or [])),
            grant.identified_sector or "",
        ]
    )
    return query_terms(text)


def section_contexts(*, profile: BusinessProfile, grant: Grant, sections: list[Section]) -> list[SectionContext]:
    profile_snapshot = profile_prompt_facts(profile)
    grant_snapshot = grant_facts(grant)
    terms = grant_query_terms(grant)
    return [
        SectionContext(
            section=section,
            profile=profile_snapshot,
            grant=grant_snapshot,
            passages=passage_search(
                profile=profile,
                terms=terms,
                boost_terms=query_terms(section.purpose),
                limit=PASSAGES_PER_SECTION,
            ),
        )
        for section in sections
    ]
