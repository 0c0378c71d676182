"""Auth0 sign-in end to end against the fake tenant on 127.0.0.1."""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlparse

import pytest
import requests
from social_django.models import UserSocialAuth

from accounts import services
from accounts.models import SYSTEM_USER_EMAIL, SubscriptionTier, User
from applications.models import ApplicationHistory
from tests.accounts.conftest import auth0_sign_in, signed_in_user_id
from tests.factories import ApplicationHistoryFactory, GrantFactory, LegacyOwnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _messages_on_login_page(client) -> str:
    return client.get("/accounts/login/").content.decode()


def test_it_creates_a_user_with_the_auth0_id_at_first_sign_in(client, auth0):
    auth0.next_identity(sub="auth0|abc123", email="new.person@example.com", name="New Person")

    response = auth0_sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    user = User.objects.get(email="new.person@example.com")
    assert user.auth0_id == "auth0|abc123"
    assert user.full_name == "New Person"
    assert user.last_login is not None
    assert not user.has_usable_password()
    assert (user.subscription_tier, user.searches_limit, user.applications_limit) == (SubscriptionTier.FREE, 5, 1)
    assert UserSocialAuth.objects.get(user=user).uid == "auth0|abc123"
    assert signed_in_user_id(client) == str(user.pk)
    assert auth0.requests == [("GET", "/authorize"), ("POST", "/oauth/token"), ("GET", "/.well-known/jwks.json")]


def test_it_reuses_the_user_at_a_second_sign_in(client, auth0):
    auth0_sign_in(client)
    first = User.objects.get(auth0_id="auth0|abc123")
    client.post("/accounts/logout/")
    auth0.next_identity(name="Renamed Person")

    auth0_sign_in(client)

    assert User.objects.count() == 1
    assert signed_in_user_id(client) == str(first.pk)
    first.refresh_from_db()
    # The name is the person's once set: the IdP's name only fills an empty one.
    assert first.full_name == "New Person"
    assert UserSocialAuth.objects.filter(user=first).count() == 1


@pytest.mark.parametrize(
    "token_style", ["wrong_audience", "wrong_issuer", "expired", "unknown_kid", "alg_none", "alg_hs256"]
)
def test_it_refuses_a_bad_id_token_and_signs_nobody_in(client, auth0, token_style):
    # The identity already has an account: a bad token must not open it either.
    existing = UserFactory(email="new.person@example.com", auth0_id="auth0|abc123")
    auth0.token_style = token_style

    response = auth0_sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert list(User.objects.values_list("pk", flat=True)) == [existing.pk]
    assert not UserSocialAuth.objects.exists()
    # social-core 7 refuses every one with AuthResponseError (its AuthTokenError of old), which
    # the sign-in page words as an unverifiable answer: the token check refused it, nothing else.
    assert "answer could not be verified" in _messages_on_login_page(client)


def test_it_refuses_a_forged_state_and_signs_nobody_in(client, auth0):
    response = auth0_sign_in(client, forge_state=True)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert not User.objects.exists()
    assert "did not match a sign-in started here" in _messages_on_login_page(client)


def test_it_refuses_a_callback_without_state_and_signs_nobody_in(client, auth0):
    response = auth0_sign_in(client, drop_state=True)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert not User.objects.exists()
    assert "You have not been signed in" in _messages_on_login_page(client)


@pytest.mark.parametrize("verified_claim", [{"email_verified": False}, {"email_verified": "true"}, {}])
def test_it_never_links_an_unverified_email_to_an_existing_account(client, auth0, user, verified_claim):
    identity = {"sub": "auth0|attacker", "email": user.email.upper(), **verified_claim}
    auth0.next_identity(**identity)
    if not verified_claim:
        auth0.identity.pop("email_verified")

    response = auth0_sign_in(client)

    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    user.refresh_from_db()
    assert user.auth0_id is None
    assert User.objects.count() == 1
    assert not UserSocialAuth.objects.exists()
    assert "Verify your e-mail address with Auth0" in _messages_on_login_page(client)


