"""Every URL of the URL configuration, requested as every role, against the expected answers in
tests/permission_matrix.py; state-changing views also receive a POST from every role, and a
role that must not act must leave the database as it was.

One world is built per module (in a transaction rolled back at the end); each test runs in a
savepoint of it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from tests import permission_matrix as matrix
from tests.permission_matrix import (
    ADMIN_MODELS,
    ADMIN_SITE,
    ADMIN_URL_KINDS,
    GET,
    MEDIA,
    PDF,
    POST,
    ROLES,
    XFAIL,
    Case,
    Upload,
    W,
    admin_page,
)

# --- the URL configuration -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the URL's name with its namespaces, or "namespace:[route]" when it has none
    name: str | None
    pieces: tuple


def url_routes() -> dict[str, Route]:
    """Every URL pattern of the project, walking the resolvers recursively."""
    found: dict[str, Route] = {}

    def walk(resolver: URLResolver, namespaces: tuple[str, ...], pieces: tuple) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                walk(pattern, inner, (*pieces, pattern.pattern))
                continue
            every = (*pieces, pattern.pattern)
            prefix = ":".join(namespaces)
            if pattern.name:
                name = f"{prefix}:{pattern.name}" if prefix else pattern.name
                key = name
            else:
                name = None
                route = "".join(str(piece) for piece in every)
                key = f"{prefix}:[{route}]" if prefix else f"[{route}]"
            found.setdefault(key, Route(key, name, every))

    walk(get_resolver(), (), ())
    return found


ROUTES = url_routes()


def _admin_model_urls() -> dict[str, tuple[str, str]]:
    """The URL keys of each registered ModelAdmin: {key: (model label, kind of page)}."""
    urls: dict[str, tuple[str, str]] = {}
    for model in admin.site._registry:
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        for kind in ADMIN_URL_KINDS:
            urls[f"admin:{prefix}_{kind}"] = (label, kind)
        route = f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"
        urls[f"admin:[{route}]"] = (label, "object")
    urls["admin:auth_user_password_change"] = ("accounts.user", "password_change")
    return urls


def admin_model_case(label: str, kind: str) -> Case:
    """The expectation of a model's admin page from its entry in ADMIN_MODELS."""
    policy = ADMIN_MODELS[label]
    needs = ADMIN_URL_KINDS[kind]
    if needs is None:
        return Case(admin_page("ok"), {"__admin__": (label, kind)})
    refused = policy.get("refused", ())
    administrator = "forbidden" if needs in refused else "ok"
    operator_may = policy["operator"] == "edit" and needs != "delete" and needs not in refused
    return Case(
        admin_page("ok" if operator_may else "forbidden", administrator),
        {"__admin__": (label, kind)},
    )


def _admin_cases() -> tuple[dict[str, Case], set[str]]:
    """The admin's cases, and the admin URLs that no entry classifies."""
    by_model = _admin_model_urls()
    cases: dict[str, Case] = {}
    unclassified: set[str] = set()
    for key in ROUTES:
        if not key.startswith("admin:") or key in ADMIN_SITE:
            continue
        if key in by_model and by_model[key][0] in ADMIN_MODELS:
            cases[key] = admin_model_case(*by_model[key])
        else:
            unclassified.add(key)
    return cases, unclassified


ADMIN_CASES, ADMIN_UNCLASSIFIED = _admin_cases()


def _route_key(case_key: str) -> str:
    """The URL of a case: ``"name [variant]"`` → ``"name"``."""
    return case_key if case_key in ROUTES else case_key.rsplit(" [", 1)[0]


GET_CASES: dict[str, Case] = {**GET, **ADMIN_SITE, **ADMIN_CASES}
WHERE = (
    "tests/permission_matrix.py: GET (the admin's own pages: ADMIN_SITE; a new ModelAdmin: "
    "ADMIN_MODELS; a new kind of page of a ModelAdmin: ADMIN_URL_KINDS)"
)


def test_every_url_has_an_entry():
    named = {_route_key(key) for key in GET_CASES}
    missing = sorted(set(ROUTES) - named - ADMIN_UNCLASSIFIED) + sorted(ADMIN_UNCLASSIFIED)
    assert not missing, (
        f"URLs without an expected outcome per role: {', '.join(missing)}. "
        f"Add an entry to {WHERE}, saying what each role must get."
    )


