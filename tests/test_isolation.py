"""Every page and API route that takes an object id answers 404 to anyone but the owner.

The test walks the project's URL resolver, so a new route is checked the moment it exists. Each
captured URL kwarg must be explained here, once:

- ``OBJECTS_BY_ROUTE``: for a route name ("namespace:name"), a function that creates the owner's
  object(s) and returns the route's kwargs. Use it for ``pk`` and other kwargs whose meaning
  depends on the route.
- ``OBJECTS_BY_KWARG``: for a kwarg that means the same thing on every route (``application_id``).
- ``NOT_OBJECT_KWARGS`` / ``EXEMPT_ROUTES``: kwargs that are not object ids, and routes outside
  the rule, each with the reason.

A route with an id kwarg that none of these explain FAILS the test: add it here with its app.

As user B, the test sends GET and POST (pages) or GET, POST, PUT, PATCH and DELETE (API) to each
route with user A's object. B must get 404; A's rows and files (every owner model, see
``tests/owned_data.py``) must be unchanged. A method the route does not serve at all may answer
405 instead, but only if it answers 405 to the object's owner too (checked on a third user's own
object), which shows the 405 says nothing about A's object. The owner must reach their own
object with at least one method, so a mapping that points nowhere cannot pass by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, models
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from accounts.registry import owner_models
from profiles.models import Document
from tests.factories import (
    ApplicationHistoryFactory,
    BusinessProfileFactory,
    DocumentFactory,
    FunderApproachFactory,
    GeneratedApplicationFactory,
    GrantFactory,
    SavedSearchFactory,
    SearchRunFactory,
    UserFactory,
)
from tests.owned_data import owned_data_build, owned_snapshot

pytestmark = pytest.mark.django_db

PAGE_METHODS = ["get", "post"]
API_METHODS = ["get", "post", "put", "patch", "delete"]


def _document(owner) -> Document:
    profile = getattr(owner, "business_profile", None) or BusinessProfileFactory(user=owner)
    return DocumentFactory(profile=profile)


def _application(owner):
    return GeneratedApplicationFactory(user=owner)


def _pk(make):
    return lambda owner: {"pk": make(owner).pk}


def _section(owner):
    return {"pk": _application(owner).pk, "key": "executive_summary"}


# Route name -> the owner's object(s) as the route's kwargs.
OBJECTS_BY_ROUTE = {
    "profiles:document_download": _pk(_document),
    "profiles:document_delete": _pk(_document),
    "applications:detail": _pk(_application),
    "applications:retry": _pk(_application),
    "applications:status": _pk(_application),
    "applications:feedback": _pk(_application),
    "applications:section_edit": _section,
    "applications:section_regenerate": _section,
    "applications:export_markdown": _pk(_application),
    "applications:export_docx": _pk(_application),
    "applications:print": _pk(_application),
    "applications:tracking_delete": _pk(lambda owner: ApplicationHistoryFactory(user=owner)),
    "grants:detail": _pk(lambda owner: GrantFactory(user=owner)),
    "grants:save": _pk(lambda owner: GrantFactory(user=owner)),
    "grants:unsave": _pk(lambda owner: GrantFactory(user=owner)),
    "grants:run_detail": _pk(lambda owner: SearchRunFactory(user=owner)),
    "grants:run_status": _pk(lambda owner: SearchRunFactory(user=owner)),
    "grants:saved_search_toggle": _pk(lambda owner: SavedSearchFactory(user=owner)),
    "grants:saved_search_delete": _pk(lambda owner: SavedSearchFactory(user=owner)),
    "funders:approach_delete": _pk(lambda owner: FunderApproachFactory(user=owner)),
}

# The self-tests' deliberately broken routes (tests/isolation_urls.py), mounted only in those tests.
OBJECTS_BY_ROUTE |= {
    "probe:leaky": _pk(lambda owner: GrantFactory(user=owner)),
    "probe:meddling": _pk(lambda owner: GrantFactory(user=owner)),
}

# Kwarg -> the owner's object, wherever the kwarg appears.
OBJECTS_BY_KWARG = {
    "application_id": lambda owner: _application(owner).pk,
    "grant_id": lambda owner: GrantFactory(user=owner).pk,
    "run_id": lambda owner: SearchRunFactory(user=owner).pk,
}

# JSON bodies for API writes, by route name, so the request reaches the ownership check rather
# than stopping at body validation (422). Routes not listed get {}.
API_BODIES: dict[str, dict] = {}

NOT_OBJECT_KWARGS = {
    "backend": "the social-auth backend name (auth0) in the sign-in routes",
    "plan_key": "a billing plan's name (free, basic, pro), the same for everyone",
    "key": "a section name inside an application; the pk beside it is the object",
    "ein": "a foundation's EIN: public IRS data, the same page for everyone; saving and logging an approach "
    "write only the caller's own rows (tests/funders/test_pages.py)",
}

EXEMPT_ROUTES = {
    "djstripe:djstripe_webhook_by_uuid": "Stripe's webhook endpoint id, not a user's object; signed by Stripe",
    "grants:unsubscribe": "a secret token from an alert e-mail: holding the token is the authorisation",
}

# The admin is for staff (tests/accounts/test_admin.py: non-staff get none of it).
EXEMPT_NAMESPACES = {"admin": "staff only, audited; non-staff are sent to sign in"}


@dataclass
class Route:
    route: str
    names: list[str]
    kwargs: dict[str, str]  # kwarg -> converter name
    is_api: bool
    converters: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.names[0]

    def url(self, values: dict) -> str:
        def fill(match):
            kwarg = match.group("name")
            converter = self.converters.get(kwarg)
            return str(converter.to_url(values[kwarg])) if converter else str(values[kwarg])

        return "/" + _ROUTE_KWARG.sub(fill, self.route)


_ROUTE_KWARG = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")


def project_routes() -> list[Route]:
    """Every URL pattern of the project with captured kwargs, one per route string."""
    found: dict[str, Route] = {}

    def walk(resolver, prefix, namespaces, converters):
        for pattern in resolver.url_patterns:
            conv = {**converters, **getattr(pattern.pattern, "converters", {})}
            if isinstance(pattern.pattern, RegexPattern):
                for group in pattern.pattern.regex.groupindex:
                    conv.setdefault(group, None)
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern, route, namespaces + ([pattern.namespace] if pattern.namespace else []), conv)
                continue
            if not conv:
                continue
            name = ":".join([*namespaces, pattern.name or f"<unnamed {route}>"])
            if route in found:
                found[route].names.append(name)
            else:
                found[route] = Route(
                    route=route,
                    names=[name],
                    kwargs={k: type(v).__name__ for k, v in conv.items()},
                    is_api=bool(namespaces) and namespaces[0] == "api",
                    converters={k: v for k, v in conv.items() if v is not None},
                )

    walk(get_resolver(), "", [], {})
    return sorted(found.values(), key=lambda r: r.route)


def _exempt_reason(route: Route) -> str | None:
    namespace = route.name.split(":")[0] if ":" in route.name else ""
    if namespace in EXEMPT_NAMESPACES:
        return EXEMPT_NAMESPACES[namespace]
    for name in route.names:
        if name in EXEMPT_ROUTES:
            return EXEMPT_ROUTES[name]
    if all(kwarg in NOT_OBJECT_KWARGS for kwarg in route.kwargs):
        return "no object id among its kwargs"
    return None


def _kwargs_maker(route: Route):
    """A function owner -> kwargs, or None when this file cannot say what the route's ids are."""
    for name in route.names:
        if name in OBJECTS_BY_ROUTE:
            return OBJECTS_BY_ROUTE[name]
    ids = [kwarg for kwarg in route.kwargs if kwarg not in NOT_OBJECT_KWARGS]
    if all(kwarg in OBJECTS_BY_KWARG for kwarg in ids) and not set(route.kwargs) & set(NOT_OBJECT_KWARGS):
        return lambda owner: {kwarg: OBJECTS_BY_KWARG[kwarg](owner) for kwarg in ids}
    return None


