"""Who gets what from every URL: the expected answer to each role, kept as data.

``tests/test_permission_matrix.py`` walks the URL configuration and requests every URL as every
role of :data:`ROLES`; each URL needs an entry here (an entry without a URL fails too). The
expectations say what the application *should* do, read from the views and the rules modules
(``keyclusters/*/rules.py``), not recorded from what it does.

Outcomes of a request:

- ``ok``: 200, or a redirect anywhere but a login page (a page sending to its canonical URL)
- ``login``: a redirect to the login page (the site's, or the admin's for admin URLs)
- ``forbidden``: 403; ``hidden``: 404 (the object does not exist for that user);
  ``method``: 405; ``unauthorized``: 401 (the API without a key); ``invalid``: 422

An entry is ``url(expected, **params)``: ``params`` fill the URL's arguments, ``W("path")``
taking a value from the test world (a model instance gives its primary key) and a key starting
with ``?`` going to the query string. A key ``"name [variant]"`` requests the same URL with
other parameters (e.g. an unpublished edition). ``xfail={role: reason}`` marks a known defect:
the expectation stays the correct one.

Admin URLs are classified by model (:data:`ADMIN_MODELS`, every registered ModelAdmin) and the
site's own pages (:data:`ADMIN_SITE`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = (
    "anonymous",
    "user",  # logged in, no role
    "coordinator",  # of cluster A (the world's application, grant, declaration, report)
    "other_coordinator",  # of clusters B and C
    "expert",  # assigned to A's application (merit), no conflict declared
    "expert_unassigned",
    "panel_member",  # assigned to A's application (panel), no conflict declared
    "operator",  # staff (as the demo makes operators), the operator role's permissions
    "decision_maker",
    "funding_agency",  # the API requests send the agency's key
    "analyst",
    "member_firm",  # the member organisation role, representing A's first member
    "administrator",  # superuser, no role
)
SIGNED_IN = ROLES[1:]
OUTCOMES = ("ok", "login", "forbidden", "hidden", "method", "unauthorized", "invalid")


@dataclass(frozen=True)
class W:
    """A value of the test world: ``W("certificate.code")``."""

    path: str


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


@dataclass(frozen=True)
class Case:
    expected: dict[str, str]
    params: dict[str, Any] = field(default_factory=dict)
    xfail: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)  # POST cases
    changes: tuple[str, ...] = ()  # POST cases: roles whose request must change something


def url(expected: dict[str, str], xfail: dict[str, str] | None = None, **params: Any) -> Case:
    return Case(expected=expected, params=params, xfail=xfail or {})


def post(
    expected: dict[str, str],
    data: dict[str, Any] | None = None,
    *,
    changes: tuple[str, ...] = (),
    xfail: dict[str, str] | None = None,
    **params: Any,
) -> Case:
    """A POST by each role; every role not ``ok`` must leave the database as it was."""
    return Case(expected, params, xfail or {}, data or {}, changes)


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: str, anonymous: str = "login") -> dict[str, str]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, outcome)}


def only(*roles: str, default: str = "forbidden", anonymous: str = "login") -> dict[str, str]:
    """``ok`` for ``roles``, ``default`` for the other signed-in roles."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    expected = signed_in(default, anonymous)
    expected.update(dict.fromkeys(roles, "ok"))
    return expected


MANAGERS_OF_A = ("coordinator", "operator", "administrator")  # registry.manage_cluster_members
OPERATORS = ("operator", "administrator")  # the administrator holds every permission
ANALYSTS = ("analyst", "administrator")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# --- GET of every URL ------------------------------------------------------------------------

