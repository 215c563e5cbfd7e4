from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin, with the display name."""

    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "affiliation", "website", "bio")}),
    )
    list_display = ("username", "display_name", "email", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
