"""The domain's models, one concept a module."""

from projects.models.agenda import Agenda, Tag
from projects.models.claim import Claim, OutputKind
from projects.models.comment import Comment, CommentVersion
from projects.models.content_version import ContentVersion
from projects.models.event import Event
from projects.models.flag import Flag
from projects.models.history import StatusChange, StatusChangeOutput, TextVersion
from projects.models.interest import Interest, Watch
from projects.models.output import Output
from projects.models.project import Project, ProjectKind, ProjectStanding, ProjectStatus
from projects.models.proposal import Proposal

__all__ = [
    "Agenda",
    "Claim",
    "Comment",
    "CommentVersion",
    "ContentVersion",
    "Event",
    "Flag",
    "Interest",
    "Output",
    "OutputKind",
    "Project",
    "ProjectKind",
    "ProjectStanding",
    "ProjectStatus",
    "Proposal",
    "StatusChange",
    "StatusChangeOutput",
    "Tag",
    "TextVersion",
    "Watch",
]
