"""Retrieval: the passages that match the grant and the section, by PostgreSQL full-text search."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.retrieval import section_contexts
from applications.writer import SECTIONS, SECTIONS_BY_KEY
from profiles.services import document_upload
from tests.factories import BusinessProfileFactory, GrantFactory

pytestmark = pytest.mark.django_db

CORPUS = {
    "broadband": "Our fibre pilot connected 412 rural households to high-speed broadband internet.",
    "food": "The food bank distributed 80,000 meals to families facing hunger across three parishes.",
    "arts": "Our summer arts festival showcased local painters, musicians and theatre for young audiences.",
    "sports": "The youth soccer league coached 300 children and trained twenty volunteer coaches.",
    "budget": "Salaries are our largest cost; equipment and rent make up the rest of the budget.",
}
GRANTS = {
    "broadband": ("Broadband Deployment Grant", "Expands high-speed internet access for rural households."),
    "food": ("Community Food Security Grant", "Reduces hunger by supporting food banks and meal programmes."),
    "arts": ("Creative Communities Arts Grant", "Supports festivals, painters, musicians and theatre."),
    "sports": ("Youth Sports Grant", "Helps youth soccer and other sports leagues train coaches."),
}


@pytest.fixture
def corpus_profile(user):
    profile = BusinessProfileFactory(user=user, mission_statement="", service_description="", narrative_text="")
    # One paragraph per topic: each becomes its own passage.
    document_upload(user=user, uploaded_file=SimpleUploadedFile("corpus.txt", "\n\n".join(CORPUS.values()).encode()))
    return profile


@pytest.mark.parametrize("topic", sorted(GRANTS))
def test_it_picks_the_passage_that_matches_the_grant(user, corpus_profile, topic):
    title, description = GRANTS[topic]
    grant = GrantFactory(user=user, title=title, description=description, categories=[])
    (context,) = section_contexts(profile=corpus_profile, grant=grant, sections=[SECTIONS_BY_KEY["needs_statement"]])
    assert context.passages, "no passage matched"
    assert context.passages[0].text == CORPUS[topic]


def test_it_lets_the_section_purpose_break_ties(user, corpus_profile):
    grant = GrantFactory(user=user, title="Community grant", description="Broadband and budget support.")
    contexts = {c.section.key: c for c in section_contexts(profile=corpus_profile, grant=grant, sections=SECTIONS)}
    assert contexts["budget_narrative"].passages[0].text == CORPUS["budget"]
    assert contexts["project_description"].passages[0].text != CORPUS["budget"]


def test_it_never_retrieves_another_users_passages(user, other_user, corpus_profile):
    BusinessProfileFactory(user=other_user, mission_statement="", service_description="", narrative_text="")
    document_upload(
        user=other_user,
        uploaded_file=SimpleUploadedFile("theirs.txt", b"Broadband deployment grant: high-speed internet access."),
    )
    title, description = GRANTS["broadband"]
    grant = GrantFactory(user=user, title=title, description=description)
    (context,) = section_contexts(profile=corpus_profile, grant=grant, sections=[SECTIONS_BY_KEY["needs_statement"]])
    assert all("theirs" not in p.source_label for p in context.passages)
    assert context.passages[0].text == CORPUS["broadband"]
