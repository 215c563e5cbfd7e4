from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("agendas/<slug:slug>/", views.agenda_detail, name="agenda-detail"),
    path("projects/<slug:slug>/", views.project_detail, name="project-detail"),
]
