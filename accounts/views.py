from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from courses.selectors import cohorts_of
from courses.services import may_create_cohorts

from .forms import ProfileForm, SignUpForm
from .services import user_token_get, user_token_regenerate


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to Descent, {user.get_username()}.")
        safe = url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(next_url if next_url and safe else "courses:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    context = {
        "form": form,
        "memberships": cohorts_of(user=request.user),
        "token": user_token_get(user=request.user),
        "may_create_cohorts": may_create_cohorts(request.user),
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_regenerate(request):
    user_token_regenerate(user=request.user)
    messages.success(request, "New API token made. The old one no longer works.")
    return redirect("accounts:profile")
