from courses.rendering import render_markdown


def test_it_strips_script_tags_and_javascript_links():
    html = render_markdown(
        "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    ).html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


def test_it_keeps_math_for_katex_inline_and_display():
    html = render_markdown("Inline $x^2$.\n\n$$\nL = \\frac{1}{n}\n$$\n").html
    assert '<span class="arithmatex">\\(x^2\\)</span>' in html
    assert '<div class="arithmatex">\\[' in html


def test_it_highlights_fenced_python():
    html = render_markdown("```python\nx = 1\n```\n").html
    assert 'class="highlight"' in html and '<span class="n">x</span>' in html


def test_it_renders_the_three_callout_kinds():
    text = "\n\n".join(
        f'!!! {kind} "Title {kind}"\n    Body {kind}.' for kind in ("plain", "reality", "myth")
    )
    html = render_markdown(text).html
    for kind in ("plain", "reality", "myth"):
        assert f'<div class="admonition {kind}">' in html


def test_it_resolves_course_links_and_reports_broken_ones():
    def resolve(scheme, slug):
        return "/g/loss" if (scheme, slug) == ("glossary", "loss") else None

    result = render_markdown("[loss](glossary:loss) and [nope](glossary:missing)", resolve)
    assert 'href="/g/loss"' in result.html and 'data-term="loss"' in result.html
    assert result.links == [("glossary", "loss"), ("glossary", "missing")]
    assert result.broken_links == [("glossary", "missing")]


def test_a_widget_line_becomes_a_figure_with_a_fallback_caption():
    result = render_markdown("Before.\n\n{{ widget: loss-sliders }}\n\nAfter.")
    assert result.widgets == ["loss-sliders"]
    assert '<figure class="widget" data-widget="loss-sliders">' in result.html
    assert "widget-fallback" in result.html
