"""What the supervision pages share: the permission check, error text, the POST-an-action pattern, paging."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect


def require_perm(request, perm, obj=None):
    if not rules.has_perm(perm, request.user, obj):
        raise PermissionDenied


def error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def post_action(request, *, form, call, success, invalid, back: str, pk, next_pk=None):
    """Bind a POSTed form, call one service, say what happened, and go back to the object's page.

    ``success`` may be a function of the service's result; ``next_pk`` picks the page to return to from the
    result (an escalated warning is a new row), else ``pk``.
    """
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect(back, pk=pk)
    try:
        result = call(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(back, pk=pk)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(back, pk=next_pk(result) if next_pk else pk)


def page_of(request, qs):
    return Paginator(qs, 50).get_page(request.GET.get("page"))
