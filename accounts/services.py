"""Account work that spans models: Auth0 sign-up and linking, usage, export, deletion, audit."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast
from urllib.parse import quote, quote_plus

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from social_django.models import UserSocialAuth

from accounts import selectors
from accounts.encryption import decrypt_bytes
from accounts.models import AuditEntry, ErasureRecord, SubscriptionTier, User
from accounts.registry import owner_models
from accounts.signals import email_verified

logger = logging.getLogger(__name__)


# --- Auth0 sign-up and linking -------------------------------------------------------------


def free_plan_limits() -> tuple[int, int]:
    """(searches, applications) a month on the free plan: ``PLANS["free"]``, else the model defaults."""
    free = getattr(settings, "PLANS", {}).get("free")
    if free:
        return free["searches"], free["applications"]
    defaults = User()
    return defaults.searches_limit, defaults.applications_limit


@transaction.atomic
def user_create_from_auth0(*, auth0_id: str, email: str, full_name: str, email_verified: bool) -> User:
    """A new grant seeker on the free plan's limits, signing in with Auth0 only (no usable password)."""
    searches, applications = free_plan_limits()
    user = User.objects.create_user(
        email=email,
        auth0_id=auth0_id,
        full_name=full_name[:255],
        subscription_tier=SubscriptionTier.FREE,
        searches_limit=searches,
        applications_limit=applications,
    )
    if email_verified:
        email_verified_announce(user=user)
    return user


@transaction.atomic
def user_link_auth0(*, user: User, auth0_id: str) -> int:
    """Link an existing account (e.g. the legacy owner) to its Auth0 identity after a verified e-mail.

    Returns how many legacy history rows it received.
    """
    user.auth0_id = auth0_id
    user.save(update_fields=["auth0_id", "updated_at"])
    return email_verified_announce(user=user)


def name_from_identity(name: str | None, *, email: str) -> str:
    """The identity provider's name, or "" when it is no name at all.

    Auth0 database connections put the e-mail address in ``name`` when the person never gave one.
    """
    name = " ".join((name or "").split())[:255]
    if not name or name.lower() == email.strip().lower() or ("@" in name and _is_email_address(name)):
        return ""
    return name


