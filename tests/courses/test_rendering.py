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
    assert 'class="highlight"' in html
    assert '<span class="n">x</span>' in html


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
    assert 'href="/g/loss"' in result.html
    assert 'data-term="loss"' in result.html
    assert result.links == [("glossary", "loss"), ("glossary", "missing")]
    assert result.broken_links == [("glossary", "missing")]


def test_a_widget_line_becomes_a_figure_with_a_fallback_caption():
    result = render_markdown("Before.\n\n{{ widget: loss-sliders }}\n\nAfter.")
    assert result.widgets == ["loss-sliders"]
    assert '<figure class="widget" data-widget="loss-sliders">' in result.html
    assert "widget-fallback" in result.html


FALLBACK = (
    '<figcaption class="widget-fallback">Interactive figure (needs JavaScript); '
    "the text around it describes what it shows.</figcaption>"
)


def test_a_widget_without_a_caption_gets_the_generic_fallback():
    html = render_markdown("{{ widget: contour-path }}").html
    assert html == f'<figure class="widget" data-widget="contour-path">{FALLBACK}</figure>'


def test_a_widget_line_can_carry_an_author_caption():
    result = render_markdown(
        "Before.\n\n{{ widget: loss-sliders | Loss of one prediction as w and b change. }}\n"
    )
    assert result.widgets == ["loss-sliders"]
    assert (
        '<figure class="widget" data-widget="loss-sliders"><figcaption class="widget-fallback">'
        "Loss of one prediction as w and b change.</figcaption></figure>"
    ) in result.html
    assert "needs JavaScript" not in result.html


def test_an_empty_caption_falls_back_to_the_generic_text():
    assert FALLBACK in render_markdown("{{widget:loss-curve|  }}").html


def test_a_widget_caption_is_plain_text_and_cannot_inject_html():
    html = render_markdown(
        "{{ widget: loss-sliders | <img src=x onerror=alert(1)> <script>alert(2)</script>"
        ' <a href="javascript:x">*w*</a> & $x$ }}'
    ).html
    assert "<img" not in html
    assert "<script" not in html
    assert "<a " not in html
    assert "<em>" not in html, "captions are not Markdown"
    assert "arithmatex" not in html, "captions are not Markdown"
    assert (
        "&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(2)&lt;/script&gt; "
        '&lt;a href="javascript:x"&gt;*w*&lt;/a&gt; &amp; $x$</figcaption>'
    ) in html


def test_several_widgets_keep_their_own_captions_in_order():
    result = render_markdown(
        "{{ widget: loss-sliders | First }}\n\nText.\n\n{{ widget: loss-curve }}\n\n"
        "{{ widget: contour-path | Third }}"
    )
    assert result.widgets == ["loss-sliders", "loss-curve", "contour-path"]
    captions = result.html.split('<figcaption class="widget-fallback">')[1:]
    assert [c.split("</figcaption>")[0] for c in captions] == [
        "First",
        FALLBACK.split(">", 1)[1].split("</")[0],
        "Third",
    ]


def test_text_that_looks_like_the_internal_widget_token_stays_text():
    html = render_markdown("DESCENTWIDGET:0\n\nDESCENTWIDGET:loss-sliders").html
    assert "<figure" not in html
    assert "DESCENTWIDGET:0" in html
