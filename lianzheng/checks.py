"""System checks of the project's own settings."""

from django.conf import settings
from django.core.checks import Error, register

MIN_AUDIT_KEY_LENGTH = 32


@register(deploy=True)
def audit_key_check(app_configs=None, **kwargs):
    """With DEBUG off the audit chain needs a real key: missing, short or the development key is an error.

    A deployment check (``check --deploy``, part of the README's production steps): commands that write no audit
    event (``makemigrations``, ``collectstatic``) run without the key; a write without it is refused by
    ``lianzheng.audit`` with the same message."""
    if settings.DEBUG or getattr(settings, "TESTING", False):
        return []
    errors = []
    key = getattr(settings, "LIANZHENG_AUDIT_KEY", "") or ""
    if len(key) < MIN_AUDIT_KEY_LENGTH or key.startswith("insecure-"):
        errors.append(
            Error(
                "LIANZHENG_AUDIT_KEY is missing or shorter than 32 characters (审计密钥缺失或过短).",
                hint="Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))' "
                "and keep it apart from DJANGO_SECRET_KEY (README, 'Audit chain key').",
                id="lianzheng.E001",
            )
        )
    for old in getattr(settings, "LIANZHENG_AUDIT_OLD_KEYS", []):
        if len(old) < MIN_AUDIT_KEY_LENGTH:
            errors.append(
                Error(
                    "An entry of LIANZHENG_AUDIT_OLD_KEYS is shorter than 32 characters (旧审计密钥过短).",
                    id="lianzheng.E002",
                )
            )
    return errors