def test_it_links_a_verified_legacy_owner_and_gives_them_their_legacy_history(client, auth0):
    system = LegacyOwnerFactory(user=UserFactory(email=SYSTEM_USER_EMAIL, is_active=False)).user
    legacy_grant = GrantFactory(user=system)
    owner = UserFactory(email="legacy.owner@example.com", auth0_id=None)
    theirs = [
        ApplicationHistoryFactory(user=system, grant=legacy_grant, user_id_old=" Legacy.Owner@Example.com "),
        ApplicationHistoryFactory(user=system, grant=legacy_grant, user_id_old="legacy.owner@example.com"),
    ]
    not_theirs = [
        ApplicationHistoryFactory(user=system, grant=legacy_grant, user_id_old="default_user"),
        ApplicationHistoryFactory(user=system, grant=legacy_grant, user_id_old="legacy.owner"),
        ApplicationHistoryFactory(user=system, grant=legacy_grant, user_id_old="legacy.owner@example.com.au"),
    ]
    auth0.next_identity(sub="google-oauth2|42", email="Legacy.Owner@example.com", email_verified=True)

    response = auth0_sign_in(client)

    assert response["Location"] == "/dashboard/"
    owner.refresh_from_db()
    assert owner.auth0_id == "google-oauth2|42"
    assert signed_in_user_id(client) == str(owner.pk)
    assert User.objects.filter(email__iexact="legacy.owner@example.com").count() == 1
    assert set(ApplicationHistory.objects.filter(user=owner).values_list("pk", flat=True)) == {h.pk for h in theirs}
    assert set(ApplicationHistory.objects.filter(user=system).values_list("pk", flat=True)) == {
        h.pk for h in not_theirs
    }


def test_a_new_person_claims_their_history_from_the_recorded_legacy_owner_whoever_it_is(client, auth0):
    # LEGACY_OWNER_EMAIL named a person at the conversion: they, not the system user, hold the rows.
    named_owner = LegacyOwnerFactory(user=UserFactory(email="founder@example.com")).user
    UserFactory(email=SYSTEM_USER_EMAIL, is_active=False)  # exists, but holds nothing
    legacy_grant = GrantFactory(user=named_owner)
    theirs = ApplicationHistoryFactory(user=named_owner, grant=legacy_grant, user_id_old="New.Person@example.com")
    kept = ApplicationHistoryFactory(user=named_owner, grant=legacy_grant, user_id_old="default_user")
    auth0.next_identity(sub="auth0|newperson", email="new.person@example.com", email_verified=True)

    auth0_sign_in(client)

    newcomer = User.objects.get(email="new.person@example.com")
    assert list(ApplicationHistory.objects.filter(user=newcomer)) == [theirs]
    assert list(ApplicationHistory.objects.filter(user=named_owner)) == [kept]


def test_nothing_is_claimed_without_a_recorded_legacy_owner(client, auth0):
    system = UserFactory(email=SYSTEM_USER_EMAIL, is_active=False)
    history = ApplicationHistoryFactory(
        user=system, grant=GrantFactory(user=system), user_id_old="new.person@example.com"
    )
    auth0.next_identity(sub="auth0|newperson", email="new.person@example.com", email_verified=True)

    auth0_sign_in(client)

    history.refresh_from_db()
    assert history.user == system


def test_it_refuses_an_account_already_linked_to_another_auth0_login(client, auth0):
    existing = UserFactory(email="new.person@example.com", auth0_id="auth0|original")
    auth0.next_identity(sub="auth0|someone-else", email="new.person@example.com", email_verified=True)

    auth0_sign_in(client)

    assert signed_in_user_id(client) is None
    existing.refresh_from_db()
    assert existing.auth0_id == "auth0|original"
    assert not UserSocialAuth.objects.exists()
    assert "signs in with another Auth0 login that has not confirmed the address" in _messages_on_login_page(client)


def test_it_refuses_a_closed_account(client, auth0):
    UserFactory(email="new.person@example.com", auth0_id="auth0|abc123", is_active=False)

    auth0_sign_in(client)

    assert signed_in_user_id(client) is None
    assert "This account is closed" in _messages_on_login_page(client)


