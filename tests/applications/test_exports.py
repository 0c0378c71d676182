import io

import docx
import pytest

from applications.models import ApplicationGenerationStatus
from applications.writer import SECTIONS
from tests.factories import GeneratedApplicationFactory

pytestmark = pytest.mark.django_db

TEXTS = {section.key: f"{section.title} text for Bayou Connect.\n\nA second paragraph." for section in SECTIONS}


@pytest.fixture
def application(user, profile, grant):
    return GeneratedApplicationFactory(
        user=user,
        grant=grant,
        status=ApplicationGenerationStatus.GENERATED,
        sections=TEXTS,
        model_used="offline-template",
    )


def test_it_exports_a_docx_that_opens_with_every_section(owner_client, application):
    response = owner_client.get(f"/applications/{application.pk}/export.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"] == (
        f'attachment; filename="application-{application.pk}-rural-broadband-expansion-grant.docx"'
    )
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [section.title for section in SECTIONS]
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Rural Broadband Expansion Grant"
    assert "Application by Bayou Connect to USDA Rural Utilities Service" in texts
    assert any(t.startswith("Template draft:") for t in texts)
    for section in SECTIONS:
        assert f"{section.title} text for Bayou Connect." in texts
    assert texts.count("A second paragraph.") == 6


def test_it_exports_markdown_with_every_section_in_order(owner_client, application):
    response = owner_client.get(f"/applications/{application.pk}/export.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    markdown = response.content.decode()
    assert markdown.startswith("# Rural Broadband Expansion Grant\n")
    positions = [markdown.index(f"\n## {section.title}\n\n{TEXTS[section.key]}\n") for section in SECTIONS]
    assert positions == sorted(positions)
    assert "> Template draft:" in markdown


def test_it_shows_a_print_friendly_page(owner_client, application):
    response = owner_client.get(f"/applications/{application.pk}/print/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="print-document"' in body
    for section in SECTIONS:
        assert f"<h2>{section.title}</h2>" in body
    assert "<textarea" not in body


@pytest.mark.parametrize("suffix", ["export.docx", "export.md", "print/"])
def test_it_answers_404_to_another_user(other_client, application, suffix):
    assert other_client.get(f"/applications/{application.pk}/{suffix}").status_code == 404
