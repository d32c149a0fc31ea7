"""Cross-layer notifications from the organisation to the apps above it (DESIGN §4: units imports no app).

Sent explicitly by the units services inside their transaction, so a receiver's writes commit or roll back with
the change that caused them. Receivers are connected in the higher apps' ``AppConfig.ready()``.
"""

from django.dispatch import Signal

#: Units joined a campaign (created, copied or edited): ``campaign`` and ``unit_ids``, ``actor`` (may be None).
#: risks opens their 附表1 and one 附表2 per post.
campaign_units_added = Signal()

#: Posts were created or began a new assignment (roster import, units services): ``post_ids``, ``actor``.
#: risks opens the posts' 附表2 in the campaigns their units take part in.
posts_changed = Signal()

#: Sent by ``services.roster_import`` inside its transaction after the roster was applied; ``unit_ids``: the units
#: whose posts may have changed (a post's key area, say), so that the apps above can keep their figures.
roster_applied = Signal()
