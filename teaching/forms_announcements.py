"""The announcement form on a cohort's announcements page."""

from django import forms

from courses.models import ANNOUNCEMENT_BODY_MAX_CHARS, ANNOUNCEMENT_TITLE_MAX_CHARS


class AnnouncementForm(forms.Form):
    title = forms.CharField(label="Title", max_length=ANNOUNCEMENT_TITLE_MAX_CHARS)
    body = forms.CharField(
        label="Message",
        max_length=ANNOUNCEMENT_BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown: **bold**, lists, links, code and $math$ work as in lessons.",
    )
    email = forms.BooleanField(
        label="Also e-mail it to the students",
        required=False,
        help_text="Sent in the background to every current student with an address.",
    )


class AnnouncementActionForm(forms.Form):
    announcement = forms.UUIDField(widget=forms.HiddenInput)