GET: dict[str, Case] = {
    # web
    "web:home": url(everyone("ok")),
    "web:dashboard": url(signed_in("ok")),
    # a cluster's applications in every round: public (granted or not in decided calls), the
    # stage results to its coordinator, operators and the decision maker
    "web:cluster-rounds": url(everyone("ok"), pk=W("cluster_a")),
    # registry: public pages and exports; member management for the cluster's coordinator
    # and operators; the declaration's scan for the same (registry.read_declaration_documents)
    "registry:cluster-list": url(everyone("ok")),
    "registry:my-clusters": url(only("coordinator", "other_coordinator")),
    "registry:cluster-detail": url(everyone("ok"), pk=W("cluster_a")),
    "registry:members-export": url(everyone("ok"), pk=W("cluster_a"), format="csv"),
    "registry:members-export [xlsx]": url(everyone("ok"), pk=W("cluster_a"), format="xlsx"),
    "registry:members-spreadsheet": url(everyone("ok"), pk=W("cluster_a"), format="csv"),
    "registry:members-spreadsheet [xlsx]": url(everyone("ok"), pk=W("cluster_a"), format="xlsx"),
    # the import templates hold no data of the registry
    "registry:import-template": url(everyone("ok"), kind="members", format="xlsx"),
    "registry:import-template [csv]": url(everyone("ok"), kind="organisations", format="csv"),
    "registry:declaration-document": url(
        only(*MANAGERS_OF_A), pk=W("cluster_a"), declaration_pk=W("declaration")
    ),
    # A's declaration asked for under B's address does not exist, for anyone
    "registry:declaration-document [via B]": url(
        signed_in("hidden"), pk=W("cluster_b"), declaration_pk=W("declaration")
    ),
    "registry:cluster-manage": url(only(*MANAGERS_OF_A), pk=W("cluster_a")),
    "registry:cluster-manage [B]": url(only("other_coordinator", *OPERATORS), pk=W("cluster_b")),
    "registry:member-add": url(only(*MANAGERS_OF_A), pk=W("cluster_a")),
    # a cluster's names and coordinators over time: recorded by operators
    "registry:cluster-identity": url(only(*OPERATORS), pk=W("cluster_a")),
    "registry:membership-end": url(
        signed_in("method"), pk=W("cluster_a"), membership_pk=W("member_a")
    ),
    "registry:members-import": url(only(*MANAGERS_OF_A), pk=W("cluster_a")),
    # the membership ledger: a membership's page and its evidence, for the cluster's managers;
    # the queues of evidence and of organisations' change requests for operators
    "registry:membership-detail": url(
        only(*MANAGERS_OF_A), pk=W("cluster_a"), membership_pk=W("backdated_a")
    ),
    "registry:membership-detail [A's membership via B]": url(
        {**signed_in("forbidden"), **dict.fromkeys(("other_coordinator", *OPERATORS), "hidden")},
        pk=W("cluster_b"),
        membership_pk=W("backdated_a"),
    ),
    "registry:membership-evidence": url(
        signed_in("method"), pk=W("cluster_a"), membership_pk=W("backdated_a")
    ),
    "registry:evidence-document": url(
        only(*MANAGERS_OF_A),
        pk=W("cluster_a"),
        membership_pk=W("backdated_a"),
        evidence_pk=W("evidence"),
    ),
    "registry:evidence-queue": url(only(*OPERATORS)),
    "registry:evidence-decide": url(signed_in("method"), evidence_pk=W("evidence")),
    "registry:change-requests": url(only(*OPERATORS)),
    "registry:change-request-decide": url(signed_in("method"), request_pk=W("change_request")),
    # member self-service: the member organisation's pages are for the member organisation
    # role (its own memberships; tests/registry/test_selfservice.py has the other firms');
    # coordinators and operators invite and see contested memberships (their own clusters')
    "registry:my-organisation": url(only("member_firm")),
    "registry:membership-answer": url(only("member_firm"), membership_pk=W("member_a")),
    "registry:invitations": url(only("coordinator", "other_coordinator", *OPERATORS)),
    "registry:invitation-accept": url(everyone("hidden"), token="not-a-signed-token"),
    "registry:contested": url(only("coordinator", "other_coordinator", *OPERATORS)),
    # competitions
    "competitions:call-list": url(everyone("ok")),
    "competitions:call-create": url(only(*OPERATORS)),
    "competitions:call-detail": url(everyone("ok"), pk=W("call")),
    "competitions:call-detail [draft]": url(
        only(*OPERATORS, default="hidden", anonymous="hidden"), pk=W("draft_call")
    ),
    "competitions:rulebook-list": url(only(*OPERATORS)),
    "competitions:rulebook-detail": url(everyone("ok"), pk=W("rulebook")),
    "competitions:call-dashboard": url(only(*OPERATORS), pk=W("call")),
    "competitions:call-export": url(only(*OPERATORS), pk=W("call"), fmt="csv"),
    "competitions:call-export [xlsx]": url(only(*OPERATORS), pk=W("call"), fmt="xlsx"),
    "competitions:start-application": url(
        signed_in("method"), pk=W("call"), cluster_pk=W("cluster_c")
    ),
    "competitions:application-list": url(signed_in("ok")),
    # visible_applications (operators and the cluster's coordinator) and those who may read the
    # documents (the decision maker, the administrator, the expert and panel member assigned
    # without a conflict); the others do not see that it exists
    "competitions:application-detail": url(
        only(
            "coordinator",
            "expert",
            "panel_member",
            "operator",
            "decision_maker",
            "administrator",
            default="hidden",
        ),
        pk=W("application_a"),
    ),
    "competitions:application-detail [B]": url(
        only("other_coordinator", "operator", "decision_maker", "administrator", default="hidden"),
        pk=W("application_b"),
    ),
    "competitions:formal-evaluation": url(only(*OPERATORS), pk=W("application_b")),
    # the submission confirmation (PDF): to those who see the application
    "competitions:submission-confirmation": url(
        only("coordinator", "operator", default="hidden"), pk=W("application_a")
    ),
    # competitions.read_application_documents | evaluation.read_application_documents
    "competitions:application-document": url(
        only(
            "coordinator",
            "expert",
            "panel_member",
            "operator",
            "decision_maker",
            "administrator",
            default="hidden",
        ),
        pk=W("application_a"),
        field_id="strategy",
    ),
    "competitions:application-document [B]": url(
        only("other_coordinator", "operator", "decision_maker", "administrator", default="hidden"),
        pk=W("application_b"),
        field_id="strategy",
    ),
    # evaluation
    "evaluation:my-assignments": url(signed_in("ok")),
    # the expert's own sheet; any other assignment is a 404, for operators too
    "evaluation:sheet": url(only("expert", default="hidden"), pk=W("assignment")),
    "evaluation:sheet [panel]": url(
        only("panel_member", default="hidden"), pk=W("panel_assignment")
    ),
    "evaluation:autosave": url(everyone("method"), pk=W("assignment")),
    # the operator's pages on experts and suspended assignments (evaluation.manage)
    "evaluation:experts": url(only(*OPERATORS)),
    "evaluation:expert-new": url(only(*OPERATORS)),
    "evaluation:expert": url(only(*OPERATORS), pk=W("expert")),
    "evaluation:suspension": url(only(*OPERATORS), pk=W("assignment")),
    "evaluation:call": url(only(*OPERATORS), pk=W("call")),
    # the call's evaluation commission (evaluation.manage); the chair's signature answers POST
    "evaluation:commission": url(only(*OPERATORS), pk=W("call")),
    "evaluation:sign": url(signed_in("method"), pk=W("closed_call")),
    # the Expert Panel: the session's page for operators (evaluation.manage); the invitation to
    # A's coordinator (operators see it too); the presentation to them and to the panel member
    # assigned to A's application (evaluation.read_panel_presentation); 403 to anyone else
    "evaluation:panel-session": url(only(*OPERATORS), pk=W("panel_session")),
    "evaluation:panel-invitation": url(only("coordinator", *OPERATORS), pk=W("panel_slot")),
    "evaluation:panel-presentation": url(
        only("coordinator", "panel_member", *OPERATORS), pk=W("panel_slot")
    ),
    # the Council of Key Clusters (council.read: operators and the members in force today, here
    # A's coordinator; council.manage: operators); its documents and minutes to the same
    "council:index": url(only("coordinator", *OPERATORS)),
    "council:members": url(only(*OPERATORS)),
    "council:meeting": url(only("coordinator", *OPERATORS), pk=W("council_meeting")),
    "council:document": url(only("coordinator", *OPERATORS), pk=W("council_minutes")),
    "evaluation:recommendation": url(
        only("operator", "decision_maker", "administrator"), pk=W("closed_call")
    ),
    # monitoring: a yearly report to its cluster's coordinator and operators (monitoring.
    # read_report); the operators' list; the coordinators' own list; the review answers POST
    # only; the indicators across holders to operators and the decision maker
    "monitoring:reports": url(only(*OPERATORS)),
    "monitoring:my-reports": url(only("coordinator", "other_coordinator")),
    "monitoring:report": url(only("coordinator", *OPERATORS), pk=W("yearly_report")),
    "monitoring:report-review": url(signed_in("method"), pk=W("submitted_report")),
    # the figures' autosave and a document's upload and removal answer POST only; a document
    # of A's report to A's coordinator and operators (monitoring.read_report)
    "monitoring:report-autosave": url(everyone("method"), pk=W("yearly_report")),
    "monitoring:report-documents": url(everyone("method"), pk=W("yearly_report")),
    "monitoring:report-document": url(only("coordinator", *OPERATORS), pk=W("report_document")),
    "monitoring:report-document-remove": url(everyone("method"), pk=W("report_document")),
    "monitoring:indicators": url(only("decision_maker", *OPERATORS)),
    "monitoring:indicators [csv]": url(
        only("decision_maker", *OPERATORS), **{"?format": "csv", "?indicator": "members_total"}
    ),
    "monitoring:indicators [xlsx]": url(
        only("decision_maker", *OPERATORS), **{"?format": "xlsx", "?indicator": "members_total"}
    ),
    # each holder's indicators against its application: as the table (monitoring.read_indicators)
    "monitoring:trajectory": url(only("decision_maker", *OPERATORS), pk=W("cluster_a")),
    # the open data of the published part of the accepted reports: public
    "monitoring:open-data": url(everyone("ok"), format="csv"),
    "monitoring:open-data [json]": url(everyone("ok"), format="json"),
    # member surveys: the list to coordinators (their clusters'), operators and the decision
    # maker (surveys.list_surveys); A's survey page to its coordinator (surveys.manage_survey);
    # its results also to operators and the decision maker; the answer page is public (the
    # link's token), an unknown token is not found
    "surveys:surveys": url(only("coordinator", "other_coordinator", "decision_maker", *OPERATORS)),
    "surveys:survey": url(only("coordinator", "administrator"), pk=W("survey")),
    "surveys:results": url(only("coordinator", "decision_maker", *OPERATORS), pk=W("survey")),
    "surveys:answer": url(everyone("ok"), token=W("survey.token")),
    "surveys:answer [unknown]": url(everyone("hidden"), token="nie-ma-takiej-ankiety"),
    # evaluation.see_scores: operators, the decision maker, the cluster's coordinator
    "evaluation:why": url(
        only("coordinator", "operator", "decision_maker", "administrator", default="hidden"),
        pk=W("application_a"),
    ),
    "evaluation:consensus": url(only(*OPERATORS), pk=W("application_a")),
    "evaluation:consensus [formal stage]": url(only(*OPERATORS), pk=W("application_b")),
    # no list prepared yet: a 404 to those who may see one, a 403 to the others
    "evaluation:recommendation [no list yet]": url(
        {**signed_in("forbidden"), **dict.fromkeys(("decision_maker", *OPERATORS), "hidden")},
        pk=W("call"),
    ),
    # decision records: operators and the decision maker; a decided call's results: everyone,
    # a call not decided has none (404)
    "evaluation:decisions": url(only("operator", "decision_maker", "administrator")),
    "evaluation:decision-record": url(
        only("operator", "decision_maker", "administrator"), pk=W("decision_record")
    ),
    "evaluation:document": url(
        only("operator", "decision_maker", "administrator"), pk=W("decided_call")
    ),
    "evaluation:results": url(everyone("ok"), pk=W("decided_call")),
    "evaluation:results [not decided]": url(everyone("hidden"), pk=W("closed_call")),
    "evaluation:why [B]": url(
        only("other_coordinator", "operator", "decision_maker", "administrator", default="hidden"),
        pk=W("application_b"),
    ),
    # statuses: the public registry and certificate checks; the rest by permission
    "statuses:registry": url(everyone("ok")),
    "statuses:registry-export": url(everyone("ok"), format="csv"),
    "statuses:registry-export [json]": url(everyone("ok"), format="json"),
    "statuses:feed": url(everyone("ok")),  # the open data feed (Atom)
    "statuses:cluster-history": url(everyone("ok"), pk=W("cluster_a")),
    "statuses:status-certificate": url(signed_in("method"), grant_pk=W("grant")),
    "statuses:withdraw": url(only(*OPERATORS), grant_pk=W("grant")),
    "statuses:verify": url(only("funding_agency", *OPERATORS)),
    "statuses:membership-certificate": url(only("funding_agency", *OPERATORS)),
    "statuses:api-keys": url(only(*OPERATORS)),
    "statuses:my-certificate": url(signed_in("method")),
    "statuses:api-key-revoke": url(signed_in("method"), pk=W("api_key")),
    "statuses:certificate": url(everyone("ok"), code=W("certificate.code")),
    "statuses:certificate [unknown code]": url(everyone("hidden"), code="no-such-code"),
    "statuses:certificate-pdf": url(everyone("ok"), code=W("certificate.code")),
    "statuses:certificate-pdf [unknown code]": url(everyone("hidden"), code="no-such-code"),
    # checking a certificate by its code: public; an unknown or malformed code is answered in
    # words on the page (200)
    "statuses:certificate-check": url(everyone("ok")),
    "statuses:instruments": url(everyone("ok")),  # the public catalogue of funding instruments
    "statuses:certificate-check [code]": url(everyone("ok"), **{"?code": W("certificate.code")}),
    "statuses:certificate-check [unknown code]": url(everyone("ok"), **{"?code": "no-such-code"}),
    "statuses:certificate-check [malformed code]": url(everyone("ok"), **{"?code": "<b>?"}),
    # benchmarking: analysts manage; a published edition's general report is public; a
    # cluster's report goes to analysts and, once published, to the cluster's coordinator
    "benchmarking:edition-list": url(everyone("ok")),
    "benchmarking:edition-create": url(only(*ANALYSTS)),
    # non-analysts are sent from the management page to the general report
    "benchmarking:edition-detail": url(everyone("ok"), pk=W("edition")),
    "benchmarking:edition-detail [unpublished]": url(
        only(*ANALYSTS, default="hidden", anonymous="hidden"), pk=W("draft_edition")
    ),
    "benchmarking:edition-report": url(everyone("ok"), pk=W("edition")),
    "benchmarking:edition-report [unpublished]": url(
        only(*ANALYSTS, default="hidden", anonymous="hidden"), pk=W("draft_edition")
    ),
    # an htmx fragment polled by the analyst's page: refused, not sent to log in
    "benchmarking:report-progress": url(only(*ANALYSTS, anonymous="forbidden"), pk=W("edition")),
    "benchmarking:report-progress [unpublished]": url(
        only(*ANALYSTS, default="hidden", anonymous="hidden"), pk=W("draft_edition")
    ),
    "benchmarking:edition-details": url(everyone("method"), pk=W("edition")),
    "benchmarking:edition-participants": url(everyone("method"), pk=W("edition")),
    "benchmarking:edition-import": url(everyone("method"), pk=W("edition"), kind="coordinator"),
    "benchmarking:edition-action": url(everyone("method"), pk=W("edition"), action="withdraw"),
    "benchmarking:edition-export": url(only(*ANALYSTS), pk=W("edition")),
    "benchmarking:cluster-report": url(
        only("coordinator", *ANALYSTS, default="hidden", anonymous="hidden"),
        pk=W("edition"),
        cluster_pk=W("cluster_a"),
    ),
    "benchmarking:cluster-report [unpublished]": url(
        only(*ANALYSTS, default="hidden", anonymous="hidden"),
        pk=W("draft_edition"),
        cluster_pk=W("cluster_a"),
    ),
    "benchmarking:cluster-report-pdf": url(
        only("coordinator", *ANALYSTS, default="hidden", anonymous="hidden"),
        pk=W("edition"),
        cluster_pk=W("cluster_a"),
    ),
    "benchmarking:cluster-report-pdf [unpublished]": url(
        only(*ANALYSTS, default="hidden", anonymous="hidden"),
        pk=W("draft_edition"),
        cluster_pk=W("cluster_a"),
    ),
    "benchmarking:cluster-report-pdf [B]": url(
        only("other_coordinator", *ANALYSTS, default="hidden", anonymous="hidden"),
        pk=W("edition"),
        cluster_pk=W("cluster_b"),
    ),
    "benchmarking:cluster-report-texts": url(
        only(*ANALYSTS), pk=W("edition"), cluster_pk=W("cluster_a")
    ),
    # accounts (Django's views; logout answers POST only)
    "login": url(everyone("ok")),
    "logout": url(everyone("method")),
    "password_reset": url(everyone("ok")),
    "password_reset_done": url(everyone("ok")),
    "password_reset_confirm": url(everyone("ok"), uidb64="MQ", token="no-such-token"),
    "password_reset_complete": url(everyone("ok")),
    "set_language": url(everyone("ok")),  # a GET only redirects
    # the API: public reads; verification with a funding agency's key (no session counts)
    "api:api-root": url(everyone("hidden")),
    "api:openapi-json": url(everyone("ok")),
    "api:openapi-view": url(everyone("ok")),
    "api:list_clusters": url(everyone("ok")),
    "api:get_cluster": url(everyone("ok"), cluster_id=W("cluster_a")),
    "api:registry_feed": url(everyone("ok")),
    "api:verification": url(
        only("funding_agency", default="unauthorized", anonymous="unauthorized"),
        **{"?nip": W("member_a.organisation.nip")},
    ),
    "api:verification [no NIP]": url(
        {**everyone("unauthorized"), "funding_agency": "invalid"},
    ),
    "api:verification_bulk": url(everyone("method")),
    "api:certificate": url(everyone("ok"), code=W("certificate.code")),
    "api:list_editions": url(everyone("ok")),
    "api:edition_detail": url(everyone("ok"), edition_id=W("edition")),
    "api:edition_detail [unpublished]": url(everyone("hidden"), edition_id=W("draft_edition")),
    # the expert's own assignment (the session, not a key): the cluster and its members, and
    # the application once no conflict is declared (the world's expert has declared)
    "api:evaluation_assignment": url(
        {**signed_in("hidden"), "anonymous": "unauthorized", "expert": "ok"},
        assignment_id=W("assignment"),
    ),
    "api:evaluation_assignment_application": url(
        {**signed_in("hidden"), "anonymous": "unauthorized", "expert": "ok"},
        assignment_id=W("assignment"),
    ),
    "api:health": url(everyone("ok")),
    "api:ready": url(everyone("ok")),
}

