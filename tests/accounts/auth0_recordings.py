"""Claims of real Auth0 id_tokens, transcribed from public recordings (the fake tenant plays them back).

The claims below are copied as recorded; the fake tenant (``fake_auth0.FakeAuth0.next_recorded``)
replaces only ``iss``, ``aud``, ``iat`` and ``exp`` so the token belongs to the test tenant and is
current, and SIGNS IT WITH ITS OWN KEY: the claims are Auth0's, the signature is ours. Values the
recording masked (``<google_id>`` etc.) are filled with stand-ins, said beside each.

Sources:

- ``GOOGLE_SOCIAL``: an id_token from a real Auth0 tenant after a Google (``google-oauth2``)
  sign-in, quoted in primait/localauth0 pull request #34, "Add missing id_token fields"
  (https://github.com/primait/localauth0/pull/34). Masked there: sub's Google id, aud, sid,
  nonce and the picture id; the e-mail there was the author's, replaced by ours.
- ``DATABASE_CONNECTION``: the id_token a real Auth0 tenant (dev-66191jdr.eu.auth0.com) returned
  for a Username-Password-Authentication user, recorded in alerta/alerta ``tests/test_auth.py``
  (the Auth0 OpenID test's ``access_token`` reply; payload decoded from the JWT). Note ``name`` is
  the e-mail address and ``email_verified`` is false: what Auth0 sends for a database user who
  never gave a name and has not clicked the verification link.
- ``WITHOUT_EMAIL_SCOPE``: an id_token for a database-connection user requested without the
  ``email`` scope (no ``email``/``email_verified`` claims), published as
  https://gist.github.com/tmclnk/7997c61b394e37b56d900a6be227e8ca ("id-token-example").
"""

from __future__ import annotations

GOOGLE_SOCIAL = {
    "given_name": "Luca ",
    "family_name": "Iachini",
    "nickname": "luca.iachini",
    "name": "Luca Iachini",
    "picture": "https://lh3.googleusercontent.com/a/<image_id>",  # masked in the recording
    "locale": "it",
    "updated_at": "2022-11-02T12:24:05.399Z",
    "email": "luca.iachini@example.com",  # the recording's address replaced by ours
    "email_verified": True,
    "iss": "https://auth0.com/",
    "sub": "google-oauth2|104532881928836152000",  # "<google_id>" in the recording
    "aud": "<client_d>",
    "iat": 1667391859,
    "exp": 1667427859,
    "sid": "<session_id>",
    "nonce": "<random_nonce>",
}

DATABASE_CONNECTION = {
    "nickname": "admin",
    "name": "admin@alerta.dev",
    "picture": "https://s.gravatar.com/avatar/306a3194fc6a72de959171d2242f31a7?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fad.png",
    "updated_at": "2019-03-30T06:58:35.256Z",
    "email": "admin@alerta.dev",
    "email_verified": False,
    "iss": "https://dev-66191jdr.eu.auth0.com/",
    "sub": "auth0|5c9f106d18518c11b70cae99",
    "aud": "LMMEZSlPYKvM14cFxnWNWkC4DgvRk0dZ",
    "iat": 1553929576,
    "exp": 1553965576,
}

WITHOUT_EMAIL_SCOPE = {
    "nickname": "myuser",
    "name": "myuser@example.com",
    "picture": "https://s.gravatar.com/avatar/843b31161c0df615e49c17b1eea2d89c?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fmy.png",
    "updated_at": "2023-06-04T01:27:09.546Z",
    "iss": "https://dev-ce0onvx2.us.auth0.com/",
    "aud": "mc7CK206Mk0loShIk8av4eoRKkEOgmkO",
    "iat": 1685843022,
    "exp": 1685879022,
    "sub": "auth0|647a4956dcf5d74a05a16996",
    "sid": "JsRmTUf37F-zR2vKtStdDMV4BDtT710t",
}

RECORDINGS = {
    "google_social": GOOGLE_SOCIAL,
    "database_connection": DATABASE_CONNECTION,
    "without_email_scope": WITHOUT_EMAIL_SCOPE,
}
