"""``{% url %}`` as Django's, but a name with no arguments is reversed once per process.

Every page's frame links to eight named pages (the list, the agendas, the activity page,
the dashboard, sign in and out...), and ``reverse()`` took 50 µs each: a tenth of a
signed-in page's time. What it gives for a name with no arguments depends only on the name,
the application namespace asked for, the script prefix and the URLconf, which are the key.
A template builtin (settings.TEMPLATES), so every template's ``{% url %}`` is this one."""

import functools

from django.template import Library, defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = Library()


@functools.lru_cache(maxsize=1024)
def _reversed(view_name: str, current_app: str | None, prefix: str, urlconf) -> str:
    return reverse(view_name, urlconf=urlconf, current_app=current_app)


class URLNode(defaulttags.URLNode):
    def render(self, context) -> str:
        if self.args or self.kwargs:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        # The application namespace, as Django's {% url %} finds it.
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        try:
            url = _reversed(view_name, current_app, get_script_prefix(), get_urlconf())
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token) -> URLNode:
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)
