from __future__ import annotations

import pytest

from tests.migrations.support import create_database, drop_database, load_legacy, query

# Small, but every shape fill.sql writes: grants, half analysed, every 50th saved, runs, and
# history whose owner strings mix default_user, e-mail addresses, local parts and unknown ids.
FILL = {"grants": 1500, "runs": 300, "history": 1200}


@pytest.fixture(scope="session")
def legacy_template():
    """A legacy database at d896bf2738fb with fill.sql rows, used as a template for copies."""
    name = create_database("gf_mig_legacy_tpl")
    load_legacy(name, **FILL)
    # Shapes fill.sql does not write: a NULL deadline, a literal backslash-n in notes.
    query(
        name,
        """
        INSERT INTO grants (title, deadline, overall_composite_score) VALUES ('No deadline grant', NULL, 0.25)
        RETURNING id
        """,
    )
    query(
        name,
        r"""
        INSERT INTO application_history (grant_id, user_id, status, feedback_notes)
        VALUES (1, 'default_user', 'APPLIED', 'first part\nsecond part') RETURNING id
        """,
    )
    yield name
    drop_database(name)
