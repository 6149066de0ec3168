"""/lti/: the tool's end of LTI 1.3 — the platform's OIDC login, the launch, the public
keys, and the page where an instructor picks the course for a new LMS course."""

import logging

from django import forms
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lti_tool.models import Key, LtiContext, LtiLaunch
from lti_tool.views import jwks as lti_jwks
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from courses.models import Course

from . import services
from .config import DescentToolConfig, message_launch

log = logging.getLogger("descent.lti")

# The session remembers the LMS course an instructor is setting up between the launch and
# the course picker.
PENDING_KEY = "lti_pending_context"
USER_BACKEND = "django.contrib.auth.backends.ModelBackend"

# What pylti1p3 says, in words for the person in front of the LMS.
REASONS = {
    "State not found": "The launch's state does not match this browser's (a launch "
    "started elsewhere, or cookies blocked in the LMS's frame).",
    "Missing state param": "The launch carries no state.",
    "Invalid Nonce": "The launch's nonce is not one this tool issued, or it has expired.",
    "Unable to find deployment": "This LMS deployment is not registered with Descent.",
    "Registration not found": "The launch is not for this tool: no registration here "
    "matches its issuer and audience.",
}


def refused(request, reason: str, status: int = 400) -> HttpResponse:
    return render(request, "lti/refused.html", {"reason": reason}, status=status)


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:300]
    if text.startswith("Can't decode id_token"):
        # PyJWT's words: the signature, the expiry, the audience...
        detail = text.partition(":")[2].strip() or "it cannot be read"
        return f"The launch's signed token was refused: {detail}."
    for known, words in REASONS.items():
        if text.startswith(known):
            return words
    return f"The launch failed a check: {text}"


def jwks(request):
    """The tool's public keys (every active lti_tool.Key), for platforms to verify."""
    return lti_jwks(request)


@method_decorator((csrf_exempt, xframe_options_exempt), name="dispatch")
class LoginView(View):
    """Third-party-initiated login: the platform names itself (iss, client_id) and the
    user (login_hint); the browser goes on to the platform's authorisation URL with a
    state (also set as a cookie) and a nonce."""

    def get(self, request, registration_uuid=None):
        return self._login(request, request.GET, registration_uuid)

    def post(self, request, registration_uuid=None):
        return self._login(request, request.POST, registration_uuid)

    def _login(self, request, params, registration_uuid):
        target = params.get("target_link_uri")
        if not target:
            return refused(request, "The LMS did not say which page to open (target_link_uri).")
        if not Key.objects.active().exists():
            return refused(
                request,
                "This Descent site has no LTI signing key yet: its administrator runs "
                "`manage.py rotate_keys` once.",
                503,
            )
        oidc = DjangoOIDCLogin(
            request,
            DescentToolConfig(registration_uuid),
            launch_data_storage=DjangoCacheDataStorage(),
        )
        try:
            return oidc.disable_check_cookies().redirect(
                request.build_absolute_uri(reverse("lti:launch"))
            )
        except (OIDCException, LtiException) as exc:
            text = str(exc)
            if text.startswith("Could not find registration"):
                return refused(request, "This LMS is not registered with Descent.", 403)
            return refused(request, f"The LMS's login request is incomplete: {text[:200]}")


@method_decorator((csrf_exempt, xframe_options_exempt), name="dispatch")
class LaunchView(View):
    """The platform posts the signed id_token here."""

    def post(self, request):
        try:
            launch = LtiLaunch(message_launch(request).validate())
        except (LtiException, OIDCException) as exc:
            log.warning("event=lti_launch_refused reason=%r", str(exc)[:300])
            status = 403 if str(exc).startswith("Unable to find deployment") else 400
            return refused(request, _reason(exc), status)
        try:
            landing = services.land(launch, host=request.get_host())
        except services.LaunchRefused as exc:
            return refused(request, str(exc), exc.status)
        login(request, landing.user, backend=USER_BACKEND)
        if landing.context is not None:
            request.session[PENDING_KEY] = landing.context.pk
            return redirect("lti:setup")
        if landing.waiting:
            return render(request, "lti/waiting.html", status=200)
        return redirect(landing.url)


class CourseChoice(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(is_preview=False).order_by("title"),
        to_field_name="slug",
        empty_label=None,
        label="Course on Descent",
    )


@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def setup(request):
    """An instructor's first launch from an LMS course: which Descent course it is."""
    pending = request.session.get(PENDING_KEY)
    if not request.user.is_authenticated or pending is None:
        raise PermissionDenied("Open Descent from your LMS to set up a course.")
    context = get_object_or_404(LtiContext, pk=pending)
    lti_user = request.user.lti_users.filter(registration=context.deployment.registration).first()
    if lti_user is None:
        raise PermissionDenied("Open Descent from your LMS to set up a course.")
    form = CourseChoice(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = services.link_context(
            context=context, course=form.cleaned_data["course"], instructor=request.user
        )
        request.session.pop(PENDING_KEY, None)
        return redirect("teaching:cohort", cohort_uuid=cohort.uuid)
    return render(request, "lti/setup.html", {"form": form, "context": context})
