"""A researcher's own profile, and allauth's account forms in the board's words."""

from typing import ClassVar

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from fido2.webauthn import AuthenticationResponse, RegistrationResponse

from accounts.models import User
from projects.forms.base import MarkdownTextarea, mark_preview, previewed_field
from projects.validators import OneLineField, validate_link


class ProfileForm(forms.ModelForm):
    """Display name, affiliation, website and a short bio."""

    website = forms.URLField(
        required=False,
        max_length=300,
        assume_scheme="https",
        validators=[validate_link],
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://"}),
        help_text="Your homepage or a profile elsewhere.",
    )

    class Meta:
        model = User
        fields = ["display_name", "affiliation", "website", "bio"]
        widgets = {
            "bio": MarkdownTextarea(attrs={"rows": 4, "maxlength": 1000}),
        }

    def __init__(self, *args, **kwargs) -> None:
        """Labels without Django's trailing colon, like the site's other forms."""
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        mark_preview(self)

    @property
    def previewing(self) -> str:
        """The bio, when its Preview button sent the form (nothing is saved then); else ""."""
        return previewed_field(self)


class BoardWordsMixin:
    """Sentence-case labels, and for each required field a message that says what to enter.

    Django's "This field is required." says nothing the field's label and help do not,
    and allauth labels some fields in title case ("Remember Me", "New Password").
    """

    # field name -> (label, message when it is left empty; None for an optional field)
    words: ClassVar[dict[str, tuple[str, str | None]]] = {}

    def __init__(self, *args, **kwargs) -> None:
        """Bind the form as allauth does, then put the board's words on its fields."""
        super().__init__(*args, **kwargs)
        for name, (label, required) in self.words.items():
            field = self.fields.get(name)
            if field is None:  # allauth leaves out fields its settings turn off
                continue
            # allauth's password inputs repeat the label as their placeholder.
            if field.widget.attrs.get("placeholder") == field.label:
                field.widget.attrs["placeholder"] = label
            field.label = label
            if required:
                field.error_messages["required"] = required


# The longest email address (RFC 5321); usernames are shorter.
LOGIN_MAX = 254


class LoginForm(BoardWordsMixin, allauth_forms.LoginForm):
    """allauth's sign-in form, with a label that says what to type."""

    words = {
        "login": ("Username or email", "Enter your username or email address."),
        "password": ("Password", "Enter your password."),
        "remember": ("Remember me", None),
    }

    def __init__(self, *args, **kwargs) -> None:
        """allauth's form, whose "username or email" field takes at most ``LOGIN_MAX``
        characters (allauth sets no limit there, and looking up a megabyte of text fails
        on SQLite instead of saying that no account has that name)."""
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.max_length = LOGIN_MAX
        login.validators.append(MaxLengthValidator(LOGIN_MAX))
        login.widget.attrs["maxlength"] = str(LOGIN_MAX)


class SignupForm(BoardWordsMixin, allauth_forms.SignupForm):
    """allauth's sign-up form in the board's words."""

    words = {
        "email": ("Email", "Enter your email address."),
        "username": ("Username", "Choose a username."),
        "password1": ("Password", "Choose a password."),
        "password2": ("Password (again)", "Enter the same password again."),
    }


class AddEmailForm(BoardWordsMixin, allauth_forms.AddEmailForm):
    """allauth's form to add an email address, in the board's words; the account's
    verified addresses are told of the new one."""

    words = {"email": ("Email", "Enter the email address to add.")}

    def save(self, request: HttpRequest):
        """Add the address (allauth mails it a verification link), and tell the others."""
        address = super().save(request)
        if address.pk:
            get_adapter(request).send_notification_mail(
                "account/email/email_added", self.user, {"added_email": address.email}
            )
        return address


class ResetPasswordForm(BoardWordsMixin, allauth_forms.ResetPasswordForm):
    """allauth's "forgot your password" form, in the board's words."""

    words = {"email": ("Email", "Enter the email address you signed up with.")}


