"""deploy/kubernetes/ checked offline: no cluster runs here, so every manifest is validated
against the API schema of a pinned Kubernetes version (kubernetes_validate, strict: an
unknown or misspelt field fails), the CRDs we use (KEDA) and the kustomization against
small schemas of our own, and then against the code: the commands docker-compose.yml
runs, the queues the tasks are routed to, the variables config/settings.py reads, the
sandbox's needs and the web's health check."""

import copy
import json
import re
import secrets
import shlex
import shutil
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.helpers import ROOT, clean_env, run_python

MANIFESTS = ROOT / "deploy" / "kubernetes"
# The oldest release in which both pod user namespaces (UserNamespacesSupport) and
# procMount (ProcMountType) are on by default: docs/kubernetes.md, "Prerequisites".
KUBERNETES_VERSION = "1.33.0"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
SECCOMP_PROFILE = ROOT / "deploy" / "seccomp-worker.json"
# Not applied by `kubectl apply -k`: a template, an opt-in, an alternative.
OPTIONAL = {"secret.template.yaml", "networkpolicy.yaml", "keda-scaledobject.yaml"}
PLACEHOLDER = "REPLACE_ME"
SANDBOXED = ("descent-worker", "descent-background", "descent-migrate")
UNSANDBOXED = ("descent-web", "descent-outbound", "descent-beat")


def load_documents() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                found.append((path.name, document))
    return found


DOCUMENTS = load_documents()


def of_kind(kind: str) -> list[dict]:
    return [doc for _, doc in DOCUMENTS if doc["kind"] == kind]


def named(kind: str, name: str) -> dict:
    matches = [doc for doc in of_kind(kind) if doc["metadata"]["name"] == name]
    assert len(matches) == 1, (kind, name, len(matches))
    return matches[0]


def workloads() -> dict[str, dict]:
    """Deployments and the Job by name."""
    return {doc["metadata"]["name"]: doc for doc in of_kind("Deployment") + of_kind("Job")}


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def main_container(workload: dict) -> dict:
    (container,) = pod_spec(workload)["containers"]
    return container


def every_container(spec: dict) -> list[dict]:
    return spec.get("initContainers", []) + spec["containers"]


CONFIG = named("ConfigMap", "descent-config")["data"]
SECRET_TEMPLATE = named("Secret", "descent-secrets")


# --- schemas for what the Kubernetes API does not define ------------------------------

_KEDA_TARGET = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "name": {"type": "string"},
        "envSourceContainerName": {"type": "string"},
    },
}
_KEDA_TRIGGER = {
    "type": "object",
    "required": ["type", "metadata"],
    "additionalProperties": False,
    "properties": {
        "type": {"type": "string"},
        "name": {"type": "string"},
        "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
        "useCachedMetrics": {"type": "boolean"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "authenticationRef": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "kind": {"enum": ["TriggerAuthentication", "ClusterTriggerAuthentication"]},
            },
        },
    },
}
# The redis trigger's own parameters (keda.sh/docs, "Redis Lists").
_REDIS_TRIGGER_METADATA = {
    "type": "object",
    "required": ["listName", "listLength"],
    "additionalProperties": False,
    "properties": {
        name: {"type": "string"}
        for name in (
            "address",
            "addressFromEnv",
            "host",
            "hostFromEnv",
            "port",
            "portFromEnv",
            "usernameFromEnv",
            "passwordFromEnv",
            "listName",
            "listLength",
            "activationListLength",
            "enableTLS",
            "unsafeSsl",
            "databaseIndex",
        )
    },
}


def _object(required: list[str], properties: dict) -> dict:
    return {
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": properties,
    }


