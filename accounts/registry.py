"""Which models hold a user's data: the registry behind "Download my data" and the account purge.

accounts sits at the bottom of the import graph, so it cannot import the models that build on
it. Each app registers its owner models here from its ``AppConfig.ready``::

    from accounts.registry import owner_models
    owner_models.register(Grant, owner="user")
    owner_models.register(SavedGrant, owner="user_settings__user")
    owner_models.register(BusinessProfile, owner="user", files=profile_document_names)

``owner`` is the ORM path from the model to the user. ``files`` (optional) takes the queryset
of the user's rows and returns the storage names (relative to ``default_storage``, i.e.
MEDIA_ROOT) of the files those rows point at: the export adds them to the zip and the purge
deletes them. ``files_encrypted`` says those files are stored encrypted (``accounts.encryption``):
the export decrypts them and ``rotate_encryption_keys`` re-encrypts them. ``exclude`` names
columns never exported (secrets such as tokens).

``tests/accounts/test_registry.py`` fails when a model linked to the user is neither
registered nor listed in ``NOT_OWNER_DATA`` below with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import QuerySet

FilesHook = Callable[[QuerySet], Iterable[str]]

# Models that link to a user but are not that user's data, and why. The registry test reads this.
NOT_OWNER_DATA: dict[str, str] = {
    "admin.logentry": "Django admin's change log: what a staff member did, owned by the staff member.",
    "accounts.auditentry": "The staff audit trail; the purge anonymises the user's side of it.",
    "djstripe.customer": "Stripe's record of the customer, kept for accounting; its link is set to NULL on purge.",
    "legacy.legacyowner": "Which user received the legacy single-user data (a fact about the database, "
    "written by migrate); its link is set to NULL on purge.",
    "grants.grantfigures": "Counts derived from the user's grants for the dashboard (kept by triggers on "
    "grants, recomputable from them); deleted with the user.",
}


@dataclass(frozen=True)
class OwnerModel:
    model: type[models.Model]
    owner: str
    files: FilesHook | None = None
    exclude: tuple[str, ...] = field(default_factory=tuple)
    files_encrypted: bool = False

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def rows_of(self, user) -> QuerySet:
        """The rows ``user`` (a user or a user's primary key) owns."""
        return self.model._default_manager.filter(**{self.owner: getattr(user, "pk", user)})

    def file_names_of(self, user) -> list[str]:
        if self.files is None:
            return []
        return sorted({name for name in self.files(self.rows_of(user)) if name})

    def all_file_names(self) -> list[str]:
        """Every stored file of every user's rows (key rotation walks them)."""
        if self.files is None:
            return []
        return sorted({name for name in self.files(self.model._default_manager.all()) if name})


class OwnerModelRegistry:
    def __init__(self) -> None:
        self._entries: dict[str, OwnerModel] = {}

    def register(
        self,
        model: type[models.Model],
        *,
        owner: str,
        files: FilesHook | None = None,
        exclude: Iterable[str] = (),
        files_encrypted: bool = False,
    ) -> None:
        entry = OwnerModel(
            model=model, owner=owner, files=files, exclude=tuple(exclude), files_encrypted=files_encrypted
        )
        existing = self._entries.get(entry.label)
        if existing is not None and existing != entry:
            raise ValueError(f"{entry.label} is already registered as an owner model with other options.")
        self._entries[entry.label] = entry

    def __iter__(self):
        return iter(sorted(self._entries.values(), key=lambda entry: entry.label))

    def __contains__(self, model: type[models.Model]) -> bool:
        return model._meta.label_lower in self._entries

    def get(self, model: type[models.Model]) -> OwnerModel | None:
        return self._entries.get(model._meta.label_lower)


owner_models = OwnerModelRegistry()


def owner_models_missing(all_models, user_model) -> list[str]:
    """Labels of models that hold a user's data (a link to the user or to another owner model,
    followed transitively) yet are neither registered nor listed in ``NOT_OWNER_DATA``."""
    registered = {entry.label for entry in owner_models}
    linked = {user_model._meta.label_lower} | registered
    missing: set[str] = set()
    changed = True
    while changed:
        changed = False
        for model in all_models:
            label = model._meta.label_lower
            if label in linked or label in missing or label in NOT_OWNER_DATA:
                continue
            targets = {
                field.related_model._meta.label_lower
                for field in model._meta.concrete_fields
                if field.is_relation and field.related_model is not None
            }
            if targets & linked:
                missing.add(label)
                linked.add(label)
                changed = True
    return sorted(missing - registered)