def _send(client: Client, method: str, url: str, route: Route) -> int:
    if route.is_api and method in ("post", "put", "patch"):
        response = getattr(client, method)(url, API_BODIES.get(route.name, {}), content_type="application/json")
    elif method == "post":
        response = client.post(url, {})
    else:
        response = getattr(client, method)(url)
    _close(response)
    return response.status_code


def _close(response) -> None:
    # File downloads hold their file open until closed. Closing fires request_finished, which
    # would close the test's database connection, so it is held off as the test client does.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def isolation_problems(routes: list[Route], owner, intruder, witness) -> list[str]:
    """What is wrong, route by route: unexplained id kwargs, leaks, and changes to the owner's data."""
    problems = []
    targets = []
    for route in routes:
        if _exempt_reason(route):
            continue
        make = _kwargs_maker(route)
        if make is None:
            problems.append(
                f"{route.route} ({', '.join(route.names)}): no mapping for its kwargs {sorted(route.kwargs)}. "
                "Add it to OBJECTS_BY_ROUTE / OBJECTS_BY_KWARG (or NOT_OBJECT_KWARGS / EXEMPT_ROUTES with a reason) "
                "in tests/test_isolation.py."
            )
            continue
        targets.append((route, make, route.url(make(owner))))

    # Every object of the owner exists now; from here on nothing of theirs may change.
    owner_before = owned_snapshot(owner.pk)
    intruder_client, witness_client = Client(), Client()
    intruder_client.force_login(intruder)
    witness_client.force_login(witness)
    for route, make, victims in targets:
        reached_by_owner = False
        for method in API_METHODS if route.is_api else PAGE_METHODS:
            # The witness owns a fresh object of the same kind: what does the route say to an owner?
            own = _send(witness_client, method, route.url(make(witness)), route)
            reached_by_owner |= own not in (404, 405)
            status = _send(intruder_client, method, victims, route)
            if status == 404 or (status == 405 and own == 405):
                continue
            problems.append(f"{method.upper()} {victims} ({route.name}) as another user: {status}, not 404")
        if not reached_by_owner:
            problems.append(
                f"{route.route} ({route.name}): the owner got 404/405 for every method, so the mapping does not "
                "point at a real object; fix its entry in tests/test_isolation.py."
            )
    if owned_snapshot(owner.pk) != owner_before:
        problems.append("The owner's rows or files changed while another user was sending requests.")
    return problems


