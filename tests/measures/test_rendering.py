"""实施细则 are written in Markdown by units and read by the public: no script may survive rendering."""

import pytest

from measures.rendering import render_markdown


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert('x')</script>", "<script"),
        ("<script>alert('x')</script>", "alert"),
        ("[点击](javascript:alert(1))", "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ('<p onclick="steal()">x</p>', "onclick"),
        ("<iframe src=https://evil.example></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
    ],
)
def test_script_in_rules_text_is_stripped(source, forbidden):
    assert forbidden.lower() not in render_markdown(source).lower()


def test_markdown_structure_is_kept():
    html = render_markdown(
        "# 第一章\n\n- 前期预防\n- 中期监控\n\n**加粗** [学校](https://www.example.edu.cn)\n\n|a|b|\n|-|-|\n|1|2|"
    )
    assert "<h1>第一章</h1>" in html and "<li>前期预防</li>" in html and "<strong>加粗</strong>" in html
    assert 'href="https://www.example.edu.cn"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html
