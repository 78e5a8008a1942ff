"""The memberships from before the ledger: recorded on the day they began (midnight, local
time), by nobody, with no evidence required, so that verification counts them from their
``joined_on`` as it did (docs/registry.md, "The membership ledger"). Their history records get
the same ``recorded_at``."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import migrations


def recorded_on_joining(apps, schema_editor):
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    for name in ("Membership", "HistoricalMembership"):
        model = apps.get_model("registry", name)
        days = model.objects.order_by().values_list("joined_on", flat=True).distinct()
        for day in list(days):
            midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
            model.objects.filter(joined_on=day).update(recorded_at=midnight)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_membership_ledger"),
    ]

    operations = [
        migrations.RunPython(recorded_on_joining, migrations.RunPython.noop, elidable=True),
    ]
