"""Signals accounts sends for the apps above it: they connect receivers in their ``ready()``.

accounts sits below every app that owns a user's rows, so it never imports them (nor writes
their tables in raw SQL); it announces what happened and the owners act.
"""

from django.dispatch import Signal

# An identity provider has verified the user's e-mail address: a new Auth0 account, or an
# existing one newly linked. Sent with ``user``; a receiver returns how many rows it gave the
# user (legacy application history, for one: legacy.claim.history_claim).
email_verified = Signal()
