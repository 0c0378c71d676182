"""Step 2 of README.md: fold the RemoveField operations Django's optimizer left in the squash.

Run from the project root: DJANGO_DEBUG=true .venv/bin/python billing/djstripe_migrations/_fold.py
(the leading underscore keeps the migration loader away from this file).
"""

import os
import sys
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grantfinder.settings")
import django  # noqa: E402

django.setup()
from django.db import migrations  # noqa: E402
from django.db.migrations.writer import MigrationWriter  # noqa: E402

NAME = "0001_squashed_2_11"


def _points_at(field, model):
    remote = getattr(field, "remote_field", None)
    if not remote:
        return False
    target = remote.model if isinstance(remote.model, str) else remote.model._meta.label_lower
    return target.lower().split(".")[-1] == model


def _uses(operation, model, name):
    """Whether ``operation`` needs field ``name`` of ``model`` to exist (stricter than Django's check,
    which counts any foreign key to the model as a reference to every one of its fields)."""
    fields = ()
    if isinstance(operation, migrations.CreateModel) and operation.name_lower != model:
        fields = [field for _, field in operation.fields]
    elif isinstance(operation, migrations.AddField) and operation.model_name_lower != model:
        fields = [operation.field]
    else:
        return operation.references_field(model, name, "djstripe")
    return any(_points_at(f, model) and name in [t for t in (getattr(f, "to_fields", None) or []) if t] for f in fields)


def fold(operations):
    operations = list(operations)
    while True:
        for i, operation in enumerate(operations):
            if not isinstance(operation, migrations.RemoveField):
                continue
            model, name = operation.model_name_lower, operation.name_lower
            for j in range(i - 1, -1, -1):
                prior = operations[j]
                creates = isinstance(prior, migrations.CreateModel) and prior.name_lower == model
                adds = isinstance(prior, migrations.AddField) and (prior.model_name_lower, prior.name_lower) == (
                    model,
                    name,
                )
                if not (creates or adds):
                    continue
                if any(_uses(o, model, name) for o in operations[j + 1 : i]):
                    break
                if adds:
                    del operations[i], operations[j]
                else:
                    kept = [(n, f) for n, f in prior.fields if n.lower() != name]
                    if len(kept) == len(prior.fields):
                        break
                    operations[j] = migrations.CreateModel(
                        prior.name, kept, options=prior.options, bases=prior.bases, managers=prior.managers
                    )
                    del operations[i]
                break
            else:
                continue
            break
        else:
            return operations


if __name__ == "__main__":
    squash = import_module(f"billing.djstripe_migrations.{NAME}").Migration(NAME, "djstripe")
    squash.operations = fold(squash.operations)
    writer = MigrationWriter(squash)
    Path(writer.path).write_text(writer.as_string())
    print(f"{len(squash.operations)} operations in {writer.path}")
