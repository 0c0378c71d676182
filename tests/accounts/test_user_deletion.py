"""Deleting a user removes everything they own, and nothing of anyone else.

What a user owns is what the apps register in ``accounts.registry.owner_models`` (each model with
its path back to the owner); ``tests/owned_data.py`` gives a user one row of each.
"""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.registry import owner_models
from tests.owned_data import owned_data_build

pytestmark = pytest.mark.django_db


def test_it_deletes_everything_a_user_owns_and_nothing_else(user, other_user):
    owned_data_build(user)
    owned_data_build(other_user)
    others_before = {entry.label: list(entry.rows_of(other_user).values()) for entry in owner_models}
    assert all(entry.rows_of(user).exists() for entry in owner_models)

    user.delete()

    assert list(User.objects.values_list("email", flat=True)) == [other_user.email]
    for entry in owner_models:
        assert not entry.rows_of(user.pk).exists(), entry.label
        assert list(entry.rows_of(other_user).values()) == others_before[entry.label], entry.label
