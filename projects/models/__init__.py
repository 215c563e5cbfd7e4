"""The domain's models, one concept a module."""

from projects.models.agenda import Agenda, Tag
from projects.models.claim import Claim, OutputKind
from projects.models.comment import Comment
from projects.models.event import Event
from projects.models.interest import Interest, Watch
from projects.models.output import Output
from projects.models.project import Project, ProjectKind, ProjectStatus

__all__ = [
    "Agenda",
    "Claim",
    "Comment",
    "Event",
    "Interest",
    "Output",
    "OutputKind",
    "Project",
    "ProjectKind",
    "ProjectStatus",
    "Tag",
    "Watch",
]