def test_it_answers_404_to_another_user_on_every_route_that_takes_an_object_id():
    owner, intruder, witness = (UserFactory() for _ in range(3))
    owned_data_build(owner)
    routes = project_routes()

    problems = isolation_problems(routes, owner, intruder, witness)

    assert problems == [], "\n".join(problems)
    checked = [route for route in routes if not _exempt_reason(route)]
    assert checked, "The resolver walk found no route with an object id; the walk itself is broken."


def test_it_fails_on_a_route_it_cannot_map(settings):
    settings.ROOT_URLCONF = "tests.isolation_urls"
    owner, intruder, witness = (UserFactory() for _ in range(3))

    problems = isolation_problems([r for r in project_routes() if r.name == "probe:unmapped"], owner, intruder, witness)

    assert len(problems) == 1 and "no mapping for its kwargs ['widget_id']" in problems[0]


def test_it_catches_a_route_that_shows_another_users_object(settings):
    settings.ROOT_URLCONF = "tests.isolation_urls"
    owner, intruder, witness = (UserFactory() for _ in range(3))

    problems = isolation_problems([r for r in project_routes() if r.name == "probe:leaky"], owner, intruder, witness)

    assert problems == [
        f"GET /probe/leaky/{owner.grants.get().pk}/ (probe:leaky) as another user: 200, not 404",
        f"POST /probe/leaky/{owner.grants.get().pk}/ (probe:leaky) as another user: 200, not 404",
    ]