# Stored files have no URL: MEDIA_URL + the file's name is a 404 for everyone.
MEDIA: dict[str, Case] = {
    "media:application-document": url(everyone("hidden"), name=W("application_document.file")),
    "media:declaration-document": url(everyone("hidden"), name=W("declaration.document")),
    "media:membership-evidence": url(everyone("hidden"), name=W("evidence.document")),
    "media:cluster-report-pdf": url(everyone("hidden"), name=W("cluster_report.pdf")),
    "media:unpublished-cluster-report-pdf": url(
        everyone("hidden"), name=W("draft_cluster_report.pdf")
    ),
}

# --- POST by every role to the views that change state ---------------------------------------
# A role whose outcome is not "ok" must change nothing; roles in ``changes`` must change
# something (so that the data sent would have acted). ``None`` leaves a role out.

MEMBER_ADD = {
    "nip": "5260250274",
    "name": "Nowy Członek",
    "kind": "enterprise",
    "size": "small",
    "role": "member",
    "joined_on": "2024-01-01",
    # a coordinator's backdated start needs evidence (an operator's does not)
    "evidence": Upload("deklaracja.pdf", PDF),
    "evidence_kind": "accession-declaration",
}

MEMBERS_CSV = b"name,nip,kind,joined_on\nIntruz,1132853869,enterprise,2024-01-01\n"

