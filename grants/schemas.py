from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class GrantSummaryOut(Schema):
    id: int
    title: str
    funder_name: str | None
    overall_composite_score: float | None
    is_high_priority: bool
    deadline: datetime | None
    funding_display: str | None
    funding_amount: float | None
    categories: list[str]
    record_status: str
    source_url: str | None
    is_saved: bool


class GrantPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[GrantSummaryOut]


class DimensionOut(Schema):
    name: str
    score: float | None
    reasons: list[str]


class OpportunityOut(Schema):
    source: str
    external_id: str
    number: str
    status: str
    is_forecast: bool
    is_sample: bool
    agency_code: str
    agency_name: str
    post_date: date | None
    close_date: date | None
    is_rolling: bool
    award_floor: int | None
    award_ceiling: int | None
    expected_awards: int | None
    cost_sharing: bool | None
    eligible_applicants: list[str]
    url: str


class GrantOut(GrantSummaryOut):
    description: str | None
    geographic_scope: str | None
    open_date: datetime | None
    external_id: str | None
    breakdown: list[DimensionOut]
    opportunity: OpportunityOut | None


class SavedOut(Schema):
    id: int
    is_saved: bool


class SearchRunIn(Schema):
    keywords: str = Field("", max_length=200)
    categories: list[str] = []
    eligibility: list[str] = []
    amount_min: int | None = Field(None, ge=0)
    amount_max: int | None = Field(None, ge=0)
    deadline_within_days: int | None = Field(None, ge=1, le=3650)
    include_forecasts: bool = True


class SearchRunOut(Schema):
    id: int
    status: str
    run_type: str
    timestamp: datetime | None
    search_query: str | None
    search_filters: dict | None
    grants_found: int | None
    high_priority: int | None
    new_grants: int | None
    duration_seconds: float | None
    sources_searched: int | None
    api_calls_made: int | None
    processing_time_ms: int | None
    error_message: str | None


class ErrorOut(Schema):
    detail: str