def test_every_entry_has_a_url():
    stale = sorted(key for key in GET_CASES if _route_key(key) not in ROUTES)
    stale += sorted(key for key in POST if _route_key(key) not in ROUTES)
    registered = {
        f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry
    }
    stale += sorted(f"ADMIN_MODELS[{label!r}]" for label in set(ADMIN_MODELS) - registered)
    assert not stale, f"Entries in tests/permission_matrix.py with no URL: {', '.join(stale)}"


def test_every_entry_names_every_role():
    for key, case in {**GET_CASES, **MEDIA, **POST}.items():
        assert set(case.expected) == set(ROLES), key
        assert set(case.expected.values()) <= {*matrix.OUTCOMES, None}, key
    for key, role in XFAIL:
        assert key in {**GET_CASES, **MEDIA, **POST} and role in ROLES, (key, role)


def test_no_rules_permission_is_named_like_a_model_permission():
    """A rules permission named like a model permission (``app.view_model``) answers the
    admin's question for that model: it opened read-only application pages in the admin to
    operators (``competitions.view_application``)."""
    import rules.permissions

    model_permissions = set()
    for model in apps.get_models():
        opts = model._meta
        model_permissions.update(
            f"{opts.app_label}.{action}_{opts.model_name}" for action in opts.default_permissions
        )
        model_permissions.update(f"{opts.app_label}.{codename}" for codename, _ in opts.permissions)
    clashes = sorted(set(rules.permissions.permissions) & model_permissions)
    assert not clashes, f"rules permissions named like model permissions: {clashes}"


# --- the world -------------------------------------------------------------------------------


