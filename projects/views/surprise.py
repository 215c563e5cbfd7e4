"""A random unclaimed project, for a researcher looking for somewhere to start."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from projects.models import Agenda, Project

PAGE = "projects/project_random.html"


@require_safe
@never_cache
def project_random(request: HttpRequest) -> HttpResponse:
    """302 to a live open project nobody holds (within ``?agenda=<slug>`` if given); when
    there is none, a page that says so; an unknown agenda answers 400 on the same page."""
    projects, agenda = Project.objects.free_to_start(), None
    if slug := request.GET.get("agenda"):
        agenda = Agenda.objects.filter(slug=slug).first()
        if agenda is None:
            return render(request, PAGE, {"unknown_agenda": slug}, status=400)
        projects = agenda.projects.free_to_start()
    project = projects.random_one()
    if project is None:
        return render(request, PAGE, {"agenda": agenda})
    return redirect(project)