POST: dict[str, Case] = {
    "registry:cluster-identity": post(
        only(*OPERATORS),
        {
            "action": "rename",
            "rename-name": "Klaster A Nowy",
            "rename-valid_from": "2020-01-01",
            "confirmed": "yes",
        },
        pk=W("cluster_a"),
        changes=OPERATORS,
    ),
    "registry:cluster-identity [coordinator]": post(
        only(*OPERATORS),
        {
            "action": "coordinator",
            "coordinator-nip": W("member_a.organisation.nip"),
            "coordinator-valid_from": "2020-01-01",
            "confirmed": "yes",
        },
        pk=W("cluster_a"),
        changes=OPERATORS,
    ),
    "registry:member-add": post(
        only(*MANAGERS_OF_A), MEMBER_ADD, pk=W("cluster_a"), changes=MANAGERS_OF_A
    ),
    "registry:member-add [B]": post(
        only("other_coordinator", *OPERATORS),
        MEMBER_ADD,
        pk=W("cluster_b"),
        changes=("other_coordinator", *OPERATORS),
    ),
    "registry:membership-end": post(
        only(*MANAGERS_OF_A),
        {"left_on": "2026-11-30", "confirmed": "yes"},
        pk=W("cluster_a"),
        membership_pk=W("member_a"),
        changes=MANAGERS_OF_A,
    ),
    "registry:membership-answer": post(
        only("member_firm"),
        {"action": "contest", "reason": "Nie", "confirmed": "yes"},
        membership_pk=W("member_a"),
        changes=("member_firm",),
    ),
    # another coordinator is told (on the form) that the organisation is not their member
    "registry:invitations": post(
        only("coordinator", "other_coordinator", *OPERATORS),
        {"nip": W("member_a.organisation.nip"), "email": "osoba@example.org"},
        changes=("coordinator", *OPERATORS),
    ),
    "registry:members-import": post(
        {**only(*MANAGERS_OF_A), **dict.fromkeys(MANAGERS_OF_A, None)},
        {"file": Upload("members.csv", MEMBERS_CSV)},
        pk=W("cluster_a"),
    ),
    "registry:membership-evidence": post(
        only(*MANAGERS_OF_A),
        {"kind": "resolution", "document": Upload("uchwala.pdf", PDF)},
        pk=W("cluster_a"),
        membership_pk=W("rejected_a"),
        changes=MANAGERS_OF_A,
    ),
    "registry:evidence-decide": post(
        only(*OPERATORS),
        {"decision": "reject", "reason": "Brak podpisu", "confirmed": "yes"},
        evidence_pk=W("evidence"),
        changes=OPERATORS,
    ),
    "registry:change-request-decide": post(
        only(*OPERATORS),
        {"decision": "apply", "confirmed": "yes"},
        request_pk=W("change_request"),
        changes=OPERATORS,
    ),
    # A's membership under B's address: not found for B's managers, refused to A's coordinator
    "registry:membership-end [A's membership via B]": post(
        {**signed_in("forbidden"), **dict.fromkeys(("other_coordinator", *OPERATORS), "hidden")},
        {"left_on": "2026-11-30", "confirmed": "yes"},
        pk=W("cluster_b"),
        membership_pk=W("member_a"),
    ),
    "competitions:start-application": post(
        only("other_coordinator"),
        {"kind": "new"},
        pk=W("call"),
        cluster_pk=W("cluster_c"),
        changes=("other_coordinator",),
    ),
    "competitions:formal-evaluation": post(
        only(*OPERATORS),
        {"action": "fail", "fail-reasons": "Brak strategii", "confirmed": "yes"},
        pk=W("application_b"),
        changes=OPERATORS,
    ),
    "competitions:call-dashboard": post(
        only(*OPERATORS),
        {"action": "close", "confirmed": "yes"},
        pk=W("call"),
        changes=OPERATORS,
    ),
    "competitions:call-create": post(
        only(*OPERATORS),
        {
            "name": "Nowa runda",
            "round_label": "IX",
            "rulebook": W("rulebook"),
            "opens_at": "2027-03-01T09:00",
            "closes_at": "2027-04-30T16:00",
        },
        changes=OPERATORS,
    ),
    "evaluation:sheet": post(
        only("expert", default="hidden"),
        {"action": "save", "points-team": "7", "why-team": "Zespół"},
        pk=W("assignment"),
        changes=("expert",),
    ),
    "evaluation:autosave": post(
        only("expert", default="hidden"),
        {"points-team": "6", "why-team": "Szkic"},
        pk=W("assignment"),
        changes=("expert",),
    ),
    "evaluation:call": post(
        only(*OPERATORS),
        {"action": "assign", "application": W("application_a"), "expert": W("expert_unassigned")},
        pk=W("call"),
        changes=OPERATORS,
    ),
    # the services ask for the operator's role: the administrator is refused
    "evaluation:commission": post(
        {**only("operator"), "administrator": "forbidden"},
        {"action": "add", "user": W("expert_unassigned.user"), "kind": "independent"},
        pk=W("call"),
        changes=("operator",),
    ),
    # the services ask for the operator's role: the administrator is refused
    "evaluation:panel-session": post(
        {**only("operator"), "administrator": "forbidden"},
        {"action": "invite", "slot": W("panel_slot")},
        pk=W("panel_session"),
        changes=("operator",),
    ),
    # the Council: the services ask for the operator's role (the administrator is refused); its
    # member (A's coordinator) reads but changes nothing
    "council:index": post(
        {**only("operator"), "administrator": "forbidden"},
        {"held_on": "2031-05-06", "place": "Warszawa", "agenda": "Otwarcie"},
        changes=("operator",),
    ),
    "council:members": post(
        {**only("operator"), "administrator": "forbidden"},
        {"action": "end", "member": W("council_member"), "member_to": "2099-12-31"},
        changes=("operator",),
    ),
    "council:meeting": post(
        {**only("operator"), "administrator": "forbidden"},
        {"action": "position", "position-title": "Stanowisko", "position-text": "Rada popiera."},
        pk=W("council_meeting"),
        changes=("operator",),
    ),
    # member surveys: a coordinator opens a survey of their own cluster (B's coordinator does;
    # A's is told on the form that B is not theirs; nobody else coordinates: 403); A's
    # coordinator closes A's survey; anyone with the link answers it
    "surveys:surveys": post(
        only("coordinator", "other_coordinator"),
        {"cluster": W("cluster_b"), "year": W("survey.year"), "closes_on": W("survey.closes_on")},
        changes=("other_coordinator",),
    ),
    "surveys:survey": post(
        only("coordinator", "administrator"),
        {"action": "close", "confirmed": "yes"},
        pk=W("survey"),
        changes=("coordinator", "administrator"),
    ),
    "surveys:answer": post(
        everyone("ok"),
        {"coordinator_services": "4", "joint_projects_useful": "very", "would_recommend": "9"},
        token=W("survey.token"),
        changes=ROLES,
    ),
    # the coordinator of A alone edits A's report (monitoring.edit_report; the administrator
    # holds every permission); operators review a submitted one and open a year's reports
    "monitoring:report": post(
        only("coordinator", "administrator"),
        {"action": "save", "employees_members": "12"},
        pk=W("yearly_report"),
        changes=("coordinator", "administrator"),
    ),
    "monitoring:report-review": post(
        only(*OPERATORS),
        {"action": "accept", "confirmed": "yes"},
        pk=W("submitted_report"),
        changes=OPERATORS,
    ),
    "monitoring:reports": post(only(*OPERATORS), {"year": "2025"}),
    # the coordinator of A alone autosaves, attaches and removes (monitoring.edit_report)
    "monitoring:report-autosave": post(
        only("coordinator", "administrator"),
        {"version": "0", "employees_members": "13"},
        pk=W("yearly_report"),
        changes=("coordinator", "administrator"),
    ),
    "monitoring:report-documents": post(
        only("coordinator", "administrator"),
        {"file": Upload("sprawozdanie.pdf", PDF)},
        pk=W("yearly_report"),
        changes=("coordinator", "administrator"),
    ),
    "monitoring:report-document-remove": post(
        only("coordinator", "administrator"),
        {"confirmed": "yes"},
        pk=W("report_document"),
        changes=("coordinator", "administrator"),
    ),
    # the coordinator of A alone names the presenters (operators only read the invitation)
    "evaluation:panel-invitation": post(
        only("coordinator"),
        {"presenters": "Anna Nowak, prezes", "presentation": Upload("prezentacja.pdf", PDF)},
        pk=W("panel_slot"),
        changes=("coordinator",),
    ),
    # only the chair of the call's commission signs: the world's calls have none
    "evaluation:sign": post(signed_in("forbidden"), {"confirmed": "yes"}, pk=W("closed_call")),
    "evaluation:expert": post(
        {**only("operator"), "administrator": "forbidden"},
        {"action": "add-affiliation", "nip": W("cluster_b.coordinator.nip"), "position": "Rada"},
        pk=W("expert"),
        changes=("operator",),
    ),
    "evaluation:suspension": post(
        {**only("operator"), "administrator": "forbidden"},
        {"action": "suspend", "reason": "Wspólny projekt"},
        pk=W("assignment"),
        changes=("operator",),
    ),
    "evaluation:consensus": post(
        {**only(*OPERATORS), **dict.fromkeys(OPERATORS, None)},
        {"points-team": "5", "note": "Zgoda"},
        pk=W("application_a"),
    ),
    # evaluation.decide: the decision maker alone approves (the administrator is refused by
    # the service, which asks for the role)
    "evaluation:recommendation": post(
        {**only("decision_maker"), "administrator": "forbidden"},
        {"approved_on": "2026-11-30", "confirmed": "yes"},
        pk=W("closed_call"),
        changes=("decision_maker",),
    ),
    # the minister's document: operators and the decision maker record it (the services ask
    # for the role: the administrator is refused)
    "evaluation:document": post(
        {**only("operator", "decision_maker"), "administrator": "forbidden"},
        {
            "number": "DI/7/2026",
            "issued_on": "2026-11-05",
            "signatory": "Minister",
            "confirmed": "yes",
        },
        pk=W("decided_call"),
        changes=("operator", "decision_maker"),
    ),
    "statuses:status-certificate": post(
        only("other_coordinator", *OPERATORS),
        grant_pk=W("grant_b"),
        changes=("other_coordinator", *OPERATORS),
    ),
    "statuses:withdraw": post(
        only(*OPERATORS),
        {"withdrawn_on": "2026-11-30", "reason": "Utrata potencjału"},
        grant_pk=W("grant"),
        changes=OPERATORS,
    ),
    "statuses:membership-certificate": post(
        only("funding_agency", *OPERATORS),
        {"nip": W("member_a.organisation.nip")},
        changes=("funding_agency", *OPERATORS),
    ),
    "statuses:my-certificate": post(only("member_firm"), changes=("member_firm",)),
    "statuses:api-keys": post(
        only(*OPERATORS), {"name": "Nowy", "organisation": "NCBR"}, changes=OPERATORS
    ),
    "statuses:api-key-revoke": post(only(*OPERATORS), pk=W("spare_api_key"), changes=OPERATORS),
    "benchmarking:edition-create": post(
        only(*ANALYSTS),
        {"framework": W("framework"), "year": "2024", "name": "Edycja 2024"},
        changes=ANALYSTS,
    ),
    "benchmarking:edition-details": post(
        only(*ANALYSTS),
        {"number": "4", "contractor": "Instytut", "financing": "", "publish_position": "on"},
        pk=W("edition"),
        changes=ANALYSTS,
    ),
    "benchmarking:edition-participants": post(
        only(*ANALYSTS),
        {"clusters": [W("cluster_a"), W("cluster_b")]},
        pk=W("draft_edition"),
        changes=ANALYSTS,
    ),
    "benchmarking:edition-import": post(
        {**only(*ANALYSTS), **dict.fromkeys(ANALYSTS, None)},
        {"file": Upload("c.csv", b"cluster,staff\nKlaster A,99\n")},
        pk=W("draft_edition"),
        kind="coordinator",
    ),
    "benchmarking:edition-action": post(
        only(*ANALYSTS), pk=W("edition"), action="withdraw", changes=ANALYSTS
    ),
    "benchmarking:cluster-report-texts": post(
        only(*ANALYSTS),
        {"good_practices": "Dobre praktyki", "recommendations": "Zalecenia"},
        pk=W("edition"),
        cluster_pk=W("cluster_a"),
        changes=ANALYSTS,
    ),
    "api:verification_bulk": post(
        only("funding_agency", default="unauthorized", anonymous="unauthorized"),
        {"nips": [W("member_a.organisation.nip")]},
    ),
}

