import unicodedata

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from . import ratelimit


def login_name_key(name: str) -> str:
    """The user name as Django authenticates it (``UsernameField`` applies NFKC, so ``ｘiaojian`` is ``xiaojian``),
    lower-cased: one counter per account however the name is typed."""
    return unicodedata.normalize("NFKC", name or "").strip().lower()


def login_keys(request, name: str) -> list[tuple[str, int]]:
    """(counter key, failures allowed in the window) of a login attempt.

    - the name from this address: a stranger who mistypes or guesses a colleague's password locks out only
      themselves, not the colleague elsewhere;
    - the address, over every name (many accounts guessed from one place);
    - the name, over every address (one account guessed from many places), with a higher bound: it slows a
      distributed guess down without letting one stranger shut the owner out.
    """
    limit = settings.LOGIN_MAX_FAILURES
    name = login_name_key(name)
    address = ratelimit.client_ip(request) if request is not None else ""
    return [
        (f"login:pair:{name}:{address}", limit),
        (f"login:ip:{address}", settings.LOGIN_MAX_FAILURES_PER_ADDRESS),
        (f"login:user:{name}", settings.LOGIN_MAX_FAILURES_PER_NAME),
    ]


def clear_login_failures(request, name: str) -> None:
    """After a successful login: the account's counters (this address's and every address's) start again."""
    for key, _limit in login_keys(request, name):
        if not key.startswith("login:ip:"):
            ratelimit.clear(key)


class ThrottledLoginMixin:
    """Refuses to even try a password once the name from this address, the address, or the name from everywhere has
    failed too often (``login_keys``). Used by the site's login and the Django admin's: one login, one throttle."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，请重新输入。(Incorrect user name or password.)"),
        "throttled": _(
            "登录失败次数过多，请 %(minutes)s 分钟后再试，或联系系统管理员。"
            "(Too many failed attempts; try again in %(minutes)s minutes.)"
        ),
    }

    def clean(self):
        window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        keys = login_keys(self.request, self.data.get("username") or "")
        if any(ratelimit.is_limited(key, limit=limit, window_seconds=window) for key, limit in keys):
            raise forms.ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": max(1, window // 60)}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            for key, _limit in keys:
                ratelimit.hit(key)
            raise
        clear_login_failures(self.request, self.data.get("username") or "")
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    """The site's login form."""


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The Django admin's login form (``/admin/login/``), with the same counters as the site's."""

    error_messages = {**AdminAuthenticationForm.error_messages, **ThrottledLoginMixin.error_messages}


class FirstPasswordResetForm(PasswordResetForm):
    """Django's reset form skips accounts without a usable password; ours are exactly the imported accounts
    that need a first password, so every active account with the address is included."""

    def get_users(self, email):
        email_field = get_user_model().get_email_field_name()
        return get_user_model()._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
