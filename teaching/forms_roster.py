"""The roster page's forms: the invitation list or file, and the one-member actions."""

from django import forms
from django.utils.html import escape

from courses.models import Membership
from courses.roster import MAX_ADDRESSES, MAX_CSV_BYTES

INVITE_ROLES = [
    (Membership.Role.STUDENT, "Students"),
    (Membership.Role.ASSISTANT, "Teaching assistants"),
]


class InviteForm(forms.Form):
    addresses = forms.CharField(
        label="E-mail addresses",
        required=False,
        # A pasted list is no larger than the largest file accepted.
        max_length=MAX_CSV_BYTES,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        # Help texts are rendered as HTML: the example address must be escaped.
        help_text=escape(
            "Separated by commas, semicolons, spaces or new lines; "
            "“Ada Lovelace <ada@example.org>” works too."
        ),
    )
    csv_file = forms.FileField(
        label="Or a CSV file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=(
            "A column named “email” (else the first column of addresses); UTF-8; "
            f"up to 1 MiB and {MAX_ADDRESSES:,} rows."
        ),
    )
    role = forms.ChoiceField(
        label="Invite them as",
        choices=INVITE_ROLES,
        initial=Membership.Role.STUDENT,
        widget=forms.RadioSelect,
        help_text=(
            "Assistants see the dashboards, comment and grant extensions. They always get "
            "a link to accept, even with an account here."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("addresses") or "").strip() and not cleaned.get("csv_file"):
            raise forms.ValidationError("Paste some e-mail addresses or choose a CSV file.")
        return cleaned

    def csv_data(self) -> bytes | None:
        """The file's bytes, at most one past the limit: enough for the service to refuse
        a larger file without the whole of it in memory."""
        upload = self.cleaned_data.get("csv_file")
        if not upload:
            return None
        return upload.read(MAX_CSV_BYTES + 1)


class MemberForm(forms.Form):
    """Names a member by their user id (the id the cohort's student pages use)."""

    member = forms.IntegerField(min_value=1)


class RoleForm(MemberForm):
    role = forms.ChoiceField(choices=INVITE_ROLES)


class InvitationForm(forms.Form):
    invitation = forms.IntegerField(min_value=1)