def _is_email_address(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def user_has_auth0_identity(*, user: User) -> bool:
    return bool(user.auth0_id) or UserSocialAuth.objects.filter(user=user, provider="auth0").exists()


def user_email_proven_by_identity(*, user: User) -> bool:
    """True when one of the user's Auth0 identities has shown Auth0's verification of the account's address."""
    email = user.email.lower()
    return any(
        (social.extra_data or {}).get("email_verified") is True
        and str((social.extra_data or {}).get("email") or "").lower() == email
        for social in UserSocialAuth.objects.filter(user=user, provider="auth0")
    )


def identity_record_email(*, social: UserSocialAuth, email: str, email_verified: bool) -> None:
    """Keep, on the identity, the address its last token carried and whether Auth0 had verified it."""
    extra = dict(social.extra_data or {})
    if extra.get("email") == email and extra.get("email_verified") is email_verified:
        return
    extra.update(email=email, email_verified=email_verified)
    social.extra_data = extra
    social.save(update_fields=["extra_data"])


def user_sync_from_auth0(*, user: User, auth0_id: str, email: str, email_verified: bool, full_name: str) -> None:
    """What a sign-in may change: an empty ``auth0_id``, an empty name, and a verified new address.

    The name is the person's own once set: the identity provider's name only fills an empty one.
    """
    changed = []
    if not user.auth0_id and not User.objects.filter(auth0_id=auth0_id).exclude(pk=user.pk).exists():
        user.auth0_id = auth0_id
        changed.append("auth0_id")
    name = name_from_identity(full_name, email=email or user.email)
    # A name that is only the address is no name: earlier sign-ins copied it from database logins.
    current = name_from_identity(user.full_name, email=user.email)
    if current != user.full_name.strip() and not name:
        user.full_name = ""
        changed.append("full_name")
    elif name and not current:
        user.full_name = name
        changed.append("full_name")
    # An address change is taken over only once Auth0 has verified it, and never onto another account's.
    if (
        email
        and email_verified
        and user.email.lower() != email.lower()
        and not User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
    ):
        user.email = email
        changed.append("email")
    if changed:
        user.save(update_fields=[*changed, "updated_at"])


def user_details_update(*, user: User, full_name: str | None = None, company_name: str | None = None) -> User:
    changed = []
    for name, value in (("full_name", full_name), ("company_name", company_name)):
        if value is not None and getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
    return user


def email_verified_announce(*, user: User) -> int:
    """Tell the apps above that ``user``'s e-mail is verified; how many rows they gave the user.

    The legacy application history that names this e-mail moves to its owner this way
    (``legacy.claim.history_claim``, connected to ``accounts.signals.email_verified``).
    """
    # Each receiver answers how many rows it gave (Signal.send is typed for string answers).
    claimed = sum(cast(int, response) or 0 for _receiver, response in email_verified.send(sender=User, user=user))
    if claimed:
        logger.info("Gave %s legacy row(s) to user %s on a verified e-mail", claimed, user.pk)
    return claimed


# --- Staff actions ------------------------------------------------------------------------


def users_usage_reset(*, users) -> int:
    return users.update(searches_used=0, applications_used=0, updated_at=timezone.now())


def users_deactivate(*, users) -> int:
    """Staff deactivation: the accounts cannot sign in, but are kept (no deletion is scheduled)."""
    count = 0
    for user in users.filter(is_active=True):
        user.is_active = False
        # A new unusable password changes the session hash, which ends every open session.
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password", "updated_at"])
        sessions_end(user=user)
        count += 1
    return count


def users_reactivate(*, users) -> int:
    """Undo a deactivation or a pending deletion (within the grace period)."""
    return users.filter(is_active=False).update(is_active=True, deactivated_at=None, updated_at=timezone.now())


# --- Audit --------------------------------------------------------------------------------


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be unless a trusted
    # proxy rewrites it, and a forged audit trail is worse than a proxy's address.
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    request,
    action: str,
    target_user: User | None,
    object_type: str,
    object_id: str = "",
    object_repr: str = "",
    detail: str = "",
) -> AuditEntry:
    actor = request.user
    return AuditEntry.objects.create(
        actor=actor if actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "",
        target_user=target_user,
        target_user_email=target_user.email if target_user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:255],
        object_repr=str(object_repr)[:255],
        detail=detail,
        ip_address=client_ip(request),
    )


# --- Export -------------------------------------------------------------------------------


def _rows(entry, user) -> list[dict]:
    names = [f.attname for f in entry.model._meta.concrete_fields if f.name not in entry.exclude]
    order = [f.attname for f in entry.model._meta.pk_fields]
    return list(entry.rows_of(user).order_by(*order).values(*names))


def account_data(*, user: User) -> dict[str, list[dict]]:
    """Every row the user owns, by model label, as plain values (what the export writes)."""
    return {entry.label: _rows(entry, user) for entry in owner_models}


def account_file_names(*, user: User) -> list[str]:
    return sorted({name for entry in owner_models for name in entry.file_names_of(user)})


def _encrypted_file_names(*, user: User) -> set[str]:
    return {name for entry in owner_models if entry.files_encrypted for name in entry.file_names_of(user)}