def _build_world() -> SimpleNamespace:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_tasks_db.models import DBTaskResult, get_date_max

    from keyclusters.benchmarking import services as benchmarking
    from keyclusters.benchmarking.models import ClusterReport
    from keyclusters.competitions import services as competitions
    from keyclusters.competitions.models import Application, ApplicationDocument
    from keyclusters.evaluation import decisions
    from keyclusters.evaluation import services as evaluation
    from keyclusters.evaluation.models import Assignment, Expert, PanelSession, PanelSlot
    from keyclusters.registry.models import (
        Cluster,
        CooperationDeclaration,
        SmartSpecialisation,
    )
    from keyclusters.statuses import services as statuses
    from tests.benchmarking.conftest import SMALL_FRAMEWORK, make_edition
    from tests.evaluation.conftest import RULEBOOK
    from tests.factories import (
        ClusterFactory,
        MembershipFactory,
        OrganisationFactory,
        UserFactory,
    )

    w = SimpleNamespace()
    now = timezone.now()
    today = timezone.localdate()

    def cluster(name, coordinator=None):
        extra = {"coordinator": coordinator} if coordinator else {}
        made = ClusterFactory(
            name=name, founded_on=dt.date(2015, 1, 1), specialisation="ICT", **extra
        )
        members = [MembershipFactory(cluster=made, joined_on=dt.date(2019, 1, 1)) for _ in range(5)]
        return made, members

    w.cluster_a, members_a = cluster("Klaster A")
    w.member_a = members_a[0]
    w.cluster_b, _members = cluster("Klaster B")
    w.cluster_c, _members = cluster("Klaster C", coordinator=w.cluster_b.coordinator)
    w.cluster_content_type = ContentType.objects.get_for_model(Cluster)
    SmartSpecialisation.objects.get_or_create(code="KIS 1", defaults={"name": "Zdrowie"})

    def expert(name, role):
        user = UserFactory(username=name, first_name=name.title(), roles=[role])
        return Expert.objects.create(
            user=user, organisation=OrganisationFactory(), specialisations=["ICT"]
        )

    w.expert = expert("expert", "expert")
    w.expert_unassigned = expert("expert-unassigned", "expert")
    w.panel_expert = expert("panel", "panel-member")
    users = {
        "user": UserFactory(username="plain"),
        "coordinator": UserFactory(
            username="coordinator-a", roles=["coordinator"], organisation=w.cluster_a.coordinator
        ),
        "other_coordinator": UserFactory(
            username="coordinator-b", roles=["coordinator"], organisation=w.cluster_b.coordinator
        ),
        "expert": w.expert.user,
        "expert_unassigned": w.expert_unassigned.user,
        "panel_member": w.panel_expert.user,
        "operator": UserFactory(username="operator", roles=["operator"], is_staff=True),
        "decision_maker": UserFactory(username="minister", roles=["decision-maker"]),
        "funding_agency": UserFactory(username="agency", roles=["funding-agency"]),
        "analyst": UserFactory(username="analyst", roles=["analyst"]),
        "member_firm": UserFactory(
            username="member-firm",
            roles=["member-organisation"],
            organisation=w.member_a.organisation,
        ),
        "administrator": UserFactory(username="admin", is_staff=True, is_superuser=True),
    }
    w.users = users
    w.sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        w.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    operator = users["operator"]

    # Competitions: an open call with A's application at the merit stage (an expert and a
    # panel member assigned, no conflict declared) and B's submitted one; a draft call; a
    # closed call with a prepared recommendation list.
    w.rulebook = competitions.store_rulebook(source=RULEBOOK)

    def call(name, opens, closes, actions):
        made = competitions.create_call(
            name=name, rulebook=w.rulebook, opens_at=now + opens, closes_at=now + closes
        )
        for action in actions:
            made = competitions.change_call_state(call=made, action=action, by=operator)
        return made

    day = dt.timedelta(days=1)
    w.call = call("Runda otwarta", -10 * day, 30 * day, ["open"])
    w.draft_call = call("Runda robocza", 60 * day, 90 * day, [])
    w.closed_call = call("Runda zamknięta", -90 * day, -30 * day, ["open", "close"])
    decisions.prepare_recommendation(call=w.closed_call, by=operator)
    # a decided call (an empty list approved): its decision record and public results
    w.decided_call = call("Runda rozstrzygnięta", -120 * day, -100 * day, ["open", "close"])
    decisions.prepare_recommendation(call=w.decided_call, by=operator)
    decisions.approve_recommendation(
        call=w.decided_call, approved_on=dt.date(2026, 11, 2), by=users["decision_maker"]
    )
    w.decision_record = w.decided_call.decision_records.get()

    def submitted(cluster, coordinator):
        application = competitions.start_application(call=w.call, cluster=cluster, by=coordinator)
        competitions.save_application_data(
            application=application,
            values={},
            files={"strategy": ("Strategia.pdf", PDF)},
            by=coordinator,
        )
        competitions.submit_application(application=application, by=coordinator)
        return Application.objects.get(pk=application.pk)

    w.application_a = submitted(w.cluster_a, users["coordinator"])
    w.application_b = submitted(w.cluster_b, users["other_coordinator"])
    competitions.pass_formal(application=w.application_a, by=operator)
    w.application_document = ApplicationDocument.objects.get(application=w.application_a)
    w.assignment = evaluation.assign_expert(
        application=w.application_a, stage="merit", expert=w.expert, by=operator
    )
    evaluation.declare(assignment=w.assignment, conflict=False, note="", by=w.expert.user)
    # The panel member's assignment to the panel stage, ahead of it (only who reads what matters).
    w.panel_assignment = Assignment.objects.create(
        expert=w.panel_expert,
        application=w.application_a,
        stage="panel",
        state=Assignment.State.ACTIVE,
        no_conflict_declared_at=now,
    )

    # The Expert Panel: a session in a month, A's slot in it (the coordinator invited) with its
    # presentation.
    w.panel_session = PanelSession.objects.create(
        call=w.call, held_on=today + 30 * day, place="Warszawa"
    )
    w.panel_session.members.add(w.panel_expert)
    w.panel_slot = PanelSlot(
        session=w.panel_session,
        application=w.application_a,
        starts_at=now + 30 * day,
        minutes=20,
        place="Warszawa",
        invited_at=now,
        presentation_name="Prezentacja A.pdf",
        presentation_kind="pdf",
        presentation_size=len(PDF),
    )
    w.panel_slot.presentation.save("prezentacja.pdf", ContentFile(PDF), save=False)
    w.panel_slot.save()

    # Registry: A's cooperation declaration with its scan.
    w.declaration = CooperationDeclaration.objects.create(
        cluster=w.cluster_a, signed_on=dt.date(2020, 5, 4), place="Łódź", subject="Współpraca"
    )
    w.declaration.signatories.add(OrganisationFactory(kind="university"))
    w.declaration.document.save("deklaracja.pdf", ContentFile(PDF))

    # Registry: A's backdated membership whose evidence awaits review, another whose document
    # was rejected (a new one may follow), and a coordinator's change request of B's coordinator.
    from keyclusters.registry import services as registry
    from keyclusters.registry.models import MembershipEvidence, OrganisationChangeRequest
    from tests.factories import valid_nip

    def backdated(name):
        return registry.add_membership(
            cluster=w.cluster_a, organisation_data={"nip": valid_nip(), "name": name,
                                                    "kind": "enterprise"},
            role="member", joined_on=today - 400 * day, by=users["coordinator"],
            evidence=("deklaracja.pdf", PDF), evidence_kind="accession-declaration",
        )  # fmt: skip

    w.backdated_a = backdated("Dawny Członek")
    w.evidence = MembershipEvidence.objects.get(membership=w.backdated_a)
    w.rejected_a = backdated("Odrzucony Członek")
    registry.decide_evidence(
        evidence=MembershipEvidence.objects.get(membership=w.rejected_a), accept=False,
        reason="Nieczytelny", by=operator,
    )  # fmt: skip
    w.change_request = OrganisationChangeRequest.objects.create(
        organisation=w.cluster_b.coordinator, field="city", registry_value="",
        proposed_value="Kielce", source="form", cluster=w.cluster_a,
        proposed_by=users["coordinator"],
    )  # fmt: skip

    # Statuses: A holds the status (with its certificate); B's grant has no certificate yet.
    def grant(cluster):
        return statuses.grant_status(
            cluster=cluster,
            round_label="VII",
            decision_on=today - 60 * day,
            valid_from=today - 60 * day,
            valid_to=today + 900 * day,
            by=None,
        )

    w.grant = grant(w.cluster_a)
    w.grant_b = grant(w.cluster_b)
    w.certificate = statuses.status_certificate(grant=w.grant, by=operator)
    issued = statuses.issue_api_key(name="Weryfikacja", organisation="PARP", by=operator)
    w.api_key, w.api_key_secret = issued.api_key, issued.key
    w.spare_api_key = statuses.issue_api_key(name="Zapas", organisation="BGK", by=operator).api_key

    # The Council of Key Clusters: A's coordinator sits on it; a meeting held yesterday with
    # its minutes uploaded (not yet recorded).
    from keyclusters.council import services as council

    w.council_member = council.add_member(
        user=users["coordinator"], represents="coordinator", cluster=w.cluster_a,
        member_from=today - 30 * day, by=operator,
    )  # fmt: skip
    w.council_meeting = council.plan_meeting(
        held_on=today - day, place="Warszawa", agenda="Otwarcie", by=operator
    )
    w.council_minutes = council.add_document(
        meeting=w.council_meeting, title="Protokół",
        upload=SimpleUploadedFile("protokol.pdf", PDF), by=operator,
    )  # fmt: skip

    # Benchmarking: a published edition and an unpublished one, with stored report PDFs.
    w.framework = benchmarking.store_framework(source=SMALL_FRAMEWORK)
    w.edition = make_edition(w.framework, 2020, publish=True)
    w.draft_edition = make_edition(w.framework, 2022)

    def report(edition, cluster):
        made = ClusterReport.objects.create(edition=edition, cluster=cluster)
        made.pdf.save(f"raport-{edition.year}-{cluster.pk}.pdf", ContentFile(PDF), save=False)
        made.generated_at = timezone.now()
        made.save()
        return made

    w.cluster_report = report(w.edition, w.cluster_a)
    report(w.edition, w.cluster_b)
    w.draft_cluster_report = report(w.draft_edition, w.cluster_a)

    # Monitoring: A's yearly report on 2025 (a draft) and on 2024 (submitted, to review).
    from keyclusters.monitoring import services as monitoring
    from keyclusters.monitoring.models import YearlyReport

    monitoring_framework = monitoring.store_shipped_framework()

    def yearly_report(year, state):
        return YearlyReport.objects.create(
            cluster=w.cluster_a, year=year, framework=monitoring_framework, status_grant=w.grant,
            state=state, due_on=dt.date(year + 1, 3, 31), registry_values={"members_total": "6"},
            values={"employees_members": "10"}, members_minimum=51,
        )  # fmt: skip

    w.yearly_report = yearly_report(2025, "draft")
    w.submitted_report = yearly_report(2024, "submitted")

    # Member surveys: A's survey of this year, open for a month.
    from keyclusters.surveys.models import Survey

    w.survey = Survey.objects.create(
        cluster=w.cluster_a, year=today.year, framework=monitoring_framework,
        closes_on=today + 30 * day, opened_by=users["coordinator"],
    )  # fmt: skip
    w.report_document = monitoring.add_document(
        report=w.yearly_report, upload=SimpleUploadedFile("sprawozdanie.pdf", PDF),
        by=w.users["coordinator"],
    )  # fmt: skip
    w.yearly_report.reminders.create(
        kind="before", sent_on=dt.date(2026, 3, 17), recipients="koordynator@example.org"
    )

    # Rows for the admin pages of the libraries' models.
    access = {
        "username": "someone",
        "ip_address": "192.0.2.1",
        "user_agent": "test",
        "http_accept": "*/*",
        "path_info": "/accounts/login/",
    }
    AccessAttempt.objects.create(**access, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**access)
    AccessFailureLog.objects.create(**access)
    DBTaskResult.objects.create(
        task_path="keyclusters.benchmarking.tasks.generate_edition_reports",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),  # none
        exception_class_path="",
        traceback="",
    )
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from keyclusters.statuses import certificates

    media = tmp_path_factory.mktemp("media")
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # nobody logs in with a password
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with (
        override_settings(
            MEDIA_ROOT=str(media),
            PRIVATE_FILES_SERVER="django",
            TASKS=immediate,
            PASSWORD_HASHERS=fast,
            STORAGES={**settings.STORAGES, "staticfiles": static},
            LANGUAGE_CODE="pl",
            AXES_ENABLED=True,
        ),
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
    ):
        # The certificate's PDF is not what is tested here (WeasyPrint takes a second).
        patch.setattr(certificates, "certificate_pdf", lambda certificate, request=None: PDF)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _plain_static_storage():
    """Replaces the per-test settings of tests/conftest.py: the world's settings hold them for
    the module (a few thousand tests here)."""


