"""The demo data of ``seed_demo``, one module per domain, seeded in this order (each idempotent):

``units`` (pilot and second-batch units, offices, posts, people, campaigns), ``risks`` (power items, risk points,
forms in every state), ``measures`` (the three stage lists, then the forms' states), ``rules`` (实施细则, one being
publicised now), ``supervision`` (complaints, warnings, cards, assessments; it seeds ``schedule``: deliverables,
submissions, reminders to send).
"""

from . import measures, risks, rules, supervision, units

SEED_ORDER = (units, risks, measures, rules, supervision)
