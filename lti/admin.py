from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from lti_tool.admin import LtiRegistrationAdmin as ToolRegistrationAdmin
from lti_tool.models import LtiRegistration

from .models import CohortLink
from .models_registration import RegistrationInvite
from .registration import ToolUrls


@admin.register(CohortLink)
class CohortLinkAdmin(admin.ModelAdmin):
    list_display = ("context", "cohort", "created_by", "created_at")
    search_fields = ("context__title", "context__id_on_platform", "cohort__name")
    raw_id_fields = ("context", "cohort", "created_by")


def tool_urls_table(request, registration: LtiRegistration | None) -> str:
    """Descent's addresses for an LMS administrator to paste, absolute on the host this
    admin page was asked for."""
    urls = ToolUrls.of(request)
    if registration is not None and registration.pk:
        own_login = request.build_absolute_uri(reverse("lti:login_for", args=[registration.uuid]))
    else:
        own_login = "(shown once the registration is saved)"
    rows = [
        ("Login URL (OpenID Connect login initiation)", urls.login,
         "For an LMS that sends its client ID with the login (most do)."),
        ("Login URL of this registration only", own_login,
         "For an LMS that sends no client ID with the login: the registration is in the URL."),
        ("Launch URL (redirect URL, target link URI)", urls.launch, ""),
        ("Deep-linking URL", urls.launch,
         "The same launch URL: Descent answers deep-linking requests there too."),
        ("Public keyset URL (JWKS)", urls.jwks,
         "Descent's public keys, for the LMS to check what Descent signs."),
    ]  # fmt: skip
    body = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td><code>{}</code></td><td>{}</td></tr>',
        rows,
    )
    return format_html(
        "<p>What to enter in the LMS when registering Descent by hand.</p>"
        "<table><tbody>{}</tbody></table>",
        body,
    )


admin.site.unregister(LtiRegistration)


@admin.register(LtiRegistration)
class LtiRegistrationAdmin(ToolRegistrationAdmin):
    """django-lti's admin, with the tool's URLs to paste into the LMS."""

    def get_fieldsets(self, request, obj=None):
        # The block is a fieldset's description, not a read-only field: a field's method
        # gets only the object, and the absolute URLs need this request (the admin
        # instance is shared by every request, so it cannot keep one).
        described = {"fields": [], "description": tool_urls_table(request, obj)}
        urls = ("Tool's URLs for this LMS", described)
        main, *rest = super().get_fieldsets(request, obj)
        return [main, urls, *rest]


@admin.register(RegistrationInvite)
class RegistrationInviteAdmin(admin.ModelAdmin):
    """One-time links for LTI Dynamic Registration (lti/registration.py). The link is
    shown once, in the message after adding: only its hash is kept."""

    list_display = ("__str__", "state_shown", "created_by", "created_at", "expires_at",
                    "used_at", "registration")  # fmt: skip
    list_select_related = ("created_by", "registration")
    search_fields = ("note",)
    actions = ["expire_now"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("note", "expires_at")
        return ("note", "state_shown", "expires_at", "created_by", "created_at", "used_at",
                "registration")  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fixed = ("state_shown", "created_by", "created_at", "used_at", "registration")
        return fixed if obj.used_at is None else (*fixed, "expires_at")

    def lookup_allowed(self, lookup, value, request=None):
        # ?token_hash__startswith= would read the hash out letter by letter.
        if lookup.split("__")[0] == "token_hash":
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="state")
    def state_shown(self, obj):
        return obj.state().label

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj._new_token = obj.new_token()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        token = getattr(obj, "_new_token", None)
        if token:
            link = request.build_absolute_uri(reverse("lti:register", args=[token]))
            self.message_user(
                request,
                format_html(
                    "The registration link, shown only now: copy it and paste it into the "
                    "LMS's tool registration. It works once, until {}. <code>{}</code>",
                    timezone.localtime(obj.expires_at).strftime("%Y-%m-%d %H:%M %Z"),
                    link,
                ),
                messages.SUCCESS,
            )
        return response

    @admin.action(description="Expire the selected links now")
    def expire_now(self, request, queryset):
        count = queryset.filter(used_at__isnull=True).update(expires_at=timezone.now())
        self.message_user(request, f"{count} link(s) expired.", messages.SUCCESS)
