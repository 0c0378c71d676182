from django.apps import AppConfig


def _saved_funder_notes(user):
    from funders.services import saved_funder_filing_notes

    return saved_funder_filing_notes(user=user)


class FundersConfig(AppConfig):
    """Private foundations and what they paid, from their 990-PF filings.

    Sits above ``grants`` (it reads the profile and reuses the catalog's place and money
    helpers, and adds a saved funder's new filing to the grants digest through a hook) and below
    ``applications`` (an approach to a funder is tracked beside the grant tracking).
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "funders"

    def ready(self):
        from accounts.registry import owner_models
        from funders.models import FunderApproach, SavedFunder

        owner_models.register(SavedFunder, owner="user")
        owner_models.register(FunderApproach, owner="user")

        from grants.services.alerts import digest_notes

        # A saved funder's new filing is noted in the user's saved-search digest.
        digest_notes.register(_saved_funder_notes)