@pytest.fixture(autouse=True)
def _defaults():
    """The same (tests/conftest.py): the world's settings."""


@pytest.fixture
def savepoint(world, db):
    """Each test in a savepoint of the world's transaction (pytest-django's), rolled back."""
    yield
    cache.clear()


CLIENTS: dict[str, Client] = {}


def _client(world: SimpleNamespace, role: str) -> Client:
    """One client per role for the module (its middleware loaded once), signed in with the
    session made in the world, without the cookies of earlier requests."""
    client = CLIENTS.setdefault(role, Client())
    client.cookies = SimpleCookie()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


# --- requests --------------------------------------------------------------------------------


def _value(world: SimpleNamespace, value: Any) -> Any:
    if isinstance(value, list):
        return [_value(world, item) for item in value]
    if not isinstance(value, W):
        return value
    found: Any = world
    for part in value.path.split("."):
        found = getattr(found, part)
    if isinstance(found, models.Model):
        return found.pk
    if isinstance(found, FieldFile):
        return found.name
    return found


def _admin_url(world: SimpleNamespace, key: str, label: str, kind: str) -> str:
    model = apps.get_model(label)
    if kind == "password_change":
        obj: Any = world.users["user"]
    else:
        obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the world has no {label} for {key}"
    route = ROUTES[key]
    if route.name is None:  # <object_id>/
        return _build(route, {"object_id": obj.pk})
    if kind == "simple_history":
        history = obj.history.order_by("history_id").first()
        return reverse(route.name, args=[obj.pk, history.history_id])
    if kind in ("change", "delete", "history", "import_members"):
        return reverse(route.name, kwargs={"object_id": obj.pk})
    if kind == "password_change":
        return reverse(route.name, kwargs={"id": obj.pk})
    return reverse(route.name)