_METADATA = _object(
    ["name", "namespace"],
    {
        "name": {"type": "string"},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    },
)
CRD_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): _object(
        ["apiVersion", "kind", "metadata", "spec"],
        {
            "apiVersion": {"const": "keda.sh/v1alpha1"},
            "kind": {"const": "ScaledObject"},
            "metadata": _METADATA,
            "spec": _object(
                ["scaleTargetRef", "triggers"],
                {
                    "scaleTargetRef": _KEDA_TARGET,
                    "pollingInterval": {"type": "integer", "minimum": 1},
                    "cooldownPeriod": {"type": "integer", "minimum": 0},
                    "minReplicaCount": {"type": "integer", "minimum": 0},
                    "maxReplicaCount": {"type": "integer", "minimum": 1},
                    "advanced": _object(
                        [],
                        {
                            "restoreToOriginalReplicaCount": {"type": "boolean"},
                            "horizontalPodAutoscalerConfig": _object(
                                [],
                                {"name": {"type": "string"}, "behavior": {"type": "object"}},
                            ),
                        },
                    ),
                    "triggers": {"type": "array", "minItems": 1, "items": _KEDA_TRIGGER},
                },
            ),
        },
    ),
    ("keda.sh/v1alpha1", "TriggerAuthentication"): _object(
        ["apiVersion", "kind", "metadata", "spec"],
        {
            "apiVersion": {"const": "keda.sh/v1alpha1"},
            "kind": {"const": "TriggerAuthentication"},
            "metadata": _METADATA,
            "spec": _object(
                ["secretTargetRef"],
                {
                    "secretTargetRef": {
                        "type": "array",
                        "minItems": 1,
                        "items": _object(
                            ["parameter", "name", "key"],
                            {
                                "parameter": {"type": "string"},
                                "name": {"type": "string"},
                                "key": {"type": "string"},
                            },
                        ),
                    }
                },
            ),
        },
    ),
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"): _object(
        ["apiVersion", "kind", "resources"],
        {
            "apiVersion": {"const": "kustomize.config.k8s.io/v1beta1"},
            "kind": {"const": "Kustomization"},
            "namespace": {"type": "string"},
            "resources": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
            "images": {
                "type": "array",
                "items": _object(
                    ["name"],
                    {
                        "name": {"type": "string"},
                        "newName": {"type": "string"},
                        "newTag": {"type": "string"},
                        "digest": {"type": "string"},
                    },
                ),
            },
        },
    ),
}


def validate(document: dict) -> None:
    """Raises when the document is not valid for KUBERNETES_VERSION (or our CRD schema)."""
    schema = CRD_SCHEMAS.get((document["apiVersion"], document["kind"]))
    if schema is None:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        return
    jsonschema.validate(document, schema)
    if document["kind"] == "ScaledObject":
        for trigger in document["spec"]["triggers"]:
            assert trigger["type"] == "redis", "only the redis trigger has a schema here"
            jsonschema.validate(trigger["metadata"], _REDIS_TRIGGER_METADATA)


# --- the documents are valid ------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [doc for _, doc in DOCUMENTS],
    ids=[
        f"{file}:{doc['kind']}/{doc.get('metadata', {}).get('name', '')}" for file, doc in DOCUMENTS
    ],
)
def test_every_document_is_valid_for_the_pinned_kubernetes_version(document):
    validate(document)


def test_the_strict_validator_refuses_a_misspelt_field():
    broken = copy.deepcopy(named("Deployment", "descent-worker"))
    container = main_container(broken)
    container["readinesProbe"] = container.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError, match="readinesProbe"):
        validate(broken)


def test_the_validator_refuses_a_value_of_the_wrong_type():
    broken = copy.deepcopy(named("Deployment", "descent-beat"))
    broken["spec"]["replicas"] = "one"
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(broken)


def test_our_crd_schema_refuses_a_misspelt_keda_field():
    broken = copy.deepcopy(named("ScaledObject", "descent-worker"))
    broken["spec"]["triggers"][0]["metadata"]["listname"] = "grading"
    with pytest.raises(jsonschema.ValidationError, match="listname"):
        validate(broken)


