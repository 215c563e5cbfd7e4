from django.urls import path

from projects import feeds
from projects.views import (
    activity,
    claims,
    discussion,
    exports,
    interest,
    outputs,
    pages,
    proposals,
    reminders,
    surprise,
    writing,
)

app_name = "projects"

urlpatterns = [
    path("", pages.project_list, name="project-list"),
    path("agendas/", pages.agenda_list, name="agenda-list"),
    path("agendas/<slug:slug>/", pages.agenda_detail, name="agenda-detail"),
    path("agendas/<slug:slug>/export.csv", exports.agenda_export_csv, name="agenda-export-csv"),
    path("agendas/<slug:slug>/export.json", exports.agenda_export_json, name="agenda-export-json"),
    path("tags/<str:tag>/", pages.project_list, name="tag-detail"),
    path("activity/", activity.activity, name="activity"),
    path("feeds/", feeds.SiteFeed(), name="feed-site"),
    path("feeds/agendas/<slug:slug>/", feeds.AgendaFeed(), name="feed-agenda"),
    path("feeds/projects/<slug:slug>/", feeds.ProjectFeed(), name="feed-project"),
    # Tag slugs may hold any letter (Tag.slug allows unicode), which <slug:> would refuse.
    path("feeds/tags/<str:slug>/", feeds.TagFeed(), name="feed-tag"),
    path("projects/propose/", proposals.project_propose, name="project-propose"),
    # Before projects/<slug>/, which would take "random" for a project's slug.
    path("projects/random/", surprise.project_random, name="project-random"),
    path("projects/<slug:slug>/", pages.project_detail, name="project-detail"),
    path(
        "projects/<slug:slug>/propose-edit/",
        proposals.project_propose_edit,
        name="project-propose-edit",
    ),
    path("projects/<slug:slug>/claim/", claims.project_claim, name="project-claim"),
    path("projects/<slug:slug>/interest/", interest.project_interest, name="project-interest"),
    path("projects/<slug:slug>/watch/", interest.project_watch, name="project-watch"),
    path("projects/<slug:slug>/comments/", discussion.comment_create, name="comment-create"),
    path("projects/<slug:slug>/outputs/", outputs.output_create, name="output-create"),
    path("claims/<int:pk>/check-in/", claims.claim_check_in, name="claim-check-in"),
    path("claims/<int:pk>/still-on-it/", claims.claim_confirm, name="claim-confirm"),
    path("claims/<int:pk>/complete/", claims.claim_complete, name="claim-complete"),
    path("claims/<int:pk>/release/", claims.claim_release, name="claim-release"),
    path("claims/<int:pk>/revive/", claims.claim_revive, name="claim-revive"),
    # A reminder email's one-click links: the token is the holder's key, no sign-in.
    path("claims/reminded/<str:token>/", reminders.claim_reminder_link, name="claim-reminder-link"),
    path("preview/", writing.preview, name="preview"),
    path("comments/<int:pk>/", pages.comment_permalink, name="comment-permalink"),
    path("comments/<int:pk>/edit/", discussion.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", discussion.comment_delete, name="comment-delete"),
    path("comments/<int:pk>/reply/", discussion.comment_reply, name="comment-reply"),
    path("comments/<int:pk>/flag/", discussion.comment_flag, name="comment-flag"),
    path(
        "comments/<int:pk>/hide/", discussion.comment_moderate, {"hide": True}, name="comment-hide"
    ),
    path(
        "comments/<int:pk>/unhide/",
        discussion.comment_moderate,
        {"hide": False},
        name="comment-unhide",
    ),
    path("outputs/<int:pk>/accept/", outputs.output_review, {"accept": True}, name="output-accept"),
    path(
        "outputs/<int:pk>/reject/", outputs.output_review, {"accept": False}, name="output-reject"
    ),
]
