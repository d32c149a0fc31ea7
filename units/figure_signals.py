"""Signals the units app sends so that the apps above it can keep their figures (DESIGN §4: lower apps send, higher
apps connect their receivers in ``AppConfig.ready()``)."""

from django.dispatch import Signal

#: Sent by ``services.roster_import`` inside its transaction after the roster was applied; ``unit_ids``: the units
#: whose posts may have changed (a post's key area, say).
roster_applied = Signal()