class ResetPasswordKeyForm(BoardWordsMixin, allauth_forms.ResetPasswordKeyForm):
    """allauth's form behind a password reset link, in the board's words."""

    words = {
        "password1": ("New password", "Choose a new password."),
        "password2": ("New password (again)", "Enter the same new password again."),
    }


class ChangePasswordForm(BoardWordsMixin, allauth_forms.ChangePasswordForm):
    """allauth's change-password form, in the board's words."""

    words = {
        "oldpassword": ("Current password", "Enter your current password."),
        "password1": ("New password", "Choose a new password."),
        "password2": ("New password (again)", "Enter the same new password again."),
    }


class SetPasswordForm(BoardWordsMixin, allauth_forms.SetPasswordForm):
    """allauth's form for an account without a password yet, in the board's words."""

    words = {
        "password1": ("Password", "Choose a password."),
        "password2": ("Password (again)", "Enter the same password again."),
    }


class ReauthenticateForm(BoardWordsMixin, allauth_forms.ReauthenticateForm):
    """allauth's "enter your password again" form, in the board's words."""

    words = {"password": ("Password", "Enter your password.")}


CODE_WORDS = (
    "Code",
    "Enter the six-digit code your authenticator app shows, or one of your recovery codes.",
)


class AuthenticateForm(BoardWordsMixin, mfa_forms.AuthenticateForm):
    """allauth's second step of signing in (a code), in the board's words."""

    words = {"code": CODE_WORDS}


class MFAReauthenticateForm(BoardWordsMixin, mfa_forms.ReauthenticateForm):
    """allauth's "confirm it is you" with a code, in the board's words."""

    words = {"code": CODE_WORDS}


class ActivateTOTPForm(BoardWordsMixin, totp_forms.ActivateTOTPForm):
    """allauth's form that turns on an authenticator app, in the board's words."""

    words = {"code": ("Code from the app", "Enter the six-digit code your app shows.")}


# A security key's name: one line, as the key list shows it.
KEY_NAME_MAX = 100


class ReadableCredentialMixin:
    """A security key's answer (the JSON the page's script posts) that fido2 can read, or
    allauth's "incorrect code" at the form: allauth hands a hand-made answer (a missing
    field, bad base64) straight to fido2, which fails with a KeyError or ValueError (500)."""

    # fido2's RegistrationResponse (adding a key) or AuthenticationResponse (using one).
    response_class: ClassVar[type]

    def clean_credential(self):
        """The answer, once fido2 can read it; then allauth's own check, if the form has one."""
        credential = self.cleaned_data["credential"]
        try:
            self.response_class.from_dict(credential)
        except (KeyError, TypeError, ValueError):
            raise get_mfa_adapter().validation_error("incorrect_code") from None
        allauths = getattr(super(), "clean_credential", None)
        return allauths() if allauths else credential


class AddWebAuthnForm(ReadableCredentialMixin, BoardWordsMixin, webauthn_forms.AddWebAuthnForm):
    """allauth's form that adds a security key, in the board's words; its name is one line."""

    response_class = RegistrationResponse
    name = OneLineField(required=False, max_length=KEY_NAME_MAX)
    words = {"name": ("Name of the key", None)}


class EditWebAuthnForm(BoardWordsMixin, webauthn_forms.EditWebAuthnForm):
    """allauth's form that renames a security key, in the board's words; one line."""

    name = OneLineField(max_length=KEY_NAME_MAX)
    words = {"name": ("Name of the key", "Give the key a name.")}


class AuthenticateWebAuthnForm(ReadableCredentialMixin, webauthn_forms.AuthenticateWebAuthnForm):
    """allauth's second step of signing in with a security key, safe from a hand-made answer."""

    response_class = AuthenticationResponse


class ReauthenticateWebAuthnForm(
    ReadableCredentialMixin, webauthn_forms.ReauthenticateWebAuthnForm
):
    """allauth's "confirm it is you" with a security key, safe from a hand-made answer."""

    response_class = AuthenticationResponse