# --- the admin -------------------------------------------------------------------------------
# Only staff enter the admin: anonymous visitors and signed-in users who are not staff are
# sent to the admin's login page. Staff here: the administrator and the operator.

NOT_STAFF = {"anonymous": "login", **dict.fromkeys(SIGNED_IN, "login")}


def admin_page(operator: str, administrator: str = "ok") -> dict[str, str]:
    return {**NOT_STAFF, "operator": operator, "administrator": administrator}


ADMIN_SITE: dict[str, Case] = {
    "admin:index": url(admin_page("ok")),
    "admin:login": url(everyone("ok")),  # staff are sent on to the index
    # logout answers POST only; whoever is not staff is sent to the index (then to log in)
    "admin:logout": url({**everyone("ok"), "operator": "method", "administrator": "method"}),
    "admin:password_change": url(admin_page("ok")),
    "admin:password_change_done": url(admin_page("ok")),
    "admin:jsi18n": url(admin_page("ok")),
    # the operator may view organisations, which a cluster's coordinator field searches
    "admin:autocomplete": url(
        admin_page("ok"),
        **{"?app_label": "registry", "?model_name": "cluster", "?field_name": "coordinator"},
    ),
    # no model has get_absolute_url
    "admin:view_on_site": url(
        admin_page("hidden", "hidden"),
        content_type_id=W("cluster_content_type"),
        object_id=W("cluster_a"),
    ),
    "admin:app_list": url(admin_page("ok"), app_label="registry"),
    # the operator holds no permission of the competitions app: no index of it
    "admin:app_list [competitions]": url(admin_page("hidden"), app_label="competitions"),
    "admin:[admin/(?P<url>.*)$]": url(admin_page("hidden", "hidden"), url="no-such-page/"),
}

