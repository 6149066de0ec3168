"""Every error page is in the site's style: 403 and 404 inside the usual layout, 500 a
page of its own that needs no request context (it may stand in for a broken one)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path


def _boom(request):
    raise RuntimeError("a fault of ours")


def _denied(request):
    raise PermissionDenied("Not for you.")


urlpatterns = [
    path("boom/", _boom),
    path("denied/", _denied),
    path("", include("config.urls")),
]


@pytest.fixture
def site(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_a_server_error_gets_a_styled_page_that_blames_us(site):
    response = site.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "css/descent.css" in page
    assert "favicon.svg" in page
    assert "a fault of ours" not in page


@pytest.mark.django_db
def test_forbidden_and_missing_pages_use_the_site_layout(site):
    denied = site.get("/denied/")
    assert denied.status_code == 403
    assert 'class="site-header"' in denied.content.decode()
    missing = site.get("/no/such/page/")
    assert missing.status_code == 404
    assert "There is no such page" in missing.content.decode()
    assert 'rel="icon"' in missing.content.decode()
