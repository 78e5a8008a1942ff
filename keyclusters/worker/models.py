"""The heartbeat of each running worker (``keyclusters worker``): the pages that start
background work read it to say whether anything will run it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """One running worker process; it writes ``seen_at`` every few seconds and deletes its row
    when it stops. A row not written for a while is a worker that died without stopping."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at", "worker_id"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
