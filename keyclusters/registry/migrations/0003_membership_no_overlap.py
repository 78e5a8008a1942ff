"""On PostgreSQL the database itself refuses overlapping memberships: two memberships of one
organisation in one cluster with the same role may not share a day (``left_on`` included, no
``left_on``: open).

An exclusion constraint (``EXCLUDE USING gist (cluster_id WITH =, organisation_id WITH =, role
WITH =, daterange(joined_on, left_on, '[]') WITH &&)``, with ``btree_gist``) states that best,
but each row written then costs a GiST insertion and an index scan: measured, it made the
member import of 200,000 rows take about twice as long. So the rule is a statement-level
trigger instead: after each INSERT or UPDATE (COPY included) it locks the rows of the clusters
concerned (``FOR NO KEY UPDATE``, the lock that the services and the import take first) and
looks for an overlap of the rows written with any membership, in one query probing the index of
``membership_unique_start`` once per row written; an overlap fails the statement with SQLSTATE
23P01 (``exclusion_violation``, as the constraint would) naming ``membership_no_overlap``.

The lock makes the check safe against concurrent writers under READ COMMITTED (Django's
isolation level): a second writer of the cluster waits for the first to end, and its check
then sees what the first one committed.

SQLite has no such trigger (the operation does nothing there): the services and the member
import check overlaps themselves, as they do on PostgreSQL first.
"""

from django.db import migrations

CONSTRAINT = "membership_no_overlap"
FUNCTION = "registry_membership_no_overlap"

CREATE = f"""
CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    clash record;
BEGIN
    PERFORM 1 FROM registry_cluster
     WHERE id IN (SELECT DISTINCT cluster_id FROM written)
     ORDER BY id FOR NO KEY UPDATE;
    -- One index probe per row written (LATERAL ... LIMIT 1 keeps the nested loop) on the index
    -- of membership_unique_start, by cluster and organisation. The role is compared in a form
    -- that no index serves: otherwise, without statistics (a new table), the index on (cluster,
    -- role) looks as cheap, and each probe would read the whole cluster. Another membership of
    -- the same cluster, organisation and role has another start (the unique constraint).
    SELECT w.id, w.cluster_id, w.organisation_id, w.role, w.joined_on, w.left_on,
           m.id AS other_id, m.joined_on AS other_joined_on, m.left_on AS other_left_on
      INTO clash
      FROM written w
     CROSS JOIN LATERAL (
           SELECT m.id, m.joined_on, m.left_on FROM registry_membership m
            WHERE m.cluster_id = w.cluster_id AND m.organisation_id = w.organisation_id
              AND m.role IS NOT DISTINCT FROM w.role AND m.joined_on <> w.joined_on
              AND (m.left_on IS NULL OR m.left_on >= w.joined_on)
              AND (w.left_on IS NULL OR w.left_on >= m.joined_on)
            LIMIT 1) m
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'membership % overlaps membership % (same cluster, organisation, role)',
                        clash.id, clash.other_id
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = '{CONSTRAINT}',
                  TABLE = 'registry_membership',
                  DETAIL = format('Key (cluster_id, organisation_id, role)=(%s, %s, %s): '
                                  '[%s, %s] overlaps [%s, %s].', clash.cluster_id,
                                  clash.organisation_id, clash.role, clash.joined_on,
                                  coalesce(clash.left_on::text, 'open'), clash.other_joined_on,
                                  coalesce(clash.other_left_on::text, 'open'));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER {CONSTRAINT}_insert AFTER INSERT ON registry_membership
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();
CREATE TRIGGER {CONSTRAINT}_update AFTER UPDATE ON registry_membership
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {CONSTRAINT}_insert ON registry_membership;
DROP TRIGGER IF EXISTS {CONSTRAINT}_update ON registry_membership;
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: % is literal

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_voivodeships")]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
    ]
