"""The owner-model registry covers every model that holds a user's data."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.test.utils import isolate_apps

from accounts.registry import NOT_OWNER_DATA, owner_models, owner_models_missing

pytestmark = pytest.mark.django_db


def test_it_covers_every_model_linked_to_a_user():
    missing = owner_models_missing(apps.get_models(), get_user_model())

    assert missing == [], (
        f"Models holding a user's data are not in accounts.registry.owner_models: {missing}. Register each in "
        "its app's AppConfig.ready (owner_models.register(Model, owner='path__to__user')), or list it in "
        "accounts.registry.NOT_OWNER_DATA with the reason it is not the user's data."
    )


@isolate_apps("accounts")
def test_it_flags_an_unregistered_model_linked_to_the_user_directly_or_through_another_owner_model():
    class Note(models.Model):  # noqa: DJ008
        user = models.ForeignKey(get_user_model(), on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "accounts"

    class NoteAttachment(models.Model):  # noqa: DJ008
        note = models.ForeignKey(Note, on_delete=models.CASCADE)

        class Meta:
            app_label = "accounts"

    class Unrelated(models.Model):  # noqa: DJ008
        title = models.TextField()

        class Meta:
            app_label = "accounts"

    missing = owner_models_missing([*apps.get_models(), Note, NoteAttachment, Unrelated], get_user_model())

    assert missing == ["accounts.note", "accounts.noteattachment"]


def test_it_resolves_every_owner_path_to_the_user(user):
    for entry in owner_models:
        assert entry.rows_of(user).count() >= 0, entry.label
        if entry.owner != "pk":
            field = entry.model._meta.get_field(entry.owner.split("__")[0])
            assert field.is_relation, entry.label


def test_it_lists_only_real_models_as_not_owner_data():
    labels = {model._meta.label_lower for model in apps.get_models()}
    assert set(NOT_OWNER_DATA) <= labels
