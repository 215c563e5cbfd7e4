"""A researcher's own profile."""

from allauth.account import forms as allauth_forms
from django import forms

from accounts.models import User


class ProfileForm(forms.ModelForm):
    """Display name, affiliation, website and a short bio."""

    website = forms.URLField(
        required=False,
        max_length=300,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://"}),
        help_text="Your homepage or a profile elsewhere.",
    )

    class Meta:
        model = User
        fields = ["display_name", "affiliation", "website", "bio"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        }

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form, with a label that says what to type."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"
