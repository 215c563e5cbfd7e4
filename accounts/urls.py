from django.urls import path, re_path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/profile/", views.profile_edit, name="profile-edit"),
    path("me/", views.dashboard, name="dashboard"),
    path("mentions/people/", views.mention_lookup, name="mention-lookup"),
    # Usernames are letters, digits and @.+-_ (Django's validator); nothing else matches.
    re_path(r"^people/(?P<username>[\w.@+-]+)/$", views.person_detail, name="person-detail"),
]
