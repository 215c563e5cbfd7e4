"""Every admin screen a curator works in passes axe-core: each model's changelist, add
form and change form, at laptop width."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.browser.conftest import LAPTOP
from tests.factories import CommentFactory, OutputFactory, ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_every_admin_screen_passes_axe(page_at, live_server, admin_user, sign_in_with_two_factor):
    project = ProjectFactory()
    CommentFactory(project=project)
    OutputFactory(project=project)
    client = Client()
    sign_in_with_two_factor(client, admin_user)
    page = page_at(LAPTOP)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model.objects.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        for url in urls:
            response = page.goto(live_server.url + url)
            assert (response.status, page.url) == (200, live_server.url + url)
