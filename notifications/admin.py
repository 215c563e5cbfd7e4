"""The outbox in the admin: what was sent, what waits, what failed and why (read only)."""

from django.contrib import admin

from notifications.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by the board and emptied by its workers."""

    list_display = ("subject", "to", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state",)
    search_fields = ("to", "subject", "key")
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
