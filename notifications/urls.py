from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_mark_read, name="notification-mark-read"),
    path("notifications/settings/", views.preference_edit, name="preference-edit"),
    # Signed tokens hold letters, digits, "-", "_" and ":", never "/".
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