def test_an_unknown_kind_is_not_waved_through():
    unknown = {"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "x"}}
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        validate(unknown)


def test_the_kustomization_applies_every_manifest_but_the_optional_ones():
    (kustomization,) = of_kind("Kustomization")
    listed = set(kustomization["resources"])
    manifests = {path.name for path in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == manifests - OPTIONAL
    assert manifests >= OPTIONAL
    assert kustomization["namespace"] == "descent"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (for kustomize) is absent")
def test_kustomize_renders_valid_documents_with_one_image_in_one_namespace():
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(MANIFESTS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    documents = [doc for doc in yaml.safe_load_all(rendered) if doc]
    (kustomization,) = of_kind("Kustomization")
    (image,) = kustomization["images"]
    images = set()
    for document in documents:
        validate(document)
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == "descent", document["metadata"]
        if document["kind"] in ("Deployment", "Job"):
            images |= {c["image"] for c in every_container(pod_spec(document))}
    assert images == {f"{image['newName']}:{image['newTag']}"}
    assert "Secret" not in {document["kind"] for document in documents}


# --- the same programs as docker-compose.yml --------------------------------------------

COMPOSE_SERVICE = {
    "descent-web": "web",
    "descent-worker": "worker",
    "descent-background": "background",
    "descent-outbound": "outbound",
    "descent-beat": "beat",
    "descent-migrate": "migrate",
}


def test_every_workload_runs_the_command_its_compose_service_runs():
    assert set(workloads()) == set(COMPOSE_SERVICE)
    for name, workload in workloads().items():
        compose_command = shlex.split(COMPOSE[COMPOSE_SERVICE[name]]["command"])
        assert main_container(workload)["command"] == compose_command, name


def test_every_container_runs_the_one_image():
    for name, workload in workloads().items():
        for container in every_container(pod_spec(workload)):
            assert container["image"] == "descent", (name, container["name"])


def consumed_queues() -> dict[str, set[str]]:
    queues = {}
    for name, workload in workloads().items():
        words = main_container(workload)["command"]
        if "worker" in words and "--queues" in words:
            queues[name] = set(words[words.index("--queues") + 1].split(","))
    return queues


def test_every_worker_consumes_only_queues_the_code_uses():
    from django.conf import settings

    from grading.status import QUEUES

    known = set(QUEUES) | {r["queue"] for r in settings.CELERY_TASK_ROUTES.values()}
    assert "outbound" in known
    for name, queues in consumed_queues().items():
        assert queues <= known, (name, queues - known)


def test_every_queue_a_task_is_routed_to_has_a_consumer():
    from django.conf import settings

    routed = {r["queue"] for r in settings.CELERY_TASK_ROUTES.values()}
    routed.add(settings.CELERY_TASK_DEFAULT_QUEUE)
    consumed = set().union(*consumed_queues().values())
    assert routed <= consumed, routed - consumed


def test_beat_runs_exactly_one_replica_and_never_two_during_a_rollout():
    beat = named("Deployment", "descent-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert "beat" in main_container(beat)["command"]
    others = [w for n, w in workloads().items() if n != "descent-beat"]
    assert not any("beat" in main_container(w)["command"] for w in others)


def test_every_deployment_waits_for_the_migrations():
    for deployment in of_kind("Deployment"):
        init = pod_spec(deployment)["initContainers"]
        assert [c["command"] for c in init] == [["python", "manage.py", "migrate", "--check"]]


# --- resources, probes, health ----------------------------------------------------------


def test_every_container_has_cpu_and_memory_requests_and_limits():
    for name, workload in workloads().items():
        for container in every_container(pod_spec(workload)):
            resources = container["resources"]
            for kind in ("requests", "limits"):
                assert set(resources[kind]) == {"cpu", "memory"}, (name, container["name"])


def quantity(value: str) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if str(value).endswith(suffix):
            return float(str(value)[: -len(suffix)]) * factor
    return float(value)


def test_no_request_exceeds_its_limit():
    for name, workload in workloads().items():
        for container in every_container(pod_spec(workload)):
            requests, limits = container["resources"]["requests"], container["resources"]["limits"]
            for kind in ("cpu", "memory"):
                assert quantity(requests[kind]) <= quantity(limits[kind]), (name, kind)


def container_port(container: dict, port) -> int:
    if isinstance(port, int):
        return port
    (number,) = [p["containerPort"] for p in container["ports"] if p["name"] == port]
    return number


def test_web_probes_ask_healthz_on_the_service_port_with_a_host_django_allows():
    web = main_container(named("Deployment", "descent-web"))
    (service_port,) = named("Service", "descent-web")["spec"]["ports"]
    allowed = CONFIG["ALLOWED_HOSTS"].split(",")
    for probe in ("readinessProbe", "livenessProbe"):
        get = web[probe]["httpGet"]
        assert get["path"] == "/healthz", probe
        assert container_port(web, get["port"]) == container_port(web, service_port["targetPort"])
        (host,) = [h["value"] for h in get["httpHeaders"] if h["name"].lower() == "host"]
        assert host in allowed, probe


def test_the_probe_host_is_the_web_service_in_this_namespace():
    web = main_container(named("Deployment", "descent-web"))
    host = web["readinessProbe"]["httpGet"]["httpHeaders"][0]["value"]
    service = named("Service", "descent-web")["metadata"]
    assert host == f"{service['name']}.{service['namespace']}.svc"


def test_the_web_answers_its_probe_only_with_a_listed_host(client, settings):
    """Why the probes send a Host header: Django refuses the pod's IP, which is what the
    kubelet would send otherwise. /healthz is exempt from the HTTPS redirect."""
    settings.ALLOWED_HOSTS = CONFIG["ALLOWED_HOSTS"].split(",")
    settings.SECURE_SSL_REDIRECT = True
    settings.HEALTHZ_CHECKS = []
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 400
    assert client.get("/healthz", HTTP_HOST="descent-web.descent.svc:8000").status_code == 200


def test_prometheus_can_scrape_the_web_service_over_plain_http_inside_the_cluster(
    client, settings, db
):
    """Prometheus scrapes http://descent-web.descent.svc:8000/metrics with the bearer
    token (docs/kubernetes.md): no TLS inside the cluster, so /metrics, like /healthz,
    must answer instead of redirecting to an https:// address nothing listens on."""
    settings.ALLOWED_HOSTS = CONFIG["ALLOWED_HOSTS"].split(",")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.METRICS_TOKEN = "scrape-token"
    response = client.get(
        "/metrics",
        HTTP_HOST="descent-web.descent.svc:8000",
        HTTP_AUTHORIZATION="Bearer scrape-token",
    )
    assert response.status_code == 200, response.get("Location")
    assert b"descent_queue_depth" in response.content


def test_the_web_keeps_its_metrics_files_on_a_writable_volume():
    web = main_container(named("Deployment", "descent-web"))
    (directory,) = [e["value"] for e in web["env"] if e["name"] == "PROMETHEUS_MULTIPROC_DIR"]
    volumes = {v["name"]: v for v in pod_spec(named("Deployment", "descent-web"))["volumes"]}
    assert any(
        directory.startswith(m["mountPath"] + "/") and "emptyDir" in volumes[m["name"]]
        for m in web["volumeMounts"]
    )


def test_celery_workers_ping_their_own_node_and_the_graders_prove_the_sandbox_first():
    for name in consumed_queues():
        container = main_container(workloads()[name])
        words = container["command"]
        prefix = (
            words[words.index("--hostname") + 1].split("@")[0]
            if "--hostname" in words
            else "celery"
        )
        for probe in ("readinessProbe", "livenessProbe"):
            script = container[probe]["exec"]["command"][-1]
            assert "celery -A config inspect ping" in script, (name, probe)
            assert f'-d "{prefix}@${{HOSTNAME' in script, (name, probe)
        if name in SANDBOXED:
            assert container["startupProbe"]["exec"]["command"] == [
                "python",
                "-m",
                "sandbox",
                "selftest",
            ]


def test_disruption_budgets_cover_the_web_and_the_graders():
    for name in ("descent-web", "descent-worker"):
        budget = named("PodDisruptionBudget", name)
        labels = named("Deployment", name)["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert budget["spec"]["maxUnavailable"] == 1


# --- configuration and secrets ----------------------------------------------------------


APP_PACKAGES = ("config", "accounts", "authoring", "courses", "grading", "lti", "teaching")
READS = re.compile(
    r"(?:env_(?:str|int|bool|list|rate)\(|os\.environ\.get\(|os\.getenv\(|os\.environ\[)"
    r"\s*\"([A-Z][A-Z0-9_]*)\""
)


def variables_the_code_reads() -> set[str]:
    """Names read through config/env.py's helpers (config/settings.py) or os.environ by
    the code the containers run."""
    names = set()
    for package in APP_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            names |= set(READS.findall(path.read_text()))
    return names


def variables_the_manifests_set() -> set[str]:
    names = set(CONFIG) | set(SECRET_TEMPLATE["stringData"])
    for workload in workloads().values():
        for container in every_container(pod_spec(workload)):
            names |= {variable["name"] for variable in container.get("env", [])}
            for source in container.get("envFrom", []):
                reference = source.get("configMapRef") or source.get("secretRef")
                assert reference["name"] in ("descent-config", "descent-secrets")
    return names


def test_every_variable_the_manifests_set_is_one_the_settings_read():
    unread = variables_the_manifests_set() - variables_the_code_reads()
    assert not unread, f"set but never read by config/: {sorted(unread)}"


def test_the_secret_holds_the_secrets_and_the_config_map_none():
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "METRICS_TOKEN"} <= set(
        SECRET_TEMPLATE["stringData"]
    )
    secretive = re.compile(r"SECRET|PASSWORD|TOKEN|DATABASE_URL|REDIS_URL")
    assert not [name for name in CONFIG if secretive.search(name)]


def test_no_secret_carries_a_real_value():
    for _, document in DOCUMENTS:
        if document["kind"] == "Secret":
            assert "data" not in document
            for key, value in document["stringData"].items():
                assert value in (PLACEHOLDER, ""), key


def production_env(var_dir: Path, secret: dict[str, str]) -> dict[str, str]:
    """The container's environment: the ConfigMap and the Secret, as envFrom loads them.
    Only DESCENT_VAR_DIR is moved, since settings create it (/app/var exists only in the
    image)."""
    variables = {**CONFIG, **secret}
    variables.update(DESCENT_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="config.settings")
    return clean_env(**variables)


PRINT_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "debug": settings.DEBUG,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "healthz": settings.HEALTHZ_CHECKS,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "host": settings.DATABASES["default"]["HOST"],
    "broker": settings.CELERY_BROKER_URL,
    "authoring": str(settings.AUTHORING_DIR),
}))
"""


def test_the_unfilled_secret_template_stops_the_app_at_start(tmp_path):
    done = run_python(
        PRINT_SETTINGS, production_env(tmp_path, SECRET_TEMPLATE["stringData"]), timeout=120
    )
    assert done.returncode != 0
    assert "DATABASE_URL scheme '' is not supported" in done.stderr


def test_the_config_map_and_a_filled_secret_start_the_app_in_production_mode(tmp_path):
    secret = {
        **SECRET_TEMPLATE["stringData"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://descent:pw@postgresql:5432/descent",
        "REDIS_URL": "redis://:pw@broker:6379/0",
        "METRICS_TOKEN": secrets.token_urlsafe(32),
    }
    done = run_python(PRINT_SETTINGS, production_env(tmp_path, secret), timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout)
    assert loaded["debug"] is False
    assert loaded["allowed_hosts"] == CONFIG["ALLOWED_HOSTS"].split(",")
    assert loaded["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert loaded["healthz"] == ["database", "broker"]
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["host"] == "postgresql"
    assert loaded["broker"] == "redis://:pw@broker:6379/0"
    assert loaded["authoring"] == CONFIG["AUTHORING_DIR"]


def test_static_files_are_looked_for_where_the_image_collected_them():
    """STATIC_ROOT is DESCENT_VAR_DIR/static: at run time it must name the directory the
    Dockerfile's collectstatic wrote, or every page using {% static %} fails."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    (build_var_dir,) = re.findall(
        r"DESCENT_VAR_DIR=(\S+)\s+\\?\s*python manage.py collectstatic", dockerfile
    )
    assert CONFIG["DESCENT_VAR_DIR"] == build_var_dir