def test_it_catches_a_route_that_changes_another_users_object(settings):
    settings.ROOT_URLCONF = "tests.isolation_urls"
    owner, intruder, witness = (UserFactory() for _ in range(3))

    problems = isolation_problems([r for r in project_routes() if r.name == "probe:meddling"], owner, intruder, witness)

    assert problems == ["The owner's rows or files changed while another user was sending requests."]


# --- Lists, searches and counts -------------------------------------------------------------------

MARKER = "zq7alphasecretzq"


def _mark_owner_rows(owner) -> None:
    """Write MARKER into every free-text column of every row the owner has, so any leak is visible."""
    for entry in owner_models:
        updates = {
            f.attname: f"{MARKER} {f.name}"
            for f in entry.model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
            and (f.max_length or 1000) >= len(f"{MARKER} {f.name}")
            and not f.choices
            and not f.unique
            and not f.primary_key
            and not isinstance(f, models.EmailField)
            and f.name not in ("password", "storage_name", "uid", "provider")
        }
        if updates:
            entry.rows_of(owner).update(**updates)


def _listing_routes() -> list[str]:
    paths = []

    def walk(resolver, prefix, namespaces):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern, route, namespaces + ([pattern.namespace] if pattern.namespace else []))
            elif (
                not getattr(pattern.pattern, "converters", {})
                and not isinstance(pattern.pattern, RegexPattern)
                and (not namespaces or namespaces[0] not in EXEMPT_NAMESPACES)
            ):
                paths.append("/" + route)

    walk(get_resolver(), "", [])
    return sorted(set(paths))


def listing_leaks(owner, intruder) -> tuple[list[str], list[str]]:
    """(leaks seen by the intruder, pages showing the owner their own marked rows), over every list route."""
    owner_client, intruder_client = Client(), Client()
    owner_client.force_login(owner)
    intruder_client.force_login(intruder)
    leaks, seen_by_owner = [], []
    for path in _listing_routes():
        for query in ({}, {"q": MARKER}):
            response = intruder_client.get(path, query)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            _close(response)
            # MARKER followed by a field name is a row's text; the bare MARKER may be the search box echoing q.
            if f"{MARKER} ".encode() in body or owner.email.encode() in body:
                leaks.append(f"GET {path} {query or ''} as another user shows the owner's data")
        response = owner_client.get(path)
        if not response.streaming and f"{MARKER} ".encode() in response.content:
            seen_by_owner.append(path)
        _close(response)
    return leaks, seen_by_owner


def test_it_keeps_the_owners_rows_out_of_every_list_search_and_count_of_another_user():
    owner, intruder = UserFactory(email="alpha.owner@example.com"), UserFactory()
    owned_data_build(owner)
    owned_data_build(intruder)
    _mark_owner_rows(owner)

    leaks, seen_by_owner = listing_leaks(owner, intruder)

    assert leaks == [], "\n".join(leaks)
    # The marker is on the owner's own pages, so its absence above means something.
    assert seen_by_owner, "No page shows the owner their own marked rows; the marking is broken."


def test_it_catches_a_list_that_shows_another_users_rows(settings):
    settings.ROOT_URLCONF = "tests.isolation_urls"
    owner, intruder = UserFactory(), UserFactory()
    GrantFactory(user=owner)
    _mark_owner_rows(owner)

    leaks, _ = listing_leaks(owner, intruder)

    assert leaks == [
        "GET /probe/all-grants/  as another user shows the owner's data",
        "GET /probe/all-grants/ {'q': 'zq7alphasecretzq'} as another user shows the owner's data",
    ]