def account_export(*, user: User) -> bytes:
    """A zip: ``data.json`` with every row the user owns, and their uploaded files under ``files/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        payload = {
            "exported_at": timezone.now(),
            "user_id": user.pk,
            "email": user.email,
            "data": account_data(user=user),
        }
        archive.writestr("data.json", json.dumps(payload, cls=DjangoJSONEncoder, indent=2, sort_keys=True))
        encrypted = _encrypted_file_names(user=user)
        for name in account_file_names(user=user):
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as stored:
                    data = stored.read()
                # The user gets their files as they uploaded them, not our ciphertext.
                archive.writestr(f"files/{name}", decrypt_bytes(data) if name in encrypted else data)
            else:
                logger.warning("Export of user %s: file %s is missing from storage", user.pk, name)
    return buffer.getvalue()


# --- Deletion -----------------------------------------------------------------------------


@transaction.atomic
def account_delete(*, user: User) -> None:
    """The user closes their account: it stops working now and is purged after the grace period."""
    user.is_active = False
    user.deactivated_at = timezone.now()
    # A new unusable password changes the session hash, which ends every open session.
    user.set_unusable_password()
    user.save(update_fields=["is_active", "deactivated_at", "password", "updated_at"])
    sessions_end(user=user)


def sessions_end(*, user: User) -> int:
    """Delete the user's stored sessions (the changed session hash already refuses them; this removes them)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


@dataclass
class PurgeReport:
    users: int = 0
    rows: int = 0
    files: int = 0


@transaction.atomic
def account_purge(*, user: User, log: bool = True) -> PurgeReport:
    """Remove the user, every row they own and (after commit) their files, for good.

    The audit trails stay (they are staff's) with every mention of the user anonymised, and the
    erasure is logged (id and time only) so ``replay_erasures`` can repeat it after a restore.
    """
    files = account_file_names(user=user)
    user_pk = user.pk
    audit_anonymise(user_id=user_pk, names=_names_of(user), owned=_owned_keys(user))
    _sign_in_records_delete(email=user.email)
    rows = sum(entry.rows_of(user).count() for entry in owner_models)
    user.delete()
    leftovers = {
        entry.label: entry.model._default_manager.filter(**{entry.owner: user_pk}).count() for entry in owner_models
    }
    leftovers = {label: count for label, count in leftovers.items() if count}
    if leftovers:
        raise RuntimeError(f"Purging user {user_pk} left rows behind: {leftovers}")
    record, created = ErasureRecord.objects.get_or_create(user_id=user_pk)
    if log and created:
        transaction.on_commit(lambda: _erasure_log_append(record))
    transaction.on_commit(lambda: _files_delete(files))
    return PurgeReport(users=1, rows=rows, files=len(files))


def _names_of(user: User) -> list[str]:
    """Every spelling of the user's e-mail (and name) that a log line may hold."""
    names = {user.email, user.email.lower()}
    if len(user.full_name or "") >= 4:  # a short name would blank out unrelated words
        names.add(user.full_name)
    for name in list(names):
        names |= {quote(name, safe=""), quote_plus(name, safe=""), quote(name)}
    return sorted((name for name in names if name), key=len, reverse=True)


def _owned_keys(user: User) -> dict[str, list[str]]:
    """Model label -> primary keys (as text) of the user's rows and the user row itself."""
    keys = {"accounts.user": [str(user.pk)]}
    for entry in owner_models:
        pks = [str(pk) for pk in entry.rows_of(user).values_list("pk", flat=True)]
        if pks:
            keys.setdefault(entry.label, []).extend(pks)
    return keys


def _scrub(text: str, names: list[str], placeholder: str) -> str:
    for name in names:
        text = re.sub(re.escape(name), placeholder, text, flags=re.IGNORECASE)
    return text


