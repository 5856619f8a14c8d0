"""Ordinary markdown renders as the simple HTML Qt's rich-text engine understands."""

from __future__ import annotations

import re

import pytest

from client.render import code_blocks, copy_block_index, render_markdown
from client.render.extension import MAX_TABLE_COLUMNS
from tests.render.html_scan import assert_inert, elements, hrefs, text_of

ANSWER = """\
# Plan

Some *emphasis*, **strong** text and `inline <b>code</b>`.

Steps:
1. First
2. Second

- apples
- pears

> A quote.

| Name | Count |
|:-----|------:|
| a    | 1     |
| b    | 2     |

```python
def greet(name: str) -> str:
    return f"<b>{name}</b>"
```

```
plain <text> & more
```

```nosuchlanguage
keep me
```
"""


def tags(html: str) -> list[str]:
    return [e.tag for e in elements(html)]


def test_ordinary_markdown_renders_structure() -> None:
    html = render_markdown(ANSWER)
    assert_inert(html)
    found = elements(html)
    assert [e.text for e in found if e.tag == "h1"] == ["Plan"]
    assert [e.text for e in found if e.tag == "em"] == ["emphasis"]
    assert [e.text for e in found if e.tag == "strong"] == ["strong"]
    items = ["First", "Second", "apples", "pears"]
    assert [e.text.strip() for e in found if e.tag == "li"] == items
    assert tags(html).count("ol") == 1 and tags(html).count("ul") == 1
    assert [e.text.strip() for e in found if e.tag == "blockquote"] == ["A quote."]
    assert [e.text for e in found if e.tag == "th"] == ["Name", "Count"]
    assert [e.attrs.get("align") for e in found if e.tag == "td"] == ["left", "right"] * 2
    (table,) = [e for e in found if e.tag == "table"]
    assert table.attrs == {"border": "1", "cellpadding": "4", "cellspacing": "0"}


def test_inline_code_keeps_markup_as_text() -> None:
    html = render_markdown("Use `<b>bold</b>` here.")
    (code,) = [e for e in elements(html) if e.tag == "code"]
    assert code.text == "<b>bold</b>"
    assert "b" not in tags(html)


def test_python_is_highlighted_with_inline_styles() -> None:
    html = render_markdown(ANSWER)
    pre = [e for e in elements(html) if e.tag == "pre"][0]
    assert pre.text == 'def greet(name: str) -> str:\n    return f"<b>{name}</b>"'
    assert re.search(r'<span style="color:#[0-9A-Fa-f]{3,6};font-weight:bold">def</span>', html)
    assert "class=" not in html


def test_unknown_or_missing_language_is_plain_escaped_text() -> None:
    html = render_markdown("```nosuchlanguage\nkeep <me>\n```\n\n```\na & b\n```")
    pres = [e for e in elements(html) if e.tag == "pre"]
    assert [p.text for p in pres] == ["keep <me>", "a & b"]
    assert "<span" not in html


@pytest.mark.parametrize(("theme", "background"), [("light", "#f8f8f8"), ("dark", "#272822")])
def test_code_background_follows_the_theme(theme: str, background: str) -> None:
    html = render_markdown("```python\nx = 1\n```", theme=theme)
    (pre,) = [e for e in elements(html) if e.tag == "pre"]
    assert f"background-color:{background}" in (pre.attrs["style"] or "")


def test_unknown_theme_is_refused() -> None:
    with pytest.raises(ValueError, match="theme"):
        render_markdown("x", theme="sepia")


def test_copy_links_number_the_code_blocks_in_order() -> None:
    html = render_markdown(ANSWER)
    links = [href for href in hrefs(html) if href.startswith("thinkpane-copy:")]
    assert links == ["thinkpane-copy:0", "thinkpane-copy:1", "thinkpane-copy:2"]
    pres = [e.text for e in elements(html) if e.tag == "pre"]
    indices = [copy_block_index(href) for href in links]
    assert [code_blocks(ANSWER)[i] for i in indices if i is not None] == pres


def test_copy_link_precedes_its_block() -> None:
    html = render_markdown("```sh\nls\n```")
    assert tags(html) == ["p", "a", "pre"]
    assert text_of(html).startswith("Copy \u00b7 sh")


def test_code_blocks_returns_what_the_model_wrote() -> None:
    text = (
        "Intro\n"
        "~~~~make\nall:\n\tcc main.c\n~~~~\n"
        "1. Step:\n   ```bash\n   pip install x\n     --upgrade\n   ```\n"
        "````md\n```\nnested fence\n```\n````\n"
        "```python\nunclosed = True\n"
    )
    assert code_blocks(text) == [
        "all:\n\tcc main.c",
        "pip install x\n  --upgrade",
        "```\nnested fence\n```",
        "unclosed = True\n",
    ]
    html = render_markdown(text)
    assert [copy_block_index(h) for h in hrefs(html)] == [0, 1, 2, 3]


def test_a_line_of_backticks_with_text_is_not_a_fence() -> None:
    assert code_blocks("```inline```\n\ntext") == []
    assert "thinkpane-copy" not in render_markdown("```inline```")


def test_copy_block_index_reads_only_our_links() -> None:
    assert copy_block_index("thinkpane-copy:12") == 12
    assert copy_block_index("thinkpane-copy:-1") is None
    assert copy_block_index("thinkpane-copy:\u0661") is None  # an Arabic-Indic digit
    assert copy_block_index("https://example.com") is None


def test_list_and_table_may_start_right_under_a_paragraph() -> None:
    html = render_markdown("Here:\n- one\n- two\n\nTable:\n| a | b |\n|---|---|\n| 1 | 2 |")
    table = ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    assert tags(html) == ["p", "ul", "li", "li", "p", *table]


def test_lists_written_the_commonmark_way_nest_as_intended() -> None:
    html = render_markdown("- fruit\n  - apple\n  - pear\n- veg\n\n1. Step:\n   - detail\n2. Next")
    assert tags(html) == ["ul", "li", "ul", "li", "li", "li", "ol", "li", "ul", "li", "li"]


def test_a_code_block_indented_under_an_item_stays_in_it() -> None:
    html = render_markdown("1. Install:\n   ```sh\n   pip install x\n   ```\n2. Run")
    structure = [tag for tag in tags(html) if tag != "span"]
    assert structure == ["ol", "li", "p", "p", "a", "pre", "li", "p"]
    assert [e.text for e in elements(html) if e.tag == "pre"] == ["pip install x"]


def test_indented_text_outside_a_list_is_still_code() -> None:
    html = render_markdown("para\n\n    - not a list")
    assert tags(html) == ["p", "pre", "code"]


def test_wide_table_is_capped() -> None:
    columns = 100
    header = "|" + "|".join(f"c{n}" for n in range(columns)) + "|"
    rule = "|" + "|".join("-" for _ in range(columns)) + "|"
    row = "|" + "|".join("v" for _ in range(columns)) + "|"
    html = render_markdown(f"{header}\n{rule}\n{row}")
    assert sum(e.tag == "th" for e in elements(html)) == MAX_TABLE_COLUMNS
    assert f"\u2026 {columns - MAX_TABLE_COLUMNS} more columns not shown" in text_of(html)


def test_empty_and_blank_text_render_nothing() -> None:
    assert render_markdown("") == ""
    assert render_markdown(" \n\n\t\n") == ""


def test_only_simple_tags_are_emitted() -> None:
    simple = {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre",
        "span", "a", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
    }  # fmt: skip
    source = ANSWER + "\n\n---\n\nline one  \nline two\n\n### Small\n\n[x](https://a.example)"
    assert set(tags(render_markdown(source))) <= simple
