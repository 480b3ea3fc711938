from django.contrib.admin.apps import AdminConfig


class SystemsAdminConfig(AdminConfig):
    """Django's admin as the Systems Admin zone (the site class lives in sysadmin.py,
    which may import models; this module is read before apps are ready)."""

    default_site = "portico.sysadmin.SystemsAdminSite"