# Every registered ModelAdmin: what the operator may do there (``edit``: view, add, change,
# never delete, by accounts.roles.ROLE_PERMISSIONS; ``none``), and what the ModelAdmin
# refuses to everyone, the administrator included (``refused``: add, change, delete).
ADMIN_MODELS: dict[str, dict[str, Any]] = {
    "auth.group": {"operator": "none"},
    "axes.accessattempt": {"operator": "none", "refused": ("add",)},
    "axes.accesslog": {"operator": "none", "refused": ("add",)},
    "axes.accessfailurelog": {"operator": "none", "refused": ("add",)},
    "django_tasks_database.dbtaskresult": {
        "operator": "none",
        "refused": ("add", "change", "delete"),
    },
    "accounts.user": {"operator": "none"},
    "accounts.apikey": {"operator": "none", "refused": ("add",)},
    "registry.organisation": {"operator": "edit"},
    "registry.cluster": {"operator": "edit"},
    "registry.membership": {"operator": "edit"},
    "registry.cooperationdeclaration": {"operator": "edit"},
    "registry.smartspecialisation": {"operator": "none"},
    "competitions.storedrulebook": {"operator": "none", "refused": ("add",)},
    "competitions.call": {"operator": "none"},
    # rules' "competitions.view_application" (now "read_application") once answered the
    # admin's view permission and opened these pages to operators
    "competitions.application": {"operator": "none"},
    "competitions.stageresult": {"operator": "none"},
    "statuses.statusgrant": {"operator": "none", "refused": ("add", "delete")},
    "statuses.certificate": {"operator": "none", "refused": ("add",)},
    # the kinds of status: the administrator's (the operator role holds no permission of it)
    "statuses.statustype": {"operator": "none"},
    "benchmarking.framework": {"operator": "none"},
    "benchmarking.edition": {"operator": "none"},
    "benchmarking.editionresult": {"operator": "none"},
    "benchmarking.clusterreport": {"operator": "none"},
    # read only: the Council changes through its pages (keyclusters.council.services)
    "council.councilmember": {"operator": "none", "refused": ("add", "delete")},
    "council.meeting": {"operator": "none", "refused": ("add", "delete")},
    # monitoring: read only, but a report's due date (transitions and figures go through
    # keyclusters.monitoring.services)
    "monitoring.storedmonitoringframework": {"operator": "none", "refused": ("add", "delete")},
    "monitoring.yearlyreport": {"operator": "none", "refused": ("add", "delete")},
    "monitoring.reportreminder": {"operator": "none", "refused": ("add", "delete")},
    "monitoring.reportdocument": {"operator": "none", "refused": ("add", "delete")},
}

# The permission each kind of a model's admin URL asks for (None: staff only).
ADMIN_URL_KINDS = {
    "changelist": "view",
    "add": "add",
    "change": "view",  # a read-only page with the view permission
    "delete": "delete",
    "history": "view",
    "simple_history": "view",
    "import": "add",  # registry.admin_import: add and change
    "import_members": "change",
    "password_change": "change",  # the user admin's password form
    "object": None,  # <object_id>/ redirects to the change page, which checks
}

# Known defects whose expectation above is right and the application is not yet:
# {(case key, role): reason}. Empty when everything holds.
XFAIL: dict[tuple[str, str], str] = {}
