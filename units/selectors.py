"""Reads shaped for pages, already scoped to what the user may see."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from .models import Assignment, Campaign, Office, Post, Unit, User
from .rules import sees_all_units


def units_visible_to(user):
    qs = Unit.objects.all()
    if sees_all_units(user):
        return qs
    if user.is_authenticated and user.unit_id:
        return qs.filter(pk=user.unit_id)
    return qs.none()


def unit_for(user, code: str) -> Unit:
    """The unit with this code if the user may see it; 404 otherwise (never reveal that it exists)."""
    return get_object_or_404(units_visible_to(user), code=code)


def unit_list(user):
    return units_visible_to(user).annotate(
        office_count=Count("offices", distinct=True),
        post_count=Count("posts", distinct=True),
        key_post_count=Count("posts", filter=Q(posts__is_key=True), distinct=True),
    )


def unit_detail(unit: Unit) -> dict:
    """Offices with their posts and current holders, posts without an office, and the unit's leaders and contacts."""
    current = Assignment.objects.current().select_related("user")
    posts = Post.objects.filter(unit=unit).prefetch_related(
        Prefetch("assignments", queryset=current, to_attr="holders")
    )
    offices = list(
        Office.objects.filter(unit=unit).prefetch_related(Prefetch("posts", queryset=posts, to_attr="post_list"))
    )
    loose_posts = [p for p in posts if p.office_id is None]
    people = User.objects.filter(unit=unit, is_active=True).order_by("role", "full_name")
    return {
        "offices": offices,
        "loose_posts": loose_posts,
        "leaders": [u for u in people if u.role == "unit_leader"],
        "contacts": [u for u in people if u.role == "unit_contact"],
        "post_count": sum(len(o.post_list) for o in offices) + len(loose_posts),
        "key_post_count": sum(1 for o in offices for p in o.post_list if p.is_key)
        + sum(1 for p in loose_posts if p.is_key),
    }


def current_posts_of(user):
    """The posts the user holds today (R3: the forms follow the post)."""
    return Post.objects.filter(assignments__in=Assignment.objects.current().filter(user=user)).select_related(
        "unit", "office"
    )


def current_campaign(*, session=None):
    """The campaign chosen in the top bar, else the newest one. Read once per request (the view and the top bar
    both ask): kept on the request's session object while the choice stays the same."""
    chosen = session.get("campaign_id") if session is not None else None
    memo = getattr(session, "_lz_current_campaign", None)
    if memo is not None and memo[0] == chosen:
        return memo[1]
    campaigns = Campaign.objects.all()
    found = campaigns.filter(pk=chosen).first() if chosen else None
    if found is None:
        found = campaigns.order_by("-year", "-id").first()
    if hasattr(session, "__dict__"):  # a session object (a plain dict in some callers keeps nothing)
        session._lz_current_campaign = (chosen, found)
    return found
