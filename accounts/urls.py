from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/profile/", views.profile_edit, name="profile-edit"),
    path("people/<str:username>/", views.person_detail, name="person-detail"),
]
