"""Writing: the preview of a markdown field, rendered as its text will be saved."""

from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from projects.markdown import render_markdown
from projects.ratelimits import rate_limited
from projects.views.common import participant_required

# More than any markdown field of the board takes (a comment: 10,000 characters).
PREVIEW_MAX = 20000
NOTHING = '<p class="meta">Nothing to preview yet.</p>'


@participant_required
@require_POST
@rate_limited("preview")
def preview(request: HttpRequest) -> HttpResponse:
    """The HTML a markdown text will be saved as, for htmx to show in place of the text.

    ``preview`` names the form's field that holds the text (the Preview button's own
    value); ``text`` is taken when it names none. Stores nothing; stripped as a form's
    CharField strips it, so what shows is exactly what saving renders.
    """
    field = request.POST.get("preview") or "text"
    text = request.POST.get(field, "").strip()
    if len(text) > PREVIEW_MAX:
        return HttpResponse(
            format_html(
                '<p class="meta">Too long to preview: at most {} characters.</p>', PREVIEW_MAX
            )
        )
    return HttpResponse(render_markdown(text) if text else NOTHING)
