"""What a grant seeker searches for: the same criteria for search runs, saved searches and the API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from django.db import models

CATEGORY_LABELS = {
    "ACA": "Affordable Care Act", "AG": "Agriculture", "AR": "Arts", "BC": "Business and Commerce",
    "CD": "Community Development", "CP": "Consumer Protection", "DPR": "Disaster Prevention and Relief",
    "ED": "Education", "ELT": "Employment, Labor and Training", "EN": "Energy", "ENV": "Environment",
    "FN": "Food and Nutrition", "HL": "Health", "HO": "Housing", "HU": "Humanities",
    "IIJ": "Infrastructure Investment and Jobs Act", "IS": "Information and Statistics",
    "ISS": "Income Security and Social Services", "LJL": "Law, Justice and Legal Services",
    "NR": "Natural Resources", "OZ": "Opportunity Zone Benefits", "RA": "Recovery Act",
    "RD": "Regional Development", "ST": "Science and Technology", "T": "Transportation",
    "EIC": "Energy Infrastructure and Critical Mineral and Materials", "RT": "Recreation and Tourism",
    "O": "Other",
}  # fmt: skip
ELIGIBILITY_LABELS = {
    "00": "State governments", "01": "County governments", "02": "City or township governments",
    "04": "Special district governments", "05": "Independent school districts",
    "06": "Public and state institutions of higher education", "07": "Federally recognized tribes",
    "08": "Public and Indian housing authorities", "11": "Other tribal organisations",
    "12": "Nonprofits with 501(c)(3) status", "13": "Nonprofits without 501(c)(3) status",
    "20": "Private institutions of higher education", "21": "Individuals",
    "22": "For-profit organisations (not small businesses)", "23": "Small businesses", "25": "Others",
    "99": "Unrestricted",
}  # fmt: skip
# Grants.gov's FundingInstrumentType codes.
FUNDING_INSTRUMENT_LABELS = {"G": "Grant", "CA": "Cooperative agreement", "PC": "Procurement contract", "O": "Other"}


# Profile sectors (free text) -> Grants.gov funding-activity category codes and words to look for.
SECTOR_CATEGORIES = {
    "agriculture": ({"AG"}, ("agricultur", "farm", "food")),
    "arts": ({"AR"}, ("arts", "artist", "museum", "humanities")),
    "business": ({"BC"}, ("business", "commerce", "entrepreneur")),
    "community development": ({"CD"}, ("community development", "community")),
    "economic development": ({"CD", "BC"}, ("economic development", "jobs")),
    "education": ({"ED"}, ("education", "school", "students", "literacy")),
    "employment": ({"ELT"}, ("workforce", "employment", "training")),
    "energy": ({"EN"}, ("energy", "solar", "renewable")),
    "environment": ({"ENV"}, ("environment", "conservation", "climate")),
    "food": ({"FN", "AG"}, ("food", "nutrition")),
    "health": ({"HL"}, ("health", "medical", "clinic")),
    "housing": ({"HO"}, ("housing", "homeless")),
    "humanities": ({"HU"}, ("humanities",)),
    "infrastructure": ({"IIJ", "T"}, ("infrastructure",)),
    "justice": ({"LJL"}, ("justice", "legal", "law enforcement")),
    "natural resources": ({"NR"}, ("natural resources", "water", "wildlife")),
    "science": ({"ST"}, ("science", "research", "technology")),
    "technology": ({"ST"}, ("technology", "digital", "innovation")),
    "telecommunications": ({"IS", "CD"}, ("broadband", "telecommunication", "internet", "connectivity")),
    "transportation": ({"T"}, ("transportation", "transit")),
    "social services": ({"ISS"}, ("social services", "families")),
}

# BusinessProfile.organization_type -> Grants.gov eligible-applicant codes that admit it.
ORGANIZATION_ELIGIBILITY = {
    "nonprofit": {"12", "13"},
    "small_business": {"23"},
    "for_profit": {"22"},
    "education": {"05", "06", "20"},
    "government": {"00", "01", "02", "04", "07", "08", "11"},
    "individual": {"21"},
    "other": {"25"},
}
UNRESTRICTED = "99"
OTHERS = "25"


class OpportunityStatus(models.TextChoices):
    """Where an opportunity stands at its source: the catalog's column and the sources' verdict."""

    FORECASTED = "forecasted", "Forecasted"
    POSTED = "posted", "Posted"
    CLOSED = "closed", "Closed"
    ARCHIVED = "archived", "Archived"


def labels(codes, names: dict[str, str]) -> list[str]:
    """Codes in words for people (and for prompts); a value that is no known code stays as it is."""
    return [names.get(str(code), str(code)) for code in codes or ()]


@dataclass
class SearchCriteria:
    keywords: str = ""
    categories: list[str] = field(default_factory=list)
    eligibility: list[str] = field(default_factory=list)
    amount_min: int | None = None
    amount_max: int | None = None
    deadline_within_days: int | None = None
    include_forecasts: bool = True

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> SearchCriteria:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in (data or {}).items() if key in known})

    @classmethod
    def from_profile(cls, profile) -> SearchCriteria:
        """What a business profile asks for: its sectors' categories and the applicant codes of its
        organisation type, forecasts included. The search form's defaults and scheduled searches
        without a manual one to repeat."""
        criteria = cls(include_forecasts=True)
        if profile is None:
            return criteria
        categories: set[str] = set()
        for sector in profile.target_sectors or ():
            categories |= SECTOR_CATEGORIES.get(str(sector).strip().lower(), (set(), ()))[0]
        criteria.categories = sorted(categories)
        criteria.eligibility = sorted(ORGANIZATION_ELIGIBILITY.get(profile.organization_type, ()))
        return criteria

    def problems(self) -> dict[str, str]:
        """What is wrong with these criteria, by field: the one check the search form and the API share."""
        problems = {}
        for name, known in (("categories", CATEGORY_LABELS), ("eligibility", ELIGIBILITY_LABELS)):
            unknown = [code for code in getattr(self, name) if code not in known]
            if unknown:
                problems[name] = f"Unknown codes: {', '.join(unknown)}."
        for name in ("amount_min", "amount_max"):
            if (getattr(self, name) or 0) < 0:
                problems[name] = "An amount cannot be negative."
        if self.amount_min is not None and self.amount_max is not None and self.amount_min > self.amount_max:
            problems.setdefault("amount_max", "The maximum must be at least the minimum.")
        return problems

    def summary(self) -> str:
        parts = []
        if self.keywords:
            parts.append(f'"{self.keywords}"')
        if self.categories:
            parts.append(", ".join(labels(self.categories, CATEGORY_LABELS)))
        if self.eligibility:
            parts.append("for " + ", ".join(labels(self.eligibility, ELIGIBILITY_LABELS)))
        if self.amount_min or self.amount_max:
            parts.append(f"${self.amount_min or 0:,}–{f'${self.amount_max:,}' if self.amount_max else 'any'}")
        if self.deadline_within_days:
            parts.append(f"closing within {self.deadline_within_days} days")
        return "; ".join(parts) or "All open opportunities"


def dollars(amount: float) -> str:
    """Whole US dollars as people write them: ``$1,500,000``. The one money format of plain text."""
    return f"${amount:,.0f}"
