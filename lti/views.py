"""/lti/: the tool's end of LTI 1.3 — the platform's OIDC login, the launch, the public
keys, and the page where an instructor picks the course for a new LMS course."""

import logging
from urllib.parse import urlencode, urlsplit

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
from pylti1p3.contrib.django import (
    DjangoCacheDataStorage,
    DjangoMessageLaunch,
    DjangoOIDCLogin,
)
from pylti1p3.exception import LtiException, OIDCException

from courses.models import Course

from . import deep_linking, services
from .config import DescentToolConfig, message_launch
from .framing import FRAME_KEY, allow_framing, ancestors_for

log = logging.getLogger("descent.lti")

# The session remembers the LMS course an instructor is setting up between the launch and
# the course picker.
PENDING_KEY = "lti_pending_context"
# A deep-linking request waiting for the instructor's choice: its launch id.
DEEP_LINK_KEY = "lti_deep_link"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
USER_BACKEND = "django.contrib.auth.backends.ModelBackend"
# The OIDC login's parameters, kept for the new-tab fallback, and the mark of that tab.
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id",
                "lti_deployment_id")  # fmt: skip
NEW_WINDOW = "new_window"

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


def refused(request, reason: str, status: int = 400, *, registration: bool = False) -> HttpResponse:
    """The page of a refused launch (or, with ``registration``, a refused registration):
    the reason, and that nothing changed."""
    context = {"reason": reason, "registration": registration}
    return render(request, "lti/refused.html", context, status=status)


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
        tool_conf = DescentToolConfig(registration_uuid)
        oidc = DjangoOIDCLogin(request, tool_conf, launch_data_storage=DjangoCacheDataStorage())
        try:
            going = (
                oidc.disable_check_cookies()
                .get_redirect_object(request.build_absolute_uri(reverse("lti:launch")))
                .do_redirect()
            )
        except (OIDCException, LtiException) as exc:
            text = str(exc)
            if text.startswith("Could not find registration"):
                return refused(request, "This LMS is not registered with Descent.", 403)
            return refused(request, f"The LMS's login request is incomplete: {text[:200]}")
        framed = request.headers.get("Sec-Fetch-Dest") == "iframe"
        if not framed or params.get(NEW_WINDOW):
            return going
        # In the LMS's frame: see whether this browser keeps our cookies there before
        # going on; if not, offer the same login in a new tab.
        kept = {key: params[key] for key in LOGIN_PARAMS if params.get(key)}
        new_tab = (
            request.build_absolute_uri(request.path) + "?" + urlencode({**kept, NEW_WINDOW: "1"})
        )
        page = render(
            request, "lti/cookie_check.html", {"next": going["Location"], "new_tab": new_tab}
        )
        page.cookies = going.cookies  # the state cookie the launch will look for
        return allow_framing(page, ancestors_for(tool_conf.registration))


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
        # This session's pages may show in the LMS's frame (lti/framing.py).
        request.session[FRAME_KEY] = ancestors_for(launch.registration)
        if landing.deep_link:
            request.session[DEEP_LINK_KEY] = landing.deep_link
        if landing.context is not None:
            request.session[PENDING_KEY] = landing.context.pk
            return redirect("lti:setup")
        if landing.deep_link:
            return redirect("lti:deep_link")
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
        if request.session.get(DEEP_LINK_KEY):
            return redirect("lti:deep_link")  # the LMS is waiting for the items
        return redirect("teaching:cohort", cohort_uuid=cohort.uuid)
    return render(request, "lti/setup.html", {"form": form, "context": context})


class ItemChoice(forms.Form):
    items = forms.MultipleChoiceField(label="Items", choices=[])

    def __init__(self, *args, modules, **kwargs):
        super().__init__(*args, **kwargs)
        keys = [(module.key, module.lesson.title) for module in modules]
        keys += [(item.key, item.title) for module in modules for item in module.items]
        self.fields["items"].choices = keys


@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def deep_link(request):
    """The instructor picks what to add to the LMS; the answer goes back signed."""
    launch_id = request.session.get(DEEP_LINK_KEY)
    if not request.user.is_authenticated or not launch_id:
        raise PermissionDenied("Add Descent items from your LMS's tool dialog.")
    try:
        message = DjangoMessageLaunch.from_cache(
            launch_id, request, DescentToolConfig(), launch_data_storage=DjangoCacheDataStorage()
        )
    except LtiException:
        return refused(
            request, "This request from your LMS has expired: open the tool dialog again."
        )
    launch = LtiLaunch(message)
    cohort = services.cohort_of(launch.context)
    if cohort is None:
        request.session[PENDING_KEY] = launch.context.pk
        return redirect("lti:setup")
    if not cohort.can_manage(request.user):
        raise PermissionDenied("Only instructors of the course add Descent items to it.")
    settings = launch.get_claim(DL_SETTINGS) or {}
    course_modules = deep_linking.modules(cohort)
    form = ItemChoice(request.POST or None, modules=course_modules)
    if request.method == "POST" and form.is_valid():
        items = deep_linking.chosen(cohort, form.cleaned_data["items"])
        if len(items) > 1 and settings.get("accept_multiple") is False:
            form.add_error("items", "This LMS takes one item at a time: pick one.")
        else:
            answer = message.get_deep_link().get_response_jwt(
                deep_linking.resources(items, request.build_absolute_uri)
            )
            request.session.pop(DEEP_LINK_KEY, None)
            back = settings["deep_link_return_url"]
            response = render(
                request, "lti/deep_link_return.html", {"back": back, "jwt": answer, "items": items}
            )
            # The form goes to the LMS, which the policy's form-action would refuse.
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(back))
            response._csp_update = {"form-action": [origin]}
            return response
    return render(
        request,
        "lti/deep_link.html",
        {"form": form, "modules": course_modules, "cohort": cohort,
         "multiple": settings.get("accept_multiple") is not False},
    )  # fmt: skip
