"""Model fields of accounts' privacy work: text encrypted at rest."""

from __future__ import annotations

from django.db import models

from accounts.encryption import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token of its value (``accounts.encryption``), clear in Python.

    The empty string stays empty (it tells nothing, and blank defaults keep working without a
    key). Lookups compare ciphertext, which is randomised: filter and search on these columns
    never match, so search goes through a derived index (e.g. ``Passage.search``) instead.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt_text(value)
