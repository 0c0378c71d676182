"""The single-user application's Alembic database: converting it, remapping it, rolling back to it.

Frozen: the migrations of accounts, grants and applications call functions of ``legacy.database``
and ``legacy.remap`` (and read ``legacy/sql/``). A migration must do tomorrow what it did when it
was written, so those functions (and what they call) do not change: to change one, leave it as
it is and write a new function for the new migration. ``tests/migrations/test_frozen_legacy.py``
records a digest of each and fails on an edit. Code that is not history (the commands, the
claim on a verified e-mail) may change freely.
"""
