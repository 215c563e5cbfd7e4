"""The outbox in the admin: what was sent, what waits, what failed and why (read only)."""

from django.contrib import admin

from notifications.models import Delivery
from notifications.outbox import deliver_due
from projects.admin.common import GuardedAdminMixin


@admin.register(Delivery)
class DeliveryAdmin(GuardedAdminMixin, admin.ModelAdmin):
    """Read-only: the outbox is written by the board and emptied by its workers."""

    list_display = ("subject", "to", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state",)
    search_fields = ("to", "subject", "key")
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["try_again"]

    @admin.action(description="Try the selected emails again now")
    def try_again(self, request, queryset) -> None:
        """Failed or waiting emails become due now; the sweep (or this) sends them."""
        for delivery in queryset:
            delivery.try_again()
        sent = deliver_due()
        self.message_user(request, f"Tried again: {sent} sent now, the rest on a later sweep.")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
