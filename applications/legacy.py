"""Who legacy application history belongs to: the remap rules, shared by the migration and
``manage.py remap_legacy_users``.

The single-user application stored an owner string in ``application_history.user_id``
(always ``default_user`` in practice; other shapes appear in hand-edited databases). The
migration keeps that string in ``user_id_old`` and gives each row an owner by these rules,
first match wins:

1. exact e-mail: the trimmed string equals a user's e-mail, ignoring case;
2. local part: the string has no ``@`` and equals the part before the ``@`` of exactly one
   user's e-mail, ignoring case (two or more users with it: ambiguous, no match);
3. otherwise (``default_user``, unknown ids, ambiguous local parts) the row stays with the
   legacy owner, and its string stays in ``user_id_old`` for a later run.

Only rows held by the legacy owner are considered, so rows already given to someone, or
written by the application since, are never moved. Applying the rules twice changes nothing
the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import SYSTEM_USER_EMAIL

LEGACY_DEFAULT_USER = "default_user"

# Candidate rows and the users they match, by rule. %(owner)s is the legacy owner's id.
_MATCHES_SQL = """
WITH candidates AS (
    SELECT h.id, h.user_id_old, lower(btrim(h.user_id_old, E' \\t\\r\\n')) AS key
    FROM application_history h
    WHERE h.user_id = %(owner)s AND h.user_id_old IS NOT NULL
),
people AS (
    SELECT id, lower(email) AS email, lower(split_part(email, '@', 1)) AS local_part
    FROM users WHERE lower(email) <> %(system_email)s
),
by_email AS (
    SELECT c.id, p.id AS user_id, 'exact_email' AS rule
    FROM candidates c JOIN people p ON p.email = c.key
),
unique_local_parts AS (
    SELECT local_part, min(id) AS user_id FROM people GROUP BY local_part HAVING count(*) = 1
),
by_local_part AS (
    SELECT c.id, l.user_id, 'local_part' AS rule
    FROM candidates c JOIN unique_local_parts l ON l.local_part = c.key
    WHERE strpos(c.key, '@') = 0 AND NOT EXISTS (SELECT 1 FROM by_email e WHERE e.id = c.id)
),
matches AS (
    SELECT * FROM by_email UNION ALL SELECT * FROM by_local_part
)
"""


@dataclass
class RemapReport:
    dry_run: bool
    owner_email: str
    moved: dict[str, int] = field(default_factory=dict)
    kept_default_user: int = 0
    kept_unmatched: int = 0
    top_unmatched: list[tuple[str, int]] = field(default_factory=list)
    extra_lines: list[str] = field(default_factory=list)

    @property
    def moved_total(self) -> int:
        return sum(self.moved.values())

    def lines(self) -> list[str]:
        verb = "would move" if self.dry_run else "moved"
        out = [
            f"Legacy owner: {self.owner_email}",
            *self.extra_lines,
            f"application_history {verb} by exact e-mail: {self.moved.get('exact_email', 0)}",
            f"application_history {verb} by e-mail local part: {self.moved.get('local_part', 0)}",
            f"application_history kept by the legacy owner, '{LEGACY_DEFAULT_USER}': {self.kept_default_user}",
            f"application_history kept by the legacy owner, no other user matched: {self.kept_unmatched}",
        ]
        if self.top_unmatched:
            out.append("Most frequent unmatched legacy ids (count):")
            out.extend(f"  {value!r}: {count}" for value, count in self.top_unmatched)
        return out


def history_remap(cursor, *, owner_id: int, owner_email: str, dry_run: bool) -> RemapReport:
    """Apply the remap rules to the legacy owner's history rows; return what was (or would be) done."""
    params = {"owner": owner_id, "system_email": SYSTEM_USER_EMAIL}
    report = RemapReport(dry_run=dry_run, owner_email=owner_email)
    # A match on the legacy owner themself moves nothing.
    if dry_run:
        cursor.execute(
            _MATCHES_SQL + "SELECT rule, count(*) FROM matches WHERE user_id <> %(owner)s GROUP BY rule", params
        )
    else:
        cursor.execute(
            _MATCHES_SQL
            + """, moved AS (
                UPDATE application_history h SET user_id = m.user_id
                FROM matches m WHERE h.id = m.id AND m.user_id <> %(owner)s
                RETURNING m.rule
            )
            SELECT rule, count(*) FROM moved GROUP BY rule""",
            params,
        )
    report.moved = dict(cursor.fetchall())

    # What stays with the owner: every candidate not moved (after an apply, all that is left).
    remaining_filter = (
        "AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.id = c.id AND m.user_id <> %(owner)s)" if dry_run else ""
    )
    cursor.execute(
        _MATCHES_SQL
        + f"""
        SELECT c.key = %(default_user)s AS is_default, c.user_id_old, count(*)
        FROM candidates c
        WHERE TRUE {remaining_filter}
        GROUP BY 1, 2
        """,
        {**params, "default_user": LEGACY_DEFAULT_USER},
    )
    unmatched: list[tuple[str, int]] = []
    for is_default, value, count in cursor.fetchall():
        if is_default:
            report.kept_default_user += count
        else:
            unmatched.append((value, count))
    report.kept_unmatched = sum(count for _, count in unmatched)
    report.top_unmatched = sorted(unmatched, key=lambda item: (-item[1], item[0]))[:10]
    return report
