"""The Django admin app on our audited site (listed in INSTALLED_APPS instead of django.contrib.admin).

Its own module: INSTALLED_APPS imports it before any model can be, see ``accounts.admin_site``.
"""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.AuditedAdminSite"
