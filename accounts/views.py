from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from courses.models import CalendarFeed, new_calendar_token
from courses.selectors import cohorts_of
from courses.services import may_create_cohorts

from .forms import ProfileForm, SignUpForm, ThrottledPasswordResetForm
from .services import (
    signup_duplicate_email_notify,
    throttled_request_admit,
    user_token_get,
    user_token_regenerate,
)
from .throttling import client_address, try_later_response


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    if request.method == "POST":
        retry_at = throttled_request_admit(
            action="signup", key=client_address(request), rate=settings.SIGNUP_RATE
        )
        if retry_at:
            return try_later_response(request, retry_at=retry_at, what="signup")
    form = SignUpForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        user = form.save()
        signup_duplicate_email_notify(
            new_user=user,
            login_url=request.build_absolute_uri(reverse("login")),
            reset_url=request.build_absolute_uri(reverse("password_reset")),
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to Descent, {user.get_username()}.")
        safe = url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(next_url if next_url and safe else "courses:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per client address (each one may send an e-mail)."""

    form_class = ThrottledPasswordResetForm

    def post(self, request, *args, **kwargs):
        retry_at = throttled_request_admit(
            action="password-reset", key=client_address(request), rate=settings.PASSWORD_RESET_RATE
        )
        if retry_at:
            return try_later_response(request, retry_at=retry_at, what="password_reset")
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set from the e-mailed link also lifts the account's log-in lockout:
    whoever reads the account's inbox is its owner, and should not wait out a lock that
    someone else's guesses caused."""

    def form_valid(self, form):
        axes_reset(username=form.user.get_username())
        return super().form_valid(form)


# The page shows the API token: no copy of it may stay in a browser's or proxy's cache.
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    # The calendar feed's secret address is made the first time the page is seen.
    feed, _ = CalendarFeed.objects.get_or_create(user=request.user)
    feed_url = request.build_absolute_uri(reverse("courses:calendar", args=[feed.token]))
    context = {
        "form": form,
        "memberships": cohorts_of(user=request.user),
        "token": user_token_get(user=request.user),
        "may_create_cohorts": may_create_cohorts(request.user),
        "calendar_url": feed_url,
        # The same address for calendar apps that subscribe from a link.
        "calendar_subscribe_url": "webcal://" + feed_url.split("://", 1)[1],
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_regenerate(request):
    user_token_regenerate(user=request.user)
    messages.success(request, "New API token made. The old one no longer works.")
    return redirect("accounts:profile")


@login_required
@require_POST
def calendar_reset(request):
    """A new secret address for the calendar feed; the old one is a 404 at once (a link
    shared by mistake, or a calendar app that should stop seeing the dates)."""
    CalendarFeed.objects.update_or_create(
        user=request.user, defaults={"token": new_calendar_token()}
    )
    messages.success(
        request,
        "New calendar link made. The old link no longer works: subscribe again with this one.",
    )
    return redirect(reverse("accounts:profile") + "#calendar-heading")
