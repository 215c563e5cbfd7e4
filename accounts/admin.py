"""People in the admin: users with their profile, email addresses and second factors."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models

from accounts.models import User

# allauth's app is also called "Accounts", so its email address admin made a second
# "Accounts" section on the admin index. A user's addresses are shown on the user's page
# instead. (allauth.account comes before accounts in INSTALLED_APPS, so it has registered.)
admin.site.unregister(EmailAddress)
# allauth's page of authenticators would show and edit their data: TOTP secrets and
# recovery code seeds. A user's page says which second factors they have, nothing more.
admin.site.unregister(Authenticator)
FACTOR_NAMES = {
    Authenticator.Type.TOTP: "Authenticator app",
    Authenticator.Type.WEBAUTHN: "Security key",
    Authenticator.Type.RECOVERY_CODES: "Recovery codes",
}


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
        ("Two-factor authentication", {"fields": ("second_factors",)}),
    )
    readonly_fields = ("second_factors",)
    inlines = [EmailAddressInline]
    list_display = ("username", "display_name", "email", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email", "emailaddress__email")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Second factors")
    def second_factors(self, user: User) -> str:
        """The kinds of second factor the user has set up and when, never their secrets."""
        factors = [
            f"{FACTOR_NAMES[authenticator.type]} (added {authenticator.created_at:%d %b %Y})"
            for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
        ]
        return "; ".join(factors) or "None"