def _build(route: Route, params: dict[str, Any]) -> str:
    """The URL of a pattern without a name."""
    path = ""
    for piece in route.pieces:
        text = str(piece)
        if isinstance(piece, RoutePattern):
            text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(params[m[1]]), text)
        else:
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(params[m[1]]), text)
            text = text.lstrip("^").rstrip("$").replace("\\", "")
        path += text
    return "/" + path


def _url(world: SimpleNamespace, key: str, case: Case) -> str:
    params = {name: _value(world, value) for name, value in case.params.items()}
    if "__admin__" in params:
        return _admin_url(world, key, *params["__admin__"])
    query = {name[1:]: value for name, value in params.items() if name.startswith("?")}
    kwargs = {name: value for name, value in params.items() if not name.startswith("?")}
    if key.startswith("media:"):
        return f"/{settings.MEDIA_URL.strip('/')}/{kwargs['name']}"
    route = ROUTES[_route_key(key)]
    path = _build(route, kwargs) if route.name is None else reverse(route.name, kwargs=kwargs)
    return f"{path}?{urlencode(query)}" if query else path


def _send(world: SimpleNamespace, client: Client, key: str, role: str, method: str, case: Case):
    extra = {}
    if key.startswith("api:") and role == "funding_agency":
        extra["headers"] = {"X-API-Key": world.api_key_secret}
    address = _url(world, key, case)
    if method == "get":
        response = client.get(address, **extra)
    elif key.startswith("api:"):
        body = {name: _value(world, value) for name, value in case.data.items()}
        response = client.post(address, json.dumps(body), content_type="application/json", **extra)
    else:
        data = {}
        for name, value in case.data.items():
            if isinstance(value, Upload):
                data[name] = SimpleUploadedFile(value.name, value.content)
            else:
                data[name] = _value(world, value)
        response = client.post(address, data, **extra)
    if response.streaming:  # read to the end: the client closes the file, as a server would
        b"".join(response.streaming_content)
    return address, response