# Bar line 12: lists, searches and exports compared by primary key. The owner's rows get ids from
# a range nothing else uses, so any appearance of one in another user's responses is a leak.
OWNER_ID_START = 987_600_000  # each table its own thousand: 987_600_000, 987_601_000, ...
_OWNER_ID = re.compile(rb"(?<!\d)9876\d{5}(?!\d)")


def _owner_sequences() -> list[str]:
    from django.db import connection

    sequences = []
    with connection.cursor() as cursor:
        for entry in owner_models:
            table, pk = entry.model._meta.db_table, entry.model._meta.pk
            if isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
                (sequence,) = cursor.fetchone()
                if sequence:
                    sequences.append(sequence)
    return sequences


@pytest.fixture
def _owner_ids_from_a_private_range():
    """Moves the id sequences of the owner models into the private range; puts them back after
    (``setval`` is not undone by the test's rollback)."""
    from django.db import connection

    sequences = _owner_sequences()
    with connection.cursor() as cursor:
        saved = []
        for sequence in sequences:
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
            saved.append((sequence, *cursor.fetchone()))

    def move() -> None:
        with connection.cursor() as cursor:
            for offset, sequence in enumerate(sequences):
                cursor.execute("SELECT setval(%s, %s, false)", [sequence, OWNER_ID_START + 1000 * offset])

    yield move
    with connection.cursor() as cursor:
        for sequence, last_value, is_called in saved:
            cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last_value, is_called])


def _bodies(client, *, post_export: bool) -> dict[str, bytes]:
    bodies = {}
    for path in _listing_routes():
        response = client.get(path)
        bodies[f"GET {path}"] = b"".join(response.streaming_content) if response.streaming else response.content
        _close(response)
    if post_export:
        import io
        import zipfile

        archive = zipfile.ZipFile(io.BytesIO(client.post("/accounts/export/").content))
        bodies["POST /accounts/export/"] = b"".join(archive.read(name) for name in archive.namelist())
    return bodies


def test_no_list_search_or_export_of_another_user_holds_any_of_the_owners_primary_keys(
    _owner_ids_from_a_private_range,
):
    def build(user):
        owned_data_build(user)
        for _ in range(3):  # N of each listed kind, not just one
            GrantFactory(user=user)
            SearchRunFactory(user=user)
            GeneratedApplicationFactory(user=user)

    intruder = UserFactory()
    build(intruder)
    _owner_ids_from_a_private_range()
    owner = UserFactory(email="pk.owner@example.com")
    assert owner.pk >= OWNER_ID_START
    build(owner)
    owner_ids = {
        str(pk).encode()
        for entry in owner_models
        for pk in entry.rows_of(owner).values_list("pk", flat=True)
        if isinstance(pk, int)
    }
    assert len(owner_ids) > 20 and all(_OWNER_ID.fullmatch(pk) for pk in owner_ids)

    assert pk_leaks(intruder, post_export=True) == []
    # The owner's own lists and export do show their ids, so the absence above means something.
    owner_client = Client()
    owner_client.force_login(owner)
    seen = {match for body in _bodies(owner_client, post_export=True).values() for match in _OWNER_ID.findall(body)}
    assert len(seen & owner_ids) > 10


def pk_leaks(intruder, *, post_export: bool) -> list[str]:
    client = Client()
    client.force_login(intruder)
    return sorted(
        f"{where} shows the owner's id {match.decode()}"
        for where, body in _bodies(client, post_export=post_export).items()
        for match in set(_OWNER_ID.findall(body))
    )


def test_it_catches_a_list_that_shows_another_users_ids(settings, _owner_ids_from_a_private_range):
    settings.ROOT_URLCONF = "tests.isolation_urls"
    intruder = UserFactory()
    GrantFactory(user=intruder)
    _owner_ids_from_a_private_range()
    owner_grant = GrantFactory(user=UserFactory())

    assert pk_leaks(intruder, post_export=False) == [f"GET /probe/all-grant-ids/ shows the owner's id {owner_grant.pk}"]
