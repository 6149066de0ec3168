from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm

from .services import email_digest, throttled_request_admit


class SignUpForm(UserCreationForm):
    """Username, e-mail and a password checked by AUTH_PASSWORD_VALIDATORS.

    An e-mail already used by another account is accepted like any other: refusing it
    would answer, for anyone who asks, whether that address has an account here. Its
    owner is told by e-mail instead (services.signup_duplicate_email_notify). A taken
    username is still refused by name: it is the name the person will log in with, so
    they have to choose another, and usernames are no secret (cohort instructors see
    them); the per-address sign-up limit keeps anyone from listing them in bulk."""

    email = forms.EmailField(
        required=True, help_text="For resetting your password; never shown to others."
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        return self.cleaned_data["email"].strip()


class ProfileForm(forms.ModelForm):
    """Display name and e-mail. Changing the e-mail asks for the password again: the
    e-mail is where password resets go, so whoever changes it owns the account, and a
    borrowed or stolen session must not be enough for that."""

    password = forms.CharField(
        label="Your password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Needed only to change your e-mail.",
    )

    class Meta:
        model = get_user_model()
        fields = ("first_name", "email")
        labels = {"first_name": "Display name"}
        help_texts = {"first_name": "Shown to your cohort's instructors instead of your username."}

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["email"].required = True

    def clean_email(self):
        # Not checked against other accounts, for the same reason as at sign-up.
        return self.cleaned_data["email"].strip()

    def clean(self):
        cleaned = super().clean()
        if "email" in self.changed_data and "email" not in self._errors:
            # Through authenticate(), so wrong guesses here count towards the log-in
            # lockout like any other: the form is no side door for guessing.
            user = authenticate(
                self.request,
                username=self.instance.get_username(),
                password=cleaned.get("password") or "",
            )
            if user is None or user.pk != self.instance.pk:
                self.add_error(
                    "password",
                    "That is not your password. Your e-mail was not changed; "
                    "give your current password to change it.",
                )
        return cleaned


class ThrottledPasswordResetForm(PasswordResetForm):
    """Sends at most three reset e-mails an hour to one inbox, and beyond that nothing
    (the page says the same either way): the per-address limit alone would let someone
    flood a stranger's inbox from many addresses."""

    inbox_rate = (3, 3600)

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):  # fmt: skip
        if throttled_request_admit(
            action="reset-inbox", key=email_digest(to_email), rate=self.inbox_rate
        ):
            return
        super().send_mail(subject_template_name, email_template_name, context, from_email,
                          to_email, html_email_template_name)  # fmt: skip
