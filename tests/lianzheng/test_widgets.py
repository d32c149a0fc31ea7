"""FastSelect renders the same <select> as Django's own widget, only without a template per option; url_maker gives
what reverse gives."""

import pytest
from django import forms

from lianzheng.widgets import FastSelect, use_fast_selects


class PlaceForm(forms.Form):
    unit = forms.ChoiceField(choices=[("", "全部单位"), ("1", "财务处"), ("2", '后勤<集团> & "食堂"')], required=False)
    level = forms.ChoiceField(choices=[("东区", [("a", "一级")]), ("b", "二级")], required=False)


def normalise(html: str) -> str:
    return " ".join(html.replace("\n", " ").split()).replace("> <", "><")


def test_fast_select_gives_the_same_html_as_django_escaped_and_with_the_selection():
    standard = PlaceForm({"unit": "2", "level": "a"})
    fast = PlaceForm({"unit": "2", "level": "a"})
    use_fast_selects(fast)
    assert isinstance(fast.fields["unit"].widget, FastSelect)
    for name in ("unit", "level"):
        assert normalise(str(fast[name])) == normalise(str(standard[name]))
    assert "后勤&lt;集团&gt; &amp; &quot;食堂&quot;" in str(fast["unit"])
    assert '<option value="2" selected>' in str(fast["unit"])


def test_fast_select_keeps_options_per_language_and_selection():
    from django.utils.translation import gettext_lazy, override

    class UnitForm(forms.Form):
        unit = forms.ChoiceField(choices=[("", gettext_lazy("全部单位")), ("1", "财务处")], required=False)

    def rendered(data=None):
        form = UnitForm(data)
        use_fast_selects(form)
        return str(form["unit"])

    with override("zh-hans"):
        chinese = rendered()
    with override("en"):
        english = rendered()
        chosen = rendered({"unit": "1"})
    assert "全部单位" in chinese and "All units" not in chinese
    assert "All units" in english and "全部单位" not in english
    assert '<option value="1" selected>' in chosen and '<option value="1" selected>' not in english


@pytest.mark.parametrize(
    ("name", "arg", "query"),
    [
        ("risks:form-detail", 12, {}),
        ("risks:form-approve", 7, {}),
        ("reviews:unit-progress", "syn0006", {"campaign": 3}),
        ("reviews:unit-progress", "cs_01-b", {}),
        ("reviews:submission-detail", ("cs_01", 7), {}),
    ],
)
def test_url_maker_gives_what_reverse_gives(name, arg, query):
    from urllib.parse import urlencode

    from django.urls import reverse

    from lianzheng.reverse import url_maker

    args = list(arg) if isinstance(arg, tuple) else [arg]
    expected = reverse(name, args=args) + (f"?{urlencode(query)}" if query else "")
    assert url_maker(name, nargs=len(args), **query)(*args) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9223372036854775808", "-9223372036854775809", "99999999999999999999999"])
def test_a_list_of_ids_beyond_64_bits_is_an_invalid_choice_not_a_500(value):
    """Found by the property-based tests: posts=9223372036854775808 raised OverflowError on SQLite."""
    from django import forms

    from lianzheng.fields import ModelMultipleChoiceField
    from units.models import Unit

    class Pick(forms.Form):
        units = ModelMultipleChoiceField(queryset=Unit.objects.all())

    form = Pick({"units": [value]})
    assert not form.is_valid() and "units" in form.errors