def test_the_database_and_the_broker_are_outside_the_cluster():
    assert not of_kind("StatefulSet")
    names = {"postgresql", "broker"}
    for name in names:
        assert named("Service", name)["spec"]["type"] == "ExternalName"
    secret_comments = (MANIFESTS / "secret.template.yaml").read_text()
    assert "@postgresql:5432/" in secret_comments
    assert "@broker:6379/" in secret_comments


def test_the_ingress_serves_the_first_allowed_host_through_the_web_service():
    (ingress,) = of_kind("Ingress")
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == CONFIG["ALLOWED_HOSTS"].split(",")[0]
    assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]
    (service_port,) = named("Service", backend["name"])["spec"]["ports"]
    assert backend["port"] == {"name": service_port["name"]}
    assert CONFIG["BEHIND_TLS_PROXY"] == "1"


def test_every_service_selects_pods_that_exist():
    for service in of_kind("Service"):
        selector = service["spec"].get("selector")
        if service["spec"].get("type") == "ExternalName":
            assert selector is None
            continue
        matching = [
            w
            for w in of_kind("Deployment")
            if selector.items() <= w["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(matching) == 1, service["metadata"]["name"]


# --- privileges and the sandbox ---------------------------------------------------------


def dockerfile_uid() -> int:
    users = [
        line.split()[1]
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("USER ")
    ]
    return int(users[-1].split(":")[0])


def test_no_container_is_privileged_or_can_gain_a_privilege():
    for name, workload in workloads().items():
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == dockerfile_uid(), name
        assert spec["automountServiceAccountToken"] is False, name
        for container in every_container(spec):
            context = container["securityContext"]
            assert context.get("privileged", False) is False, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name


def test_the_grading_pods_get_exactly_what_the_sandbox_needs():
    profile = json.loads(SECCOMP_PROFILE.read_text())
    for name in SANDBOXED:
        spec = pod_spec(workloads()[name])
        assert spec["hostUsers"] is False, name
        assert spec["securityContext"]["seccompProfile"] == {
            "type": "Localhost",
            "localhostProfile": f"descent/{SECCOMP_PROFILE.name}",
        }, name
        assert profile["architectures"] == ["SCMP_ARCH_X86_64"]
        assert spec["nodeSelector"] == {"kubernetes.io/arch": "amd64"}, name
        context = main_container(workloads()[name])["securityContext"]
        assert context["procMount"] == "Unmasked", name
        assert context["appArmorProfile"] == {"type": "Unconfined"}, name
        mounts = {
            m["mountPath"]: m["name"] for m in main_container(workloads()[name])["volumeMounts"]
        }
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert volumes[mounts["/tmp"]]["emptyDir"]["medium"] == "Memory", name


def test_the_other_pods_keep_the_runtimes_default_confinement():
    for name in UNSANDBOXED:
        spec = pod_spec(workloads()[name])
        assert spec.get("hostUsers", True) is True, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for container in every_container(spec):
            assert "procMount" not in container["securityContext"], name
            assert "appArmorProfile" not in container["securityContext"], name


def test_an_unmasked_proc_comes_only_with_a_user_namespace():
    """The API server refuses procMount Unmasked unless hostUsers is false; the schema
    cannot say so, so this does."""
    for name, workload in workloads().items():
        spec = pod_spec(workload)
        for container in every_container(spec):
            if container["securityContext"].get("procMount") == "Unmasked":
                assert spec.get("hostUsers") is False, name


def test_the_authoring_volume_is_shared_as_in_compose():
    (claim,) = of_kind("PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    expected = {
        "descent-web": False,
        "descent-background": False,
        "descent-migrate": False,
        "descent-worker": True,
    }
    for name, workload in workloads().items():
        spec = pod_spec(workload)
        claims = {
            v["name"]: v["persistentVolumeClaim"]
            for v in spec.get("volumes", [])
            if "persistentVolumeClaim" in v
        }
        mounts = [m for m in main_container(workload)["volumeMounts"] if m["name"] in claims]
        if name not in expected:
            assert not mounts, name
            continue
        (mount,) = mounts
        assert mount["mountPath"] == CONFIG["AUTHORING_DIR"], name
        assert claims[mount["name"]]["claimName"] == claim["metadata"]["name"], name
        assert mount.get("readOnly", False) is expected[name], name


# --- autoscaling and network ------------------------------------------------------------


def test_the_worker_autoscaler_follows_the_grading_queue_depth():
    (hpa,) = of_kind("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = named("Deployment", hpa["spec"]["scaleTargetRef"]["name"])
    (metric,) = hpa["spec"]["metrics"]
    assert metric["type"] == "External"
    assert metric["external"]["metric"]["name"] == "descent_queue_depth"
    queue = metric["external"]["metric"]["selector"]["matchLabels"]["queue"]
    assert queue == "grading"
    assert queue in consumed_queues()[target["metadata"]["name"]]
    # The autoscaler owns the count; a replicas field would reset it on every apply.
    assert "replicas" not in target["spec"]
    budget = named("PodDisruptionBudget", target["metadata"]["name"])
    assert hpa["spec"]["minReplicas"] > budget["spec"]["maxUnavailable"]


def test_the_keda_alternative_scales_the_same_workers_on_the_same_list():
    (scaled,) = of_kind("ScaledObject")
    (hpa,) = of_kind("HorizontalPodAutoscaler")
    assert scaled["spec"]["scaleTargetRef"]["name"] == hpa["spec"]["scaleTargetRef"]["name"]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["metadata"]["listName"] in consumed_queues()["descent-worker"]
    host, port = trigger["metadata"]["address"].rsplit(":", 1)
    broker = named("Service", host.split(".")[0])
    assert host == f"broker.{broker['metadata']['namespace']}.svc.cluster.local"
    assert int(port) == broker["spec"]["ports"][0]["port"]
    named("TriggerAuthentication", trigger["authenticationRef"]["name"])
    assert scaled["spec"]["minReplicaCount"] == hpa["spec"]["minReplicas"]


def test_the_graders_may_reach_only_the_database_the_broker_and_dns():
    policy = named("NetworkPolicy", "descent-worker")
    worker_labels = named("Deployment", "descent-worker")["spec"]["template"]["metadata"]["labels"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= worker_labels.items()
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in policy["spec"]
    ports = {p["port"] for rule in policy["spec"]["egress"] for p in rule["ports"]}
    service_ports = {
        named("Service", name)["spec"]["ports"][0]["port"] for name in ("postgresql", "broker")
    }
    assert ports == service_ports | {53}
