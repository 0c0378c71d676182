"""Repairing catalog text stored before entities were decoded on import.

Rows imported earlier hold ``&rsquo;``, ``&amp;amp;`` and escaped ``<br/>`` in their titles,
eligibility notes and descriptions. This cleans them in place with the same functions the
importers now use, and keeps each row's content hash in step, so the next sync sees no change.
Run once by migration 0004 (and on demand by ``sync_grants --reprocess``).
"""

from __future__ import annotations

from django.db.models import Q

from grants.sources.normalize import clean_text, html_to_text, sanitize_html

PLAIN_FIELDS = ("title", "number", "agency_name", "eligibility_text", "close_date_text", "contact_email")
# PostgreSQL regular expressions: any entity in plain text; in the HTML, any entity but the
# three that HTML itself needs, or one of those escaped twice ("&amp;amp;", "&amp;lt;").
ENTITY_RE = r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
HTML_ENTITY_RE = r"&((?!(amp|lt|gt);)(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*)|amp;(amp|lt|gt|quot|#[0-9]+));"
BATCH = 500


def _needs_repair() -> Q:
    query = Q(description__regex=HTML_ENTITY_RE) | Q(description_text__regex=ENTITY_RE)
    for name in PLAIN_FIELDS:
        query |= Q(**{f"{name}__regex": ENTITY_RE})
    return query


def catalog_text_repair(*, model=None) -> int:
    """Clean every stored opportunity whose text still holds an HTML entity; how many were changed.

    ``model`` is the historical model when a migration calls this.
    """
    from grants.services.catalog import CONTENT_FIELDS, _hash

    if model is None:
        from grants.models import Opportunity as model
    repaired = 0
    pks = list(model.objects.filter(_needs_repair()).values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        rows = list(model.objects.filter(pk__in=pks[start : start + BATCH]))
        for row in rows:
            for name in PLAIN_FIELDS:
                setattr(row, name, clean_text(getattr(row, name)))
            row.description = sanitize_html(row.description)
            row.description_text = html_to_text(row.description)
            row.content_hash = _hash({name: getattr(row, name) for name in CONTENT_FIELDS})
        model.objects.bulk_update(rows, [*PLAIN_FIELDS, "description", "description_text", "content_hash"])
        repaired += len(rows)
    return repaired
