"""How pylti1p3 finds a registration and a deployment: django-lti's lookups, except that
an unknown deployment is refused rather than created (django-lti makes an inactive row
for an admin to switch on; a forged launch must write nothing), and the platform's keys
are fetched with a timeout."""

import requests
from lti_tool.models import LtiDeployment
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch
from pylti1p3.deployment import Deployment

# A platform's JWKS that does not answer within this fails the launch, not the worker.
KEYSET_TIMEOUT_S = 5


class DescentToolConfig(DjangoToolConfig):
    def _deployment(self, **lookups):
        self.deployment = LtiDeployment.objects.filter(**lookups).first()
        if self.deployment is None:
            return None
        return Deployment().set_deployment_id(self.deployment.deployment_id)

    def find_deployment(self, iss, deployment_id):
        return self._deployment(
            registration__uuid=self.registration_uuid,
            registration__issuer=iss,
            registration__is_active=True,
            deployment_id=deployment_id,
        )

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        lookups = {
            "registration__issuer": iss,
            "registration__client_id": client_id,
            "registration__is_active": True,
            "deployment_id": deployment_id,
        }
        if self.registration_uuid is not None:
            lookups["registration__uuid"] = self.registration_uuid
        return self._deployment(**lookups)


class BoundedSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", KEYSET_TIMEOUT_S)
        return super().request(*args, **kwargs)


def message_launch(request) -> DjangoMessageLaunch:
    """The launch posted in ``request``, not validated yet."""
    return DjangoMessageLaunch(
        request,
        DescentToolConfig(),
        launch_data_storage=DjangoCacheDataStorage(),
        requests_session=BoundedSession(),
    )
