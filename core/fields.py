"""Model fields every app shares."""

from __future__ import annotations

import json

from django.db import models
from psycopg.types.json import Json


class LegacyJSONField(models.JSONField):
    """A JSON field stored in a PostgreSQL ``json`` (not ``jsonb``) column.

    The legacy tables use ``json``; converting them to ``jsonb`` would rewrite every row of the
    biggest tables during the deploy, so these columns keep their type. psycopg parses ``json``
    itself (Django only asks it not to for ``jsonb``), hence the two adaptations below.
    """

    def db_type(self, connection):
        return "json"

    def from_db_value(self, value, expression, connection):
        if isinstance(value, str):
            return super().from_db_value(value, expression, connection)
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        return Json(value, dumps=lambda obj: json.dumps(obj, cls=self.encoder))
