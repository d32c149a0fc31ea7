"""Small template helpers used across apps: query-string edits, sortable headers, dates, badges."""

from datetime import date

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some keys replaced (keeps filters when paging or sorting)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def page_query(context, param, number):
    """The current query string with page ``param`` (``page`` or a list's own, e.g. ``posts_page``) set to number."""
    return query_replace(context, **{param or "page": number})


@register.simple_tag(takes_context=True)
def sort_header(context, field, label):
    """A column header that sorts by ``field`` and toggles direction; marks the current order for screen readers."""
    current = context["request"].GET.get("sort", "")
    if current == field:
        new, arrow, aria = f"-{field}", "▲", "ascending"
    elif current == f"-{field}":
        new, arrow, aria = field, "▼", "descending"
    else:
        new, arrow, aria = field, "", "none"
    query = context["request"].GET.copy()
    query["sort"] = new
    query.pop("page", None)
    return format_html('<a href="?{}" class="lz-sort" aria-sort="{}">{} {}</a>', query.urlencode(), aria, label, arrow)


@register.filter
def cndate(value):
    """2010年5月28日 in Chinese, 28 May 2010 in English (UI.md "Text")."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        value = timezone.localtime(value)
        if get_language() == "en":
            return value.strftime("%-d %b %Y %H:%M")
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if get_language() == "en":
        return value.strftime("%-d %b %Y")
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def days_left(due):
    """还剩 3 天 / 今天截止 / 已逾期 2 天."""
    if not due:
        return ""
    delta = (due - date.today() if not isinstance(due, date) else due - timezone.localdate()).days
    if delta > 0:
        return ngettext("还剩 %(n)s 天", "还剩 %(n)s 天", delta) % {"n": delta}
    if delta == 0:
        return _("今天截止")
    return ngettext("已逾期 %(n)s 天", "已逾期 %(n)s 天", -delta) % {"n": -delta}
