"""People in the admin: users with their profile, email addresses and second factors;
groups."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from projects.admin.common import GuardedAdminMixin

DEACTIVATE_HELP = (
    "Untick to deactivate the account: its owner can no longer sign in, and their "
    "comments, claims and outputs stay on the board with their name. Accounts are never "
    "deleted."
)

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
class UserAdmin(GuardedAdminMixin, BaseUserAdmin):
    """Django's user admin, with the display name and the user's email addresses.

    It deletes no one, superusers' requests included: an account is deactivated (its
    "Active" box, or the list's action), and what its owner wrote stays with their name.
    """

    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "affiliation", "website", "bio")}),
        ("Two-factor authentication", {"fields": ("second_factors",)}),
    )
    inlines = [EmailAddressInline]
    # What the system records about sign-ins, and which second factors the user has, are
    # read, not edited.
    readonly_fields = ("last_login", "date_joined", "second_factors")
    list_display = ("username", "display_name", "email", "is_active", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email", "emailaddress__email")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["deactivate_selected"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        """Never: without it Django shows no delete link, drops "Delete selected", and its
        delete view answers 403."""
        return False

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        """Django's fields; "Active" says that unticking it is how an account is closed."""
        if db_field.name == "is_active":
            kwargs["help_text"] = DEACTIVATE_HELP
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.action(description="Deactivate selected users", permissions=["change"])
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Switch the selected accounts off; what their owners wrote stays."""
        done = queryset.deactivate()
        self.message_user(
            request, f"Deactivated {done} account{'s' if done != 1 else ''}: nothing was deleted."
        )

    @admin.display(description="Second factors")
    def second_factors(self, user: User) -> str:
        """The kinds of second factor the user has set up and when, never their secrets."""
        factors = [
            f"{FACTOR_NAMES[authenticator.type]} (added {authenticator.created_at:%d %b %Y})"
            for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
        ]
        return "; ".join(factors) or "None"


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(GuardedAdminMixin, BaseGroupAdmin):
    """Django's group admin (the Curators group and its permissions), safe from input it
    cannot use like every list of the admin."""
