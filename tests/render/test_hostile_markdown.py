"""Model output is untrusted: whatever it contains, the rendered answer must be inert.

Inert means no script, no image or frame that would load something, no event handler, no
address outside http, https, mailto and our own two schemes; and what was written still shows,
as text, so the user can see what the model tried.
"""

from __future__ import annotations

import pytest
from markdown import Markdown

from client.render import StreamingDocument, image_address, render_markdown
from client.render.extension import MAX_TABLE_ROWS
from client.render.markdown_html import MarkdownRenderer
from client.render.preprocessors import MAX_NESTING
from tests.render.html_scan import assert_inert, elements, hrefs, text_of

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img onerror": "<img src=http://evil/x.png onerror=alert(1)>",
    "markdown image": "![x](http://evil/track.png)",
    "javascript link": "[click](javascript:alert(1))",
    "data link": "[x](data:text/html,<script>alert(1)</script>)",
    "file anchor": '<a href="file:///etc/passwd">passwd</a>',
    "iframe": '<iframe src="http://evil/"></iframe>',
    "style": "<style>body { background: url(http://evil/) }</style>",
    "svg": '<svg onload="alert(1)"><circle r="5"/></svg>',
    "entity javascript": "[x](&#106;avascript:alert(1))",
    "spaced javascript": "[x]( javascript:alert(1))",
    "upper javascript": "[x](JaVaScRiPt:alert(1))",
    "vbscript": "[x](vbscript:msgbox(1))",
    "relative link": "[x](/etc/passwd)",
    "reference javascript": "[x][1]\n\n[1]: javascript:alert(1)",
    "reference image": "![x][1]\n\n[1]: http://evil/track.png",
    "image in link": "[![x](http://evil/t.png)](https://ok.example/)",
    "html block": "<div>\n<script>alert(1)</script>\n</div>",
    "comment": "<!-- <script>alert(1)</script> -->",
    "autolink javascript": "<javascript:alert(1)>",
    "code fence language": '```"><script>alert(1)</script>\nx\n```',
    "inline event in code": "`<img src=x onerror=alert(1)>`",
    "object": '<object data="http://evil/x.swf"></object>',
    "form": '<form action="http://evil/"><button formaction="http://evil/">go</button></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=http://evil/">',
    "placeholder smuggling": "\x02wzxhzdk:0\x03 and \x02klzzwxh:0\x03",
}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_inert(source: str, theme: str) -> None:
    html = render_markdown(source, theme=theme)
    assert_inert(html)


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_is_inert_while_streaming(source: str) -> None:
    document = StreamingDocument()
    for char in source:
        update = document.append(char)
        assert_inert(update.tail_html)
        for block in update.new_blocks_html:
            assert_inert(block)
    document.finish()
    assert_inert(document.full_html())


def test_raw_html_shows_as_text() -> None:
    html = render_markdown("Try <script>alert(1)</script> and <b>bold</b>.")
    assert text_of(html) == "Try <script>alert(1)</script> and <b>bold</b>."
    assert [e.tag for e in elements(html)] == ["p"]


def test_html_tag_written_by_the_model_keeps_its_words() -> None:
    html = render_markdown('<a href="file:///etc/passwd">passwd</a>')
    assert hrefs(html) == []
    assert text_of(html) == '<a href="file:///etc/passwd">passwd</a>'


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](data:text/html,hi)",
        "[click](file:///etc/passwd)",
        "[click](relative/path)",
        "[click](#anchor)",
    ],
)
def test_a_refused_link_becomes_its_text(source: str) -> None:
    html = render_markdown(source)
    assert hrefs(html) == []
    assert text_of(html) == "click"


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("<http://ok.example>", "http://ok.example"),
        ("[docs](https://ok.example/a?b=1&c=2)", "https://ok.example/a?b=1&c=2"),
        ("<someone@example.com>", "mailto:someone@example.com"),
        ("[write](mailto:someone@example.com)", "mailto:someone@example.com"),
    ],
)
def test_web_and_mail_links_survive(source: str, href: str) -> None:
    assert hrefs(render_markdown(source)) == [href]


def test_an_image_becomes_a_placeholder_link_that_fetches_nothing() -> None:
    html = render_markdown("See ![a chart](https://host.example/path/c.png?x=1&y=2) here.")
    assert_inert(html)
    (link,) = [e for e in elements(html) if e.tag == "a"]
    assert link.text == "[image: a chart \u2014 https://host.example/path/c.png?x=1&y=2]"
    assert link.attrs["href"] == (
        "thinkpane-image:https%3A%2F%2Fhost.example%2Fpath%2Fc.png%3Fx%3D1%26y%3D2"
    )
    assert image_address(link.attrs["href"] or "") == "https://host.example/path/c.png?x=1&y=2"


@pytest.mark.parametrize(
    "source", ["![pixel](data:image/png;base64,iVBORw0KGgo=)", "![pixel](javascript:x)"]
)
def test_an_image_without_a_web_address_is_named_only(source: str) -> None:
    html = render_markdown(source)
    assert hrefs(html) == []
    assert text_of(html) == "[image: pixel]"


def test_an_image_inside_a_link_does_not_nest_links() -> None:
    html = render_markdown("[![logo](http://evil/t.png)](https://ok.example/)")
    assert hrefs(html) == ["https://ok.example/"]
    assert "[image: logo \u2014 http://evil/t.png]" in text_of(html)


def test_huge_table_is_capped_and_says_what_it_left_out() -> None:
    rows = "\n".join(f"| {n} | <img src=x onerror=alert({n})> |" for n in range(5000))
    html = render_markdown(f"| n | payload |\n|---|---|\n{rows}")
    assert_inert(html)
    found = elements(html)
    assert sum(e.tag == "tr" for e in found) == MAX_TABLE_ROWS + 1  # and the header row
    assert "\u2026 4,800 more rows not shown" in text_of(html)


def test_deep_quotes_are_capped() -> None:
    html = render_markdown(">" * 5000 + " deep <script>")
    assert_inert(html)
    assert html.count("<blockquote>") == MAX_NESTING
    assert "deep <script>" in text_of(html)


def test_a_parser_that_runs_out_of_stack_falls_back_to_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def exhausted(self: Markdown, source: str) -> str:
        raise RecursionError

    monkeypatch.setattr(Markdown, "convert", exhausted)
    rendered = MarkdownRenderer().render("<b>x</b>\n\n```\ncode\n```")
    assert (
        rendered.html
        == '<pre style="white-space: pre-wrap">&lt;b&gt;x&lt;/b&gt;\n\n```\ncode\n```</pre>'
    )
    assert rendered.code_count == 1


def test_deeply_indented_list_renders_quickly() -> None:
    # Python-Markdown alone takes over a minute on this; the nesting cap makes it cheap.
    source = "".join("  " * level + "- x\n" for level in range(2000))
    html = render_markdown(source)
    assert_inert(html)
    assert html.count("<ul>") == MAX_NESTING + 1