@pytest.mark.parametrize(
    ("asked", "landed"),
    [
        ("/accounts/", "/accounts/"),
        ("https://evil.example.com/steal", "/dashboard/"),
        ("//evil.example.com/x", "/dashboard/"),
    ],
)
def test_it_follows_next_only_within_the_site(client, auth0, asked, landed):
    response = auth0_sign_in(client, next_url=asked)

    assert response["Location"] == landed


def test_it_gives_a_new_session_key_at_sign_in(client, auth0):
    client.get("/accounts/login/")
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before

    auth0_sign_in(client)

    assert signed_in_user_id(client) is not None
    assert client.session.session_key != before


def test_it_signs_out_through_auth0s_logout_endpoint(client, auth0):
    auth0_sign_in(client)

    response = client.post("/accounts/logout/")

    target = urlparse(response["Location"])
    assert f"{target.scheme}://{target.netloc}" == auth0.base_url
    assert target.path == "/v2/logout"
    assert parse_qs(target.query) == {"client_id": ["fake-client-id"], "returnTo": ["http://testserver/"]}
    assert signed_in_user_id(client) is None


def test_it_says_so_when_auth0_cannot_be_reached(client, auth0):
    begin = client.post("/accounts/auth/login/auth0/")
    approval = requests.get(begin["Location"], allow_redirects=False, timeout=5)
    auth0.stop()  # the tenant goes away between the approval and the token exchange
    callback = urlparse(approval.headers["Location"])

    response = client.get(callback.path, dict(parse_qsl(callback.query)))

    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert "Auth0 could not be reached" in _messages_on_login_page(client)


def test_it_uses_the_account_a_simultaneous_first_sign_in_just_created(client, auth0, monkeypatch):
    real_create = services.user_create_from_auth0

    def create_after_the_other_request(**kwargs):
        # The other request wins the race: its row exists when this one inserts.
        UserFactory(email=kwargs["email"], auth0_id=kwargs["auth0_id"])
        return real_create(**kwargs)

    monkeypatch.setattr(services, "user_create_from_auth0", create_after_the_other_request)

    response = auth0_sign_in(client)

    assert response["Location"] == "/dashboard/"
    winner = User.objects.get(auth0_id="auth0|abc123")
    assert signed_in_user_id(client) == str(winner.pk)


# --- Recorded real tokens (tests/accounts/auth0_recordings.py) ---------------------------------------


def _sign_out(client):
    client.post("/accounts/logout/")
    assert signed_in_user_id(client) is None


def test_an_edited_name_survives_the_next_sign_in(client, auth0):
    auth0.next_recorded("google_social")
    auth0_sign_in(client)
    user = User.objects.get(email="luca.iachini@example.com")
    assert user.full_name == "Luca Iachini"
    response = client.patch("/api/users/me", {"full_name": "Luca I. (grants lead)"}, content_type="application/json")
    assert response.status_code == 200, response.content
    _sign_out(client)

    auth0.next_recorded("google_social")
    auth0_sign_in(client)

    assert signed_in_user_id(client) == str(user.pk)
    user.refresh_from_db()
    assert user.full_name == "Luca I. (grants lead)"


def test_the_identity_providers_name_fills_an_empty_name(client, auth0):
    auth0.next_recorded("google_social")
    auth0_sign_in(client)
    user = User.objects.get(email="luca.iachini@example.com")
    client.patch("/api/users/me", {"full_name": ""}, content_type="application/json")
    user.refresh_from_db()
    assert user.full_name == ""
    _sign_out(client)

    auth0.next_recorded("google_social")
    auth0_sign_in(client)

    user.refresh_from_db()
    assert user.full_name == "Luca Iachini"


