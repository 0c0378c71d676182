"""Bad input on a form page of its own: the page again, the error marked, 400, nothing written.

The README's rule ("Layout"): forms on their own page re-render with 400; one-button actions
posted from another page redirect back with a flash message.
"""

from __future__ import annotations

import pytest

from accounts.models import User
from applications.models import ApplicationHistory
from grants.models import SearchRun
from profiles.models import BusinessProfile

pytestmark = pytest.mark.django_db


def _unchanged(user) -> tuple:
    return (
        BusinessProfile.objects.filter(user=user).count(),
        ApplicationHistory.objects.filter(user=user).count(),
        SearchRun.objects.filter(user=user).count(),
        User.objects.filter(pk=user.pk, is_active=True).exists(),
    )


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/profile/", {"business_name": "", "organization_type": "nonprofit"}, "Enter your organisation&#x27;s name."),
        ("/search/", {"keywords": "x" * 201}, "Ensure this value has at most 200 characters"),
        ("/applications/tracking/grant/{grant}/", {"status": "MAYBE"}, "Select a valid choice."),
        ("/accounts/delete/", {"confirm_email": "someone-else@example.org"}, "Nothing has been deleted."),
    ],
)
def test_a_form_page_answers_bad_input_with_400_and_the_error_marked(owner_client, user, grant, path, data, message):
    before = _unchanged(user)

    response = owner_client.post(path.format(grant=grant.pk), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _unchanged(user) == before
