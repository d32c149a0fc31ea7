from .models import Campaign
from .selectors import current_campaign


def campaign(request):
    """The campaign switch in the top bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_campaign": current_campaign(session=request.session),
        "campaigns": Campaign.objects.only("id", "name", "year"),
    }
