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

# The remap works on distinct owner strings, not rows: a string decides its match, and the
# history table holds few distinct strings in many rows. %(owner)s is the legacy owner's id.
_STRING_MATCHES_SQL = """
WITH strings AS (
    SELECT user_id_old AS raw, count(*) AS n
    FROM application_history
    WHERE user_id = %(owner)s AND user_id_old IS NOT NULL
    GROUP BY user_id_old
),
keys AS (
    SELECT raw, n, lower(btrim(raw, E' \\t\\r\\n')) AS key FROM strings
),
people AS (
    SELECT id, lower(email) AS email, lower(split_part(email, '@', 1)) AS local_part
    FROM users WHERE lower(email) <> %(system_email)s
),
by_email AS (
    SELECT k.raw, p.id AS user_id, 'exact_email' AS rule
    FROM keys k JOIN people p ON p.email = k.key
),
unique_local_parts AS (
    SELECT local_part, min(id) AS user_id FROM people GROUP BY local_part HAVING count(*) = 1
),
by_local_part AS (
    SELECT k.raw, l.user_id, 'local_part' AS rule
    FROM keys k JOIN unique_local_parts l ON l.local_part = k.key
    WHERE strpos(k.key, '@') = 0 AND NOT EXISTS (SELECT 1 FROM by_email e WHERE e.raw = k.raw)
),
matches AS (
    SELECT * FROM by_email UNION ALL SELECT * FROM by_local_part
)
SELECT k.raw, k.n, k.key, m.user_id, m.rule
FROM keys k LEFT JOIN matches m ON m.raw = k.raw AND m.user_id <> %(owner)s
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
    report = RemapReport(dry_run=dry_run, owner_email=owner_email)
    cursor.execute(_STRING_MATCHES_SQL, {"owner": owner_id, "system_email": SYSTEM_USER_EMAIL})
    moves: list[tuple[str, int]] = []
    unmatched: list[tuple[str, int]] = []
    for raw, count, key, user_id, rule in cursor.fetchall():
        if user_id is not None:
            report.moved[rule] = report.moved.get(rule, 0) + count
            moves.append((raw, user_id))
        elif key == LEGACY_DEFAULT_USER:
            report.kept_default_user += count
        else:
            unmatched.append((raw, count))
    report.kept_unmatched = sum(count for _, count in unmatched)
    report.top_unmatched = sorted(unmatched, key=lambda item: (-item[1], item[0]))[:10]
    if moves and not dry_run:
        # One statement; each string's rows are found through ix_application_history_user_id_old.
        cursor.execute(
            """
            UPDATE application_history h SET user_id = m.user_id
            FROM unnest(%s::text[], %s::bigint[]) AS m(raw, user_id)
            WHERE h.user_id_old = m.raw AND h.user_id = %s
            """,
            [[raw for raw, _ in moves], [user_id for _, user_id in moves], owner_id],
        )
    return report
