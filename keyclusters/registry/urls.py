from django.urls import path, re_path

from . import (
    downloads,
    export_views,
    identity_views,
    import_templates,
    selfservice_views,
    views,
)

app_name = "registry"
urlpatterns = [
    path("", views.cluster_list, name="cluster-list"),
    path("mine/", views.my_clusters, name="my-clusters"),
    # member self-service (docs/self-service.md)
    path("organisation/", selfservice_views.my_organisation, name="my-organisation"),
    path(
        "organisation/memberships/<int:membership_pk>/",
        selfservice_views.membership_answer,
        name="membership-answer",
    ),
    path("invitations/", selfservice_views.invitations, name="invitations"),
    path(
        "invitations/accept/<str:token>/",
        selfservice_views.invitation_accept,
        name="invitation-accept",
    ),
    path("contested/", selfservice_views.contested_list, name="contested"),
    path("<int:pk>/", views.cluster_detail, name="cluster-detail"),
    re_path(
        r"^(?P<pk>[0-9]+)/members\.(?P<format>csv|xlsx)$",
        views.members_export,
        name="members-export",
    ),
    re_path(
        r"^(?P<pk>[0-9]+)/members-spreadsheet\.(?P<format>csv|xlsx)$",
        export_views.members_spreadsheet,
        name="members-spreadsheet",
    ),
    re_path(
        r"^import-templates/(?P<kind>members|organisations|clusters)\.(?P<format>csv|xlsx)$",
        import_templates.import_template,
        name="import-template",
    ),
    path(
        "<int:pk>/declarations/<int:declaration_pk>/document/",
        downloads.declaration_document,
        name="declaration-document",
    ),
    path("<int:pk>/manage/", views.cluster_manage, name="cluster-manage"),
    path("<int:pk>/identity/", identity_views.cluster_identity, name="cluster-identity"),
    path("<int:pk>/manage/members/add/", views.member_add, name="member-add"),
    path(
        "<int:pk>/manage/memberships/<int:membership_pk>/end/",
        views.membership_end,
        name="membership-end",
    ),
    path("<int:pk>/manage/import/", views.members_import, name="members-import"),
    path(
        "<int:pk>/manage/memberships/<int:membership_pk>/",
        views.membership_detail,
        name="membership-detail",
    ),
    path(
        "<int:pk>/manage/memberships/<int:membership_pk>/evidence/",
        views.membership_evidence,
        name="membership-evidence",
    ),
    path(
        "<int:pk>/manage/memberships/<int:membership_pk>/evidence/<int:evidence_pk>/document/",
        views.evidence_document,
        name="evidence-document",
    ),
    path("review/evidence/", views.evidence_queue, name="evidence-queue"),
    path("review/evidence/<int:evidence_pk>/", views.evidence_decide, name="evidence-decide"),
    path("review/changes/", views.change_requests, name="change-requests"),
    path(
        "review/changes/<int:request_pk>/",
        views.change_request_decide,
        name="change-request-decide",
    ),
]
