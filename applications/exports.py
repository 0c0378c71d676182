"""An application as Markdown and as a Word document (DOCX)."""

from __future__ import annotations

import io
import re

import docx

from applications.models import GeneratedApplication
from applications.writer import SECTIONS

TEMPLATE_DRAFT_NOTE = (
    "Template draft: written without a language model from your profile, the grant and your documents. "
    "Complete the [bracketed] parts and review every section before submitting."
)


def ordered_sections(application: GeneratedApplication) -> list[tuple[str, str, str]]:
    """(key, title, text) for each section the application has, in the standard order."""
    sections = application.sections or {}
    return [(s.key, s.title, sections[s.key]) for s in SECTIONS if s.key in sections]


def _byline(application: GeneratedApplication) -> str:
    profile = getattr(application.user, "business_profile", None)
    applicant = profile.business_name if profile else application.user.get_full_name()
    funder = application.grant.funder_name or application.grant.source_name
    return f"Application by {applicant}" + (f" to {funder}" if funder else "")


def application_markdown(application: GeneratedApplication) -> str:
    lines = [f"# {application.grant.title}", "", f"*{_byline(application)}*", ""]
    if application.is_template_draft:
        lines += [f"> {TEMPLATE_DRAFT_NOTE}", ""]
    for _key, title, text in ordered_sections(application):
        lines += [f"## {title}", "", text.strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def application_docx(application: GeneratedApplication) -> bytes:
    document = docx.Document()
    document.core_properties.title = application.grant.title
    document.add_heading(application.grant.title, level=0)
    document.add_paragraph(_byline(application)).runs[0].italic = True
    if application.is_template_draft:
        document.add_paragraph(TEMPLATE_DRAFT_NOTE)
    for _key, title, text in ordered_sections(application):
        document.add_heading(title, level=1)
        for paragraph in re.split(r"\n\s*\n", text.strip()):
            document.add_paragraph(" ".join(paragraph.split("\n")))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def export_filename(application: GeneratedApplication, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", application.grant.title.lower()).strip("-")[:60] or "application"
    return f"application-{application.pk}-{slug}.{extension}"
