from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.fields import LegacyJSONField
from core.models import choices_check

SYSTEM_USER_EMAIL = "system@grantfinder.internal"


class SubscriptionTier(models.TextChoices):
    FREE = "free", "Free"
    BASIC = "basic", "Basic"
    PRO = "pro", "Pro"


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    CANCELED = "CANCELED", "Canceled"
    PAST_DUE = "PAST_DUE", "Past due"
    TRIALING = "TRIALING", "Trialing"
    INCOMPLETE = "INCOMPLETE", "Incomplete"
    INCOMPLETE_EXPIRED = "INCOMPLETE_EXPIRED", "Incomplete (expired)"
    UNPAID = "UNPAID", "Unpaid"


class SearchFrequency(models.TextChoices):
    """Stored in the legacy PostgreSQL enum type ``searchfrequency``."""

    DAILY = "DAILY", "Daily"
    WEEKLY = "WEEKLY", "Weekly"
    TWICE_WEEKLY = "TWICE_WEEKLY", "Twice a week"
    MONTHLY = "MONTHLY", "Monthly"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A grant seeker or a staff member. Signs in through Auth0 (``auth0_id`` is its ``sub``)."""

    # django-stubs types these as str on AbstractUser; removing them is how a custom user drops them.
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    auth0_id = models.CharField(max_length=255, null=True, blank=True)
    full_name = models.CharField(max_length=255, blank=True, default="")
    company_name = models.CharField(max_length=255, blank=True, default="")
    subscription_tier = models.CharField(max_length=20, choices=SubscriptionTier, default=SubscriptionTier.FREE)
    subscription_status = models.CharField(max_length=20, choices=SubscriptionStatus, default=SubscriptionStatus.ACTIVE)
    searches_used = models.PositiveIntegerField(default=0)
    searches_limit = models.PositiveIntegerField(default=5)
    applications_used = models.PositiveIntegerField(default=0)
    applications_limit = models.PositiveIntegerField(default=1)
    usage_period_start = models.DateTimeField(null=True, blank=True)
    usage_period_end = models.DateTimeField(null=True, blank=True)
    monthly_ai_cost_cents = models.PositiveIntegerField(default=0)
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        db_column="is_admin",
        help_text="Designates whether the user can log into the admin site.",
    )
    date_joined = models.DateTimeField("created", default=timezone.now, db_column="created_at")
    updated_at = models.DateTimeField(auto_now=True)
    deactivated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the user deleted their account. purge_deleted_accounts removes it after the grace period.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        db_table = "users"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="ix_users_email"),
            models.UniqueConstraint(fields=["auth0_id"], name="ix_users_auth0_id"),
            choices_check("subscription_tier", SubscriptionTier, "users_subscription_tier_valid"),
            choices_check("subscription_status", SubscriptionStatus, "users_subscription_status_valid"),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_system_user(self) -> bool:
        return self.email == SYSTEM_USER_EMAIL

    @property
    def is_pending_deletion(self) -> bool:
        return self.deactivated_at is not None


class UserSettings(models.Model):
    """Search and notification preferences; the legacy ``user_settings`` table, one row per user."""

    id = models.AutoField(primary_key=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="settings")
    telegram_enabled = models.BooleanField(null=True, blank=True)
    minimum_score = models.FloatField(null=True, blank=True)
    notify_categories = LegacyJSONField(null=True, blank=True)
    schedule_frequency = models.CharField(max_length=20, choices=SearchFrequency, null=True, blank=True)
    schedule_days = LegacyJSONField(null=True, blank=True)
    schedule_time = models.TextField(null=True, blank=True)
    email_notifications = models.BooleanField(default=True)
    deadline_reminders = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        db_table = "user_settings"
        verbose_name_plural = "user settings"

    def __str__(self) -> str:
        return f"Settings of {self.user}"


class AuditAction(models.TextChoices):
    LIST = "list", "Listed"
    VIEW = "view", "Viewed"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    HISTORY = "history", "Viewed history"
    ACTION = "action", "Ran an admin action"
    EXPORT = "export", "Exported data"


class AuditEntry(models.Model):
    """One thing a staff member did with a user's data in the admin. Written by the admin, never edited.

    The actor and the user are kept as text as well as links, so the trail survives either being
    deleted (the purge anonymises the user's side, see ``accounts.services``).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="audit_entries_made"
    )
    actor_email = models.CharField(max_length=254)
    # Indexed by ix_audit_target_user_at below, which leads with it.
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        db_index=False,
    )
    target_user_email = models.CharField(max_length=254, blank=True, default="")
    action = models.CharField(max_length=20, choices=AuditAction)
    object_type = models.CharField(max_length=100, help_text="app_label.model of what was opened.")
    object_id = models.CharField(max_length=255, blank=True, default="")
    object_repr = models.CharField(max_length=255, blank=True, default="")
    detail = models.TextField(blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        db_table = "staff_audit_entries"
        ordering = ["-at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["target_user", "-at"], name="ix_audit_target_user_at")]
        constraints = [choices_check("action", AuditAction, "staff_audit_entries_action_valid")]

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.object_type} {self.object_id} at {self.at:%Y-%m-%d %H:%M}"


class CacheEntry(models.Model):
    """A row of Django's database cache (``accounts.cache.DatabaseCache``): rate-limit counters.

    The columns are those ``createcachetable`` would make; as a model, ``migrate`` (and the test
    database) create the table, so no deployment step can forget it.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "cache_entries"
        verbose_name_plural = "cache entries"

    def __str__(self) -> str:
        return self.cache_key


class ErasureRecord(models.Model):
    """A user the purge erased: their id and when, nothing that names them.

    ``manage.py replay_erasures`` reads these (and the copy in ``ERASURE_LOG_PATH``, which a
    database restore does not roll back) to erase the same users again after a backup restore.
    """

    user_id = models.BigIntegerField(unique=True)
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "account_erasures"
        ordering = ["erased_at", "user_id"]

    def __str__(self) -> str:
        return f"user #{self.user_id} erased at {self.erased_at:%Y-%m-%d %H:%M}"