def _login_paths() -> set[str]:
    return {reverse(settings.LOGIN_URL), reverse("admin:login")}


STATUSES = {200: "ok", 401: "unauthorized", 403: "forbidden", 404: "hidden", 405: "method"}
STATUSES[422] = "invalid"


def outcome(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        return "login" if target in _login_paths() else "ok"
    return STATUSES.get(response.status_code, str(response.status_code))


def _explain(key: str, role: str, method: str, address: str, response) -> str:
    where = response.get("Location", "")
    return (
        f"{method.upper()} {address} ({key}) as {role}: {response.status_code} {where}".rstrip()
        + " (the expectation is in tests/permission_matrix.py)"
    )


def _params(cases: dict[str, Case]) -> list:
    params = []
    for key, case in cases.items():
        for role in ROLES:
            if case.expected[role] is None:
                continue
            reason = XFAIL.get((key, role)) or case.xfail.get(role)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(key, role, marks=marks, id=f"{key}-{role}"))
    return params


@pytest.mark.parametrize(("key", "role"), _params({**GET_CASES, **MEDIA}))
def test_get(world, savepoint, key, role):
    case = GET_CASES.get(key) or MEDIA[key]
    address, response = _send(world, _client(world, role), key, role, "get", case)
    assert outcome(response) == case.expected[role], _explain(key, role, "get", address, response)


def _project_tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model.__module__.startswith("keyclusters.")
        }
    )


def fingerprint() -> dict[str, list]:
    """Every row of the project's tables (history included), read without the ORM: it is
    taken twice per POST."""
    rows = {}
    with connection.cursor() as cursor:
        for table in _project_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            rows[table] = cursor.fetchall()
    return rows


def _changed(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


@pytest.mark.parametrize(("key", "role"), _params(POST))
def test_post(world, savepoint, key, role):
    case = POST[key]
    expected = case.expected[role]
    client = _client(world, role)
    before = fingerprint()
    address, response = _send(world, client, key, role, "post", case)
    changed = _changed(before, fingerprint())
    assert outcome(response) == expected, _explain(key, role, "post", address, response)
    if expected != "ok":
        assert not changed, f"POST {address} as {role} was refused but changed {changed}"
    elif role in case.changes:
        assert changed, f"POST {address} as {role} changed nothing: the data sent did not act"
