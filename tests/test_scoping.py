"""Owner data is only ever read through a user's scope (bar.md line 14).

The bar names django-scopes' ``ScopeError``: a query on an owner model outside a scope raises.
The project keeps that intent with its own convention instead of a scoped manager (which would
touch every query of the admin, the tasks and the purge): request handlers (``views.py``,
``search_views.py``, ``api.py``) never touch an owner model's manager themselves; they ask the
app's ``<resource>_for_user`` selectors, which filter by the user and are exercised by
tests/test_isolation.py. The first test is the scope check: it names every handler that reaches
an owner model's manager directly. The second: every form offering a choice of owner rows offers
only the signed-in user's own.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings

from accounts.registry import owner_models
from tests.factories import GrantFactory, UserFactory
from tests.owned_data import owned_data_build

# Every app whose code is in this repository (a new app is covered the day it is installed).
PROJECT_APPS = [
    config.label
    for config in apps.get_app_configs()
    if "site-packages" not in config.path and Path(config.path).is_relative_to(settings.BASE_DIR)
]
HANDLER_MODULES = ("views", "search_views", "api")
MANAGERS = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


class ScopeError(AssertionError):
    """An owner model queried by a request handler outside its user's scope."""


def unscoped_queries(source: str, names: dict, where: str) -> list[str]:
    """Owner-model queries in ``source`` that no selector scoped, as "where:line: what".

    Two shapes: ``Model.objects`` (or another manager), and ``get_object_or_404(Model, ...)`` /
    ``get_list_or_404(Model, ...)``, which query the model's default manager. ``names`` is the
    module's namespace, which says what each bare name is."""
    owned = {entry.model for entry in owner_models}
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGERS
            and isinstance(node.value, ast.Name)
            and names.get(node.value.id) in owned
        ):
            found.append(f"{where}:{node.lineno}: {node.value.id}.{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in SHORTCUTS
            and node.args
            and isinstance(node.args[0], ast.Name)
            and names.get(node.args[0].id) in owned
        ):
            found.append(f"{where}:{node.lineno}: {node.func.id}({node.args[0].id}, ...)")
    return found


def _handler_modules():
    for app in PROJECT_APPS:
        for name in HANDLER_MODULES:
            try:
                yield importlib.import_module(f"{app}.{name}")
            except ModuleNotFoundError as missing:
                if missing.name != f"{app}.{name}":
                    raise


def test_no_request_handler_queries_an_owner_model_outside_a_user_scope():
    modules = list(_handler_modules())
    assert len(modules) >= 10, "the handler modules were not found"

    problems = [
        problem
        for module in modules
        for problem in unscoped_queries(
            inspect.getsource(module),
            vars(module),
            str(Path(inspect.getsourcefile(module)).relative_to(settings.BASE_DIR)),
        )
    ]

    if problems:
        raise ScopeError("Ask the app's <resource>_for_user selector instead of the manager:\n" + "\n".join(problems))


def test_the_scope_check_names_a_handler_that_queries_an_owner_model_itself():
    from grants.models import Grant, Opportunity

    source = (
        "def leaky(request, pk):\n"
        "    return Grant.objects.get(pk=pk), Opportunity.objects.all()\n"
        "def also_leaky(request, pk):\n"
        "    return get_object_or_404(Grant, pk=pk), get_object_or_404(Opportunity, pk=pk)\n"
    )

    found = unscoped_queries(source, {"Grant": Grant, "Opportunity": Opportunity}, "probe/views.py")

    # The public catalog (Opportunity) is nobody's data.
    assert sorted(found) == ["probe/views.py:2: Grant.objects", "probe/views.py:4: get_object_or_404(Grant, ...)"]


# --- Forms: B's choices are B's rows --------------------------------------------------------------


def _project_forms() -> list[type[forms.BaseForm]]:
    found = []
    for app in PROJECT_APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        found += [
            cls
            for cls in vars(module).values()
            if isinstance(cls, type) and issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
        ]
    return found


def _build(form_class, user):
    if "user" in inspect.signature(form_class.__init__).parameters:
        return form_class(user=user)
    return form_class()


def owner_choice_leaks(user) -> tuple[list[str], int]:
    """(choices of another user's rows offered to ``user``, how many owner-row choice fields were seen)."""
    owner_entries = {entry.model: entry for entry in owner_models}
    leaks, seen = [], 0
    for form_class in _project_forms():
        form = _build(form_class, user)
        for name, field in form.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            assert field.queryset is not None, f"{form_class.__name__}.{name} has no queryset"
            entry = owner_entries.get(field.queryset.model)
            if entry is None:
                continue
            seen += 1
            own = set(entry.rows_of(user).values_list("pk", flat=True))
            offered = {choice.value for choice, _label in list(field.choices)[1:]}
            leaks += [f"{form_class.__name__}.{name} offers {pk}" for pk in sorted(offered - own)]
    return leaks, seen


@pytest.mark.django_db
def test_every_form_offers_only_the_users_own_rows():
    owner, other = UserFactory(), UserFactory()
    owned_data_build(owner)
    owned_data_build(other)
    GrantFactory(user=other)

    leaks, seen = owner_choice_leaks(other)

    assert leaks == []
    assert seen >= 1, "no form offers a choice of owner rows; the check looked at nothing"


@pytest.mark.django_db
def test_the_form_check_names_a_form_that_offers_everyones_rows(monkeypatch):
    from applications import forms as application_forms
    from grants.models import Grant

    owner, other = UserFactory(), UserFactory()
    theirs = GrantFactory(user=owner)
    GrantFactory(user=other)

    class EveryonesGrantsForm(forms.Form):
        grant = forms.ModelChoiceField(queryset=Grant.objects.all())

    EveryonesGrantsForm.__module__ = application_forms.__name__
    monkeypatch.setattr(application_forms, "EveryonesGrantsForm", EveryonesGrantsForm, raising=False)

    leaks, _ = owner_choice_leaks(other)

    assert leaks == [f"EveryonesGrantsForm.grant offers {theirs.pk}"]
