"""People in the admin: users with their profile and email addresses."""

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models

from accounts.models import User

# allauth's app is also called "Accounts", so its email address admin made a second
# "Accounts" section on the admin index. A user's addresses are shown on the user's page
# instead. (allauth.account comes before accounts in INSTALLED_APPS, so it has registered.)
admin.site.unregister(EmailAddress)


class EmailAddressInline(admin.TabularInline):
    """A user's email addresses and whether each is verified; the user picks the primary one."""

    model = EmailAddress
    extra = 0
    fields = ("email", "verified", "primary")
    # Moving "primary" between rows in one save could break allauth's one-primary
    # constraint halfway through; people change it on their own email page.
    readonly_fields = ("primary",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin, with the display name and the user's email addresses."""

    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "affiliation", "website", "bio")}),
    )
    inlines = [EmailAddressInline]
    # What the system records about sign-ins is read, not edited.
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "display_name", "email", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email", "emailaddress__email")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
