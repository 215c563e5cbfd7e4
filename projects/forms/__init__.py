"""Forms for what researchers do on a project: each parses its input and performs one action.

A form is built with what it acts on (the project, the claim, the comment) and who acts;
``perform()`` calls the one domain method with its cleaned data. Field names and the
call that uses them live side by side, so renaming a field is one edit in one class.
Each keeps what the user typed and puts its message at the field; the domain's
refusal (a ValidationError with a code) lands at the top of the form.
"""

from projects.forms.base import ActionForm
from projects.forms.claims import (
    CheckInForm,
    ClaimActionForm,
    ClaimForm,
    CompleteForm,
    ConfirmForm,
    ReleaseForm,
    ReviveForm,
)
from projects.forms.discussion import CommentEditForm, CommentForm, FlagForm, ReplyForm
from projects.forms.interest import InterestForm, WatchForm
from projects.forms.outputs import OutputForm
from projects.forms.proposals import ProposalForm

__all__ = [
    "ActionForm",
    "CheckInForm",
    "ClaimActionForm",
    "ClaimForm",
    "CommentEditForm",
    "CommentForm",
    "CompleteForm",
    "ConfirmForm",
    "FlagForm",
    "InterestForm",
    "OutputForm",
    "ProposalForm",
    "ReleaseForm",
    "ReplyForm",
    "ReviveForm",
    "WatchForm",
]
