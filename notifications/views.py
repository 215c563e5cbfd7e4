"""Your notifications, your settings for them, and the one-click unsubscribe page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from notifications.forms import PreferenceForm
from notifications.mail import read_unsubscribe_token
from notifications.models import Notification, Preference
from projects.ratelimits import rate_limited
from projects.views.activity import nearest_page
from projects.views.common import participant_required, see_other

PER_PAGE = 30
PREFERENCE_PAGE = "notifications/preference_edit.html"


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    """Your notifications, newest first, ``?page=`` at a time, the unread ones marked; each
    links to where it happened."""
    notifications = Notification.objects.filter(recipient=request.user).for_list()
    page = nearest_page(Paginator(notifications, PER_PAGE), request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page_obj": page})


@participant_required
@require_POST
@rate_limited("settings")
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark every notification of yours read, then back to the list (303)."""
    marked = Notification.objects.filter(recipient=request.user).mark_read()
    if marked:
        messages.success(request, "All your notifications are marked read.")
    return see_other(reverse("notifications:notification-list"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("settings")
def preference_edit(request: HttpRequest) -> HttpResponse:
    """How often each topic reaches you by email. A valid POST saves and comes back to the
    page (303) with a message; an invalid one shows the form again, each error at its field
    (400)."""
    data = request.POST if request.method == "POST" else None
    form = PreferenceForm(data, preference=Preference.of(request.user))
    if request.method == "POST":
        if form.submit():
            messages.success(request, "Your notification settings are saved.")
            return see_other(reverse("notifications:preference-edit"))
        return render(request, PREFERENCE_PAGE, _preference_context(form), status=400)
    return render(request, PREFERENCE_PAGE, _preference_context(form))


def _preference_context(form: PreferenceForm) -> dict:
    """The settings page's context: the form, and when digests go out."""
    return {"form": form, "digest_hour": settings.DIGEST_HOUR, "time_zone": settings.TIME_ZONE}


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("link")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link at the foot of every notification email. GET (and HEAD) says what it stops
    and shows a button, changing nothing (mail scanners follow links); POST stops it, signed
    in or not.

    CSRF-exempt, this view alone: RFC 8058 one-click unsubscribes are POSTed by mail
    providers, with no cookie and no CSRF token. The signed token is the authority: it names
    the person and the mail to stop, and only this site can make one. A token that fails
    its signature, or names no active account, gets a page saying so (400), never an error.
    """
    template = "notifications/unsubscribe.html"
    try:
        user_id, scope = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, template, {"invalid": True}, status=400)
    person = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if person is None:
        return render(request, template, {"invalid": True}, status=400)
    context = {"what": Preference.describe(scope), "scope": scope}
    if request.method == "POST":
        Preference.of(person).unsubscribe(scope)
        return render(request, template, {**context, "done": True})
    return render(request, template, context)
