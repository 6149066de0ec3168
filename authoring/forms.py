"""The course source form. Credentials are write-only: the form never renders them back,
and leaving them blank on an edit keeps the stored ones."""

import re
from pathlib import PurePosixPath

from django import forms
from django.contrib.auth import get_user_model

from courses.services import may_create_cohorts

from .models import CourseSource
from .services import check_repo_url

BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")


class SourceForm(forms.ModelForm):
    token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="For an https:// repository that needs one: a personal or deploy token, "
        "or user:token. Stored, never shown again; leave blank to keep the current one.",
    )
    deploy_key = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text="For an ssh:// or git@ repository: the private half of a read/write deploy "
        "key. Stored, never shown again; leave blank to keep the current one.",
    )

    class Meta:
        model = CourseSource
        fields = ["name", "repo_url", "branch", "subdirectory", "token", "deploy_key"]
        labels = {"repo_url": "Repository", "subdirectory": "Folder of the course"}
        help_texts = {
            "repo_url": "https://…, ssh://…, git@host:group/repo.git, or a path on this server.",
            "subdirectory": "Leave blank when course.yaml is at the top of the repository.",
        }

    def clean_repo_url(self):
        try:
            return check_repo_url(self.cleaned_data["repo_url"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_branch(self):
        branch = self.cleaned_data["branch"].strip()
        if not BRANCH.fullmatch(branch) or ".." in branch or branch.endswith((".lock", "/")):
            raise forms.ValidationError("Not a branch name git accepts.")
        return branch

    def clean_subdirectory(self):
        folder = self.cleaned_data["subdirectory"].strip().strip("/")
        if not folder:
            return ""
        parts = PurePosixPath(folder).parts
        if any(part in ("..", ".") or part.startswith(".") for part in parts) or not re.fullmatch(
            r"[A-Za-z0-9_./-]+", folder
        ):
            raise forms.ValidationError("A folder inside the repository, like courses/intro.")
        return folder

    def clean_deploy_key(self):
        key = self.cleaned_data["deploy_key"].strip()
        if key and "PRIVATE KEY" not in key:
            raise forms.ValidationError("Paste the private key (it starts with -----BEGIN).")
        return key


class AuthorsForm(forms.Form):
    """Who may author the source: usernames of instructors, one or more."""

    authors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="Usernames, separated by commas or spaces. Authors may sync, preview, "
        "publish and edit this course; each must be an instructor.",
    )

    def clean_authors(self):
        names = [n for n in re.split(r"[\s,]+", self.cleaned_data["authors"]) if n]
        if not names:
            raise forms.ValidationError("A course needs at least one author.")
        if len(names) > 50:
            raise forms.ValidationError("At most 50 authors.")
        users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names)}
        unknown = [n for n in names if n not in users]
        if unknown:
            raise forms.ValidationError(f"No such user: {', '.join(unknown[:10])}.")
        refused = [n for n, u in users.items() if not may_create_cohorts(u)]
        if refused:
            raise forms.ValidationError(
                f"Not an instructor: {', '.join(refused[:10])} (staff can grant it)."
            )
        return list(users.values())
