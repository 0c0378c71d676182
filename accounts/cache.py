"""Django's database cache, with an ``incr`` that two workers cannot both win.

The stock ``incr`` reads the value, adds and writes it back: two workers counting the same key at
once can both read 4 and both write 5, and it resets the key's expiry to the default timeout.
Rate-limit counters (accounts/throttling.py) need neither: here the row is locked while it is
counted (``SELECT ... FOR UPDATE``) and its expiry is left alone. Redis (``REDIS_URL``) counts
atomically by itself.

Nor does it cull a live key: past ``MAX_ENTRIES`` Django's cache drops a third of all rows, live
ones too, which would reset users' counters under load; here only expired rows are deleted.

The table is the ``CacheEntry`` model's, so ``migrate`` creates it (no ``createcachetable`` step).
"""

from __future__ import annotations

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=db), connection.cursor() as cursor:
            if outermost:
                # A counter needs no flush to disk before the answer: a crash loses at most the
                # last fraction of a second of counts. Only when the transaction is the counter's
                # own; inside a caller's, its data keeps its durability.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires > %s FOR UPDATE",  # noqa: S608
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found.")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode())) + delta  # noqa: S301
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [encoded, key])  # noqa: S608
        return value

    def _cull(self, db, cursor, now, num):
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        cursor.execute(
            f"DELETE FROM {table} WHERE expires < %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now.replace(microsecond=0))],
        )