def test_a_database_connection_name_that_is_the_email_address_is_not_used_as_a_name(client, auth0):
    auth0.next_recorded("database_connection")

    response = auth0_sign_in(client)

    assert response["Location"] == "/dashboard/"
    user = User.objects.get(email="admin@alerta.dev")
    assert user.auth0_id == "auth0|5c9f106d18518c11b70cae99"
    assert user.full_name == ""
    # Signing in again changes nothing: the address is still not a name.
    _sign_out(client)
    auth0.next_recorded("database_connection")
    auth0_sign_in(client)
    user.refresh_from_db()
    assert user.full_name == ""


def test_a_name_an_earlier_sign_in_copied_from_the_email_address_is_cleared_or_replaced(client, auth0):
    # Before the fix, a database login's name (the address) became the user's name.
    user = UserFactory(
        email="admin@alerta.dev", auth0_id="auth0|5c9f106d18518c11b70cae99", full_name="admin@alerta.dev"
    )
    auth0.next_recorded("database_connection")

    auth0_sign_in(client)

    assert signed_in_user_id(client) == str(user.pk)
    user.refresh_from_db()
    assert user.full_name == ""


def test_a_second_verified_connection_reaches_the_same_account(client, auth0):
    auth0.next_recorded("google_social")
    auth0_sign_in(client)
    user = User.objects.get(email="luca.iachini@example.com")
    _sign_out(client)
    # The same person later signs up with e-mail and password and verifies the address.
    auth0.next_recorded(
        "database_connection", email="Luca.Iachini@example.com", email_verified=True, name="Luca.Iachini@example.com"
    )

    response = auth0_sign_in(client)

    assert response["Location"] == "/dashboard/"
    assert signed_in_user_id(client) == str(user.pk)
    assert User.objects.count() == 1
    assert set(UserSocialAuth.objects.filter(user=user).values_list("uid", flat=True)) == {
        "google-oauth2|104532881928836152000",
        "auth0|5c9f106d18518c11b70cae99",
    }
    # Both identities are the user's data: "Download my data" lists them and the purge removes them.
    assert len(services.account_data(user=user)["social_django.usersocialauth"]) == 2
    user.refresh_from_db()
    assert user.auth0_id == "google-oauth2|104532881928836152000"  # the first identity stays the primary
    assert user.full_name == "Luca Iachini"
    # Either login keeps reaching it.
    _sign_out(client)
    auth0.next_recorded("google_social")
    auth0_sign_in(client)
    assert signed_in_user_id(client) == str(user.pk)
    assert UserSocialAuth.objects.count() == 2


def test_a_second_connection_with_an_unverified_email_stays_refused(client, auth0):
    auth0.next_recorded("google_social")
    auth0_sign_in(client)
    user = User.objects.get(email="luca.iachini@example.com")
    _sign_out(client)
    auth0.next_recorded("database_connection", email="luca.iachini@example.com")  # email_verified false, as recorded

    response = auth0_sign_in(client)

    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert list(UserSocialAuth.objects.filter(user=user).values_list("uid", flat=True)) == [
        "google-oauth2|104532881928836152000"
    ]
    assert "Verify your e-mail address with Auth0" in _messages_on_login_page(client)


def test_a_verified_connection_never_joins_an_account_whose_own_login_never_proved_the_address(client, auth0):
    # Someone opened an account with this address through a database login and never verified it.
    auth0.next_recorded("database_connection", email="luca.iachini@example.com")
    auth0_sign_in(client)
    squatter = User.objects.get(email="luca.iachini@example.com")
    _sign_out(client)
    auth0.next_recorded("google_social")

    response = auth0_sign_in(client)

    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert list(UserSocialAuth.objects.values_list("uid", flat=True)) == ["auth0|5c9f106d18518c11b70cae99"]
    assert User.objects.get().pk == squatter.pk
    assert "has not confirmed the address yet" in _messages_on_login_page(client)


def test_a_token_without_email_claims_gets_a_message_naming_the_email_scope(client, auth0):
    auth0.next_recorded("without_email_scope")

    response = auth0_sign_in(client)

    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert not User.objects.exists()
    page = _messages_on_login_page(client)
    assert "Auth0 sent no e-mail address for this login" in page
    assert "`email` scope" in page