def audit_anonymise(*, user_id: int, names: list[str], owned: dict[str, list[str]]) -> int:
    """Remove every mention of a user from the audit tables (ours and the admin's change log).

    Entries about the user or one of their rows lose their description (``object_repr``) and any
    name in their text; every other entry loses the user's e-mail wherever it appears, plain or
    URL-encoded (a staff search ``?q=...`` in ``detail``). Returns the entries changed.
    """
    placeholder = f"deleted user #{user_id}"
    changed = 0
    about_user = Q(target_user_id=user_id) | Q(actor_id=user_id)
    for label, pks in owned.items():
        about_user |= Q(object_type=label, object_id__in=pks)
    mentions = Q()
    for name in names:
        for column in ("actor_email", "target_user_email", "object_repr", "detail"):
            mentions |= Q(**{f"{column}__icontains": name})
    for entry in AuditEntry.objects.filter(about_user | mentions).select_for_update():
        if entry.target_user_id == user_id:
            entry.target_user = None
            entry.target_user_email = placeholder
        if entry.actor_id == user_id:
            entry.actor = None
            entry.actor_email = placeholder
        if entry.object_id in owned.get(entry.object_type, ()):
            entry.object_repr = f"{entry.object_type} of {placeholder}"
        for column in ("actor_email", "target_user_email", "object_repr", "detail"):
            setattr(entry, column, _scrub(getattr(entry, column), names, placeholder))
        entry.save()
        changed += 1

    about_rows = Q(pk__in=[])
    for label, pks in owned.items():
        app_label, model = label.split(".")
        about_rows |= Q(content_type__app_label=app_label, content_type__model=model, object_id__in=pks)
    mentions = Q()
    for name in names:
        mentions |= Q(object_repr__icontains=name) | Q(change_message__icontains=name)
    for log in (
        LogEntry.objects.filter(about_rows | mentions).select_related("content_type").select_for_update(of=("self",))
    ):
        label = f"{log.content_type.app_label}.{log.content_type.model}" if log.content_type else ""
        if log.object_id in owned.get(label, ()):
            log.object_repr = f"{label} of {placeholder}"
        log.object_repr = _scrub(log.object_repr, names, placeholder)[:200]
        log.change_message = _scrub(log.change_message, names, placeholder)
        log.save(update_fields=["object_repr", "change_message"])
        changed += 1
    return changed


def _sign_in_records_delete(*, email: str) -> None:
    """django-axes' sign-in attempts and failures name the account by its e-mail: they go with it."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()


def _erasure_log_append(record: ErasureRecord) -> None:
    """Append to the erasure log file, which outlives a database restore (fsynced: it must not be lost)."""
    path = Path(settings.ERASURE_LOG_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"user_id": record.user_id, "erased_at": record.erased_at.isoformat()})
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


def erasure_log_read() -> dict[int, datetime]:
    """Every logged erasure: the table's rows and the file's lines (after a restore, the file has more)."""
    erased = dict(ErasureRecord.objects.values_list("user_id", "erased_at"))
    path = Path(settings.ERASURE_LOG_PATH)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                erased.setdefault(int(item["user_id"]), datetime.fromisoformat(item["erased_at"]))
    return erased


@dataclass
class ReplayReport:
    erasures: int = 0
    users: int = 0
    audit_entries: int = 0


def erasures_replay() -> ReplayReport:
    """Erase again every user in the erasure log: after a backup restore brought them back.

    A restored user is purged again (rows, files, sessions, audit mentions); audit entries that
    still point at an erased id are anonymised; the table regains the log's rows. Rerunning
    changes nothing more.
    """
    report = ReplayReport()
    for user_id, erased_at in sorted(erasure_log_read().items()):
        report.erasures += 1
        with transaction.atomic():
            user = User.objects.filter(pk=user_id).select_for_update().first()
            if user is not None:
                account_purge(user=user, log=False)
                report.users += 1
            else:
                report.audit_entries += audit_anonymise(
                    user_id=user_id, names=[], owned={"accounts.user": [str(user_id)]}
                )
            ErasureRecord.objects.update_or_create(user_id=user_id, defaults={"erased_at": erased_at})
    return report


def _files_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def accounts_purge_deleted(*, now=None) -> PurgeReport:
    """Purge every account deleted more than ``ACCOUNT_DELETION_GRACE_DAYS`` ago, one transaction each."""
    total = PurgeReport()
    for user in selectors.users_due_for_purge(now=now or timezone.now()):
        report = account_purge(user=user)
        total.users += report.users
        total.rows += report.rows
        total.files += report.files
    return total
