"""Moving an application through the stages of its rulebook after the formal one (the writes
are services: :mod:`keyclusters.competitions.services.stages`)."""

from .services.stages import stage_after

__all__ = ["stage_after"]
