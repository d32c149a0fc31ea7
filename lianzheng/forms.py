from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from . import ratelimit


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses to even try a password once a user name or a client address has failed too often.

    Failures are counted per user name and per address, so neither guessing one account from many places
    nor many accounts from one place gets far.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，请重新输入。(Incorrect user name or password.)"),
        "throttled": _(
            "登录失败次数过多，请 %(minutes)s 分钟后再试，或联系系统管理员。"
            "(Too many failed attempts; try again in %(minutes)s minutes.)"
        ),
    }

    def _keys(self):
        username = (self.data.get("username") or "").strip().lower()
        address = ratelimit.client_ip(self.request) if self.request else ""
        return [f"login:user:{username}", f"login:ip:{address}"]

    def clean(self):
        limit = settings.LOGIN_MAX_FAILURES
        window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        keys = self._keys()
        if any(ratelimit.is_limited(key, limit=limit, window_seconds=window) for key in keys):
            raise forms.ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": max(1, window // 60)}
            )
        try:
            return super().clean()
        except forms.ValidationError:
            for key in keys:
                ratelimit.hit(key)
            raise


class FirstPasswordResetForm(PasswordResetForm):
    """Django's reset form skips accounts without a usable password; ours are exactly the imported accounts
    that need a first password, so every active account with the address is included."""

    def get_users(self, email):
        email_field = get_user_model().get_email_field_name()
        return get_user_model()._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
