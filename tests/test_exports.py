"""Exports and imports: an exact JSON round trip, readable Markdown and inert HTML, no secrets."""

from __future__ import annotations

import json
from dataclasses import fields, replace

import pytest

from client.core.conversation import ReasoningTrace, Turn
from client.core.cost import Cost
from client.core.events import TurnStatus, Visibility
from client.core.usage import Usage
from client.exports import (
    AlreadyImported,
    InvalidExport,
    export_document,
    export_html,
    export_json,
    export_markdown,
    import_document,
    import_json,
)
from client.store import Store
from client.store.secrets import set_api_key
from tests.render.html_scan import elements
from tests.store.conftest import an_error, full_turn


def _at(minute: int) -> str:
    return f"2026-11-27T18:{minute:02d}:00.000000Z"


@pytest.fixture
def store():
    with Store.open() as opened:
        yield opened


@pytest.fixture
def conversation(store):
    """Two branches, a critic's review, an error, every visibility, verdicts and settings."""
    c = store.create_conversation("Primes & <tags>", "Be brief.", {"send_reasoning": True})
    turns = {
        "root": full_turn(
            c.id,
            created_at=_at(0),
            reasoning=ReasoningTrace(
                Visibility.RAW,
                "Step one: 17 × 20 = 340.\n\nStep two: 340 + 51 = 392.\n</details> ``` <script>",
                900,
                0,
                [],
            ),
        ),
        "old": full_turn(
            c.id,
            created_at=_at(1),
            prompt="And 19 × 21?",
            answer="It is **399**.\n\n```python\nprint(19 * 21)\n",  # cut off inside a fence
            status=TurnStatus.INTERRUPTED,
            note="stopped by the user",
            reasoning=ReasoningTrace(Visibility.HIDDEN, "", 512, 2, [{"type": "redacted"}]),
        ),
        "new": full_turn(
            c.id,
            created_at=_at(2),
            prompt="And 19 × 21, again?",
            answer="日本語 answer with a [link](https://example.org) and ![img](https://evil.example/x.png)",
            usage=Usage(10, 2, None, 20, None),
            cost=Cost.unknown(),
        ),
        "failed": full_turn(
            c.id,
            created_at=_at(3),
            prompt="One more",
            answer="",
            status=TurnStatus.ERROR,
            error=an_error(),
            reasoning=ReasoningTrace(),
        ),
        "critic": full_turn(c.id, created_at=_at(4), purpose="critic", prompt="Audit step 1"),
    }
    turns["old"].parent_id = turns["new"].parent_id = turns["root"].id
    turns["failed"].parent_id = turns["critic"].parent_id = turns["new"].id
    for turn in turns.values():
        store.insert_turn(turn)
    store.set_verdict(turns["root"].id, 1, "spurious", "340 + 51 is 391")
    store.set_verdict(turns["root"].id, 0, "sound")
    return store.get_conversation(c.id), turns


def _everything(store, conversation_id):
    turns = store.turns(conversation_id)
    return (
        store.get_conversation(conversation_id),
        turns,
        {t.id: store.verdicts(t.id) for t in turns},
    )


# JSON: exact round trips


def test_the_export_covers_every_field_of_a_turn():
    # A tripwire: a new Turn field must be added to the export (and then to this list).
    assert {f.name for f in fields(Turn)} == {
        "id", "conversation_id", "prompt", "provider", "model", "parent_id", "created_at",
        "base_url", "model_reported", "status", "answer", "reasoning", "usage", "cost", "timing",
        "settings", "error", "stop_reason", "note", "purpose",
    }  # fmt: skip


def test_export_then_import_into_another_database_is_exact(store, conversation, tmp_path):
    c, _ = conversation
    text = export_json(store, c.id)
    document = json.loads(text)
    assert (document["format"], document["version"]) == ("thinkpane-export", 1)
    assert len(document["turns"]) == 5
    with Store.open(tmp_path / "elsewhere.sqlite3") as other:
        imported = import_json(other, text)
        assert imported.id == c.id  # the id was free there, so it is kept
        assert _everything(other, c.id) == _everything(store, c.id)
        again = export_document(other, c.id)
    assert {**again, "exported_at": None} == {**document, "exported_at": None}


def test_importing_a_conversation_that_is_here_changes_nothing_and_says_so(store, conversation):
    c, _ = conversation
    before = _everything(store, c.id)
    spent = store.usage_report(None, None)["total"]
    with pytest.raises(AlreadyImported) as caught:
        import_json(store, export_json(store, c.id), where="primes.json")
    assert caught.value.conversation.id == c.id
    assert str(caught.value).startswith(
        f"The conversation in primes.json is already here as {c.id}"
    )
    assert "nothing was changed" in str(caught.value)
    assert _everything(store, c.id) == before
    assert store.usage_report(None, None)["total"] == spent  # the spend is not doubled
    assert len(store.list_conversations()) == 1


def test_importing_as_a_copy_makes_new_ids_and_keeps_the_tree(store, conversation):
    c, turns = conversation
    original, original_turns, original_verdicts = _everything(store, c.id)
    copy = import_document(store, export_document(store, c.id), as_copy=True)
    assert copy.id != c.id
    conv, copied, verdicts = _everything(store, copy.id)
    assert replace(conv, id=c.id) == original
    ids = {new.id: old.id for new, old in zip(copied, original_turns, strict=True)}
    assert not set(ids) & set(ids.values())
    for new, old in zip(copied, original_turns, strict=True):
        parent = ids[new.parent_id] if new.parent_id else None
        assert replace(new, id=old.id, conversation_id=c.id, parent_id=parent) == old
    assert {ids[k]: v for k, v in verdicts.items()} == original_verdicts
    assert len(store.list_conversations()) == 2


def test_a_turn_exported_while_streaming_comes_back_interrupted(store):
    c = store.create_conversation()
    store.insert_turn(full_turn(c.id, status=TurnStatus.STREAMING, note=None))
    copy = import_document(store, export_document(store, c.id), as_copy=True)
    (turn,) = store.turns(copy.id)
    assert turn.status is TurnStatus.INTERRUPTED and "streaming" in (turn.note or "")


def test_turns_may_come_in_any_order_in_the_file(store, conversation, tmp_path):
    c, _ = conversation
    document = export_document(store, c.id)
    document["turns"].reverse()
    with Store.open(tmp_path / "other.sqlite3") as other:
        import_document(other, document)
        assert _everything(other, c.id) == _everything(store, c.id)


def _broken(store, conversation_id, change):
    document = export_document(store, conversation_id)
    change(document)
    return document


def _set(path, value):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.clear(), "not a Thinkpane export"),
        (_set(["format"], "something-else"), "not a Thinkpane export"),
        (_set(["version"], 2), "version 2 export; this Thinkpane reads version 1"),
        (_set(["version"], "1"), "'version' should be a whole number"),
        (_set(["conversation"], []), "'conversation' should be an object"),
        (_set(["turns"], {}), "'turns' should be a list"),
        (_set(["turns", 0, "id"], None), "Turn 1 of the file has no 'id'"),
        (_set(["turns", 0, "prompt"], 17), "'prompt' should be text"),
        (_set(["turns", 0, "status"], "exploded"), "value Thinkpane does not know"),
        (_set(["turns", 0, "usage", "input_tokens"], "13"), "should be a whole number"),
        (_set(["turns", 0, "usage", "input_tokens"], True), "should be a whole number"),
        (_set(["turns", 0, "cost", "total"], "a lot"), "should be a decimal"),
        (_set(["turns", 0, "cost", "total"], "NaN"), "should be a decimal"),
        (_set(["turns", 0, "reasoning", "opaque"], ["x"]), "list of objects"),
        (_set(["turns", 0, "purpose"], "spam"), "chat or critic"),
        (_set(["turns", 0, "error"], {"kind": "boom"}), "value Thinkpane does not know"),
        (_set(["turns", 0, "verdicts"], [{"step": -1, "verdict": "sound"}]), "name a step"),
        (_set(["turns", 0, "verdicts"], [{"step": 0, "verdict": "meh"}]), "name a step"),
        (_set(["turns", 1, "parent_id"], "t_nowhere"), "not in the file"),
        (lambda d: d["turns"].append(d["turns"][0]), "two turns with the same id"),
        (_set(["turns", 0, "parent_id"], "__last__"), "in a circle"),
    ],
)
def test_a_file_that_is_not_an_export_says_what_is_wrong_and_adds_nothing(
    store, conversation, change, words
):
    c, _ = conversation

    def apply(document):
        change(document)
        if document.get("turns") and isinstance(document["turns"], list):
            first = document["turns"][0]
            if isinstance(first, dict) and first.get("parent_id") == "__last__":
                first["parent_id"] = document["turns"][-1]["id"]

    before = len(store.list_conversations())
    with pytest.raises(InvalidExport) as caught:
        import_document(store, _broken(store, c.id, apply))
    message = str(caught.value)
    assert words in message and message[0].isupper() and message.endswith("."), message
    assert len(store.list_conversations()) == before


def test_text_that_is_not_json_is_a_sentence(store):
    with pytest.raises(InvalidExport, match=r"^The file is not JSON \(.*line 1\)"):
        import_json(store, "# A markdown export\n")


def test_an_unknown_conversation_is_a_key_error(store):
    for export in (export_json, export_markdown, export_html):
        with pytest.raises(KeyError):
            export(store, "c_missing")


# Secrets


def test_no_export_contains_a_key_from_the_keyring_or_the_environment(
    store, conversation, monkeypatch
):
    c, turns = conversation
    keys = {
        "sk-proj-abcdefghijklmnop1234567890",
        "sk-ant-api03-ZYXWVUTSRQ0987654321",
        "AIzaSyD-0123456789abcdefghij",
    }
    set_api_key("openai", "sk-proj-abcdefghijklmnop1234567890")
    set_api_key("anthropic", "sk-ant-api03-ZYXWVUTSRQ0987654321")
    monkeypatch.setenv("GEMINI_API_KEY", "AIzaSyD-0123456789abcdefghij")
    turn = replace(turns["new"], base_url="https://me:sk-proxy-secret-999@proxy.example/v1")
    store.finalise_turn(turn)
    keys.add("sk-proxy-secret-999")
    outputs = [export_json(store, c.id)]
    for export in (export_markdown, export_html):
        outputs += [export(store, c.id), export(store, c.id, all_branches=True)]
    for text in outputs:
        for key in keys:
            assert key not in text
    (exported,) = [t for t in json.loads(outputs[0])["turns"] if t["id"] == turn.id]
    assert exported["base_url"] == "https://proxy.example/v1"


# Markdown


def test_markdown_shows_the_newest_branch_by_default(store, conversation):
    c, t = conversation
    text = export_markdown(store, c.id)
    assert text.startswith("# Primes \\& \\<tags\\>\n")
    assert "one branch, 3 turns" in text
    assert "Total: 3 queries" in text
    assert "> And 19 × 21, again?" in text and "And 19 × 21?" not in text
    assert "Audit step 1" not in text  # the critic's review is beside the branch, not on it
    assert "## Turn 2 · version 2 of 2" in text
    leaf = export_markdown(store, c.id, leaf_id=t["old"].id)
    assert "## Turn 2 · version 1 of 2" in leaf and "And 19 × 21, again?" not in leaf


def test_markdown_folds_reasoning_with_its_visibility(store, conversation):
    c, _ = conversation
    text = export_markdown(store, c.id, all_branches=True)
    assert text.count("<details>") == text.count("\n</details>\n") == 4
    assert "<summary>Reasoning, raw: the model's own reasoning · 900 tokens</summary>" in text
    assert "<summary>Reasoning, hidden: billed, but the provider sent none of its text · 512 tokens · 2 redacted blocks</summary>" in text  # fmt: skip
    assert "<summary>Reasoning, summary: written by the provider" in text
    # The trace holds a fence of three backticks, so its block is fenced with four.
    assert "````text\nStep one: 17 × 20 = 340." in text and "</details> ``` <script>\n````" in text


def test_markdown_has_figures_status_and_verdicts(store, conversation):
    c, _ = conversation
    text = export_markdown(store, c.id, all_branches=True)
    assert "*claude\\-sonnet-4-5-20250929" not in text  # hyphens are not escaped
    assert "claude-sonnet-4-5-20250929 (anthropic) · effort high · budget 8,000 · 13 in / 1,680 out / 1,408 reasoning tokens · $0.025 · 9.8 s" in text  # fmt: skip
    assert "10 in / 20 out tokens · cost unknown" in text
    assert "> **The answer was cut short; what arrived is kept. stopped by the user.**" in text
    assert "The request failed. Slow down; try again in a minute." in text
    assert "- step 1 (“Step one: 17 × 20 = 340.”): sound" in text
    assert "- step 2 (“Step two: 340 + 51 = 392. \\</details\\> \\`\\`\\` \\<script\\>”): spurious, 340 + 51 is 391" in text  # fmt: skip
    assert "Critic's review of turn 2" in text
    assert "all 5 turns, 2 branches" in text


def test_markdown_closes_a_code_fence_an_answer_left_open(store, conversation):
    c, t = conversation
    text = export_markdown(store, c.id, leaf_id=t["old"].id)
    assert "```python\nprint(19 * 21)\n```\n" in text
    assert text.count("```python") == 1


def test_an_empty_conversation_exports(store):
    c = store.create_conversation()
    assert "No turns yet." in export_markdown(store, c.id)
    assert "No turns yet." in export_html(store, c.id)
    assert json.loads(export_json(store, c.id))["turns"] == []


# HTML


def test_html_is_one_inert_self_contained_page(store, conversation):
    c, _ = conversation
    page = export_html(store, c.id, all_branches=True)
    found = elements(page)
    tags = [e.tag for e in found]
    assert page.startswith("<!DOCTYPE html>") and tags.count("style") == 1
    assert not {"script", "img", "iframe", "object", "embed", "link", "base", "form"} & set(tags)
    for element in found:
        for name, value in element.attrs.items():
            assert not name.startswith("on"), element
            assert name not in {"src", "srcset", "background", "action", "formaction"}, element
            if name == "href":
                assert (value or "").startswith(("http://", "https://", "mailto:")), element
            if name == "style":
                assert "url(" not in (value or ""), element
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
    csp = [e.attrs["content"] for e in found if e.attrs.get("http-equiv") == "Content-Security-Policy"]  # fmt: skip
    assert csp and "default-src 'none'" in csp[0]
    assert "evil.example/x.png" in page  # the image is named as text, never loaded
    assert "https://example.org" in [e.attrs.get("href") for e in found if e.tag == "a"]


def test_html_folds_reasoning_with_its_visibility_as_plain_text(store, conversation):
    c, _ = conversation
    page = export_html(store, c.id, all_branches=True)
    found = elements(page)
    summaries = [e.text for e in found if e.tag == "summary"]
    assert summaries[0] == "Reasoning, raw: the model's own reasoning · 900 tokens"
    assert any(s.startswith("Reasoning, hidden") for s in summaries)
    assert any(s.startswith("Reasoning, summary") for s in summaries)
    assert len([e for e in found if e.tag == "details"]) == 4
    raw = next(e for e in found if e.tag == "details")
    assert "</details> ``` <script>" in raw.text  # escaped, shown as written
    assert "&lt;/details&gt; ``` &lt;script&gt;" in page
    assert "<title>Primes &amp; &lt;tags&gt;</title>" in page


def test_html_has_figures_verdicts_and_no_internal_links(store, conversation):
    c, _ = conversation
    page = export_html(store, c.id, all_branches=True)
    assert "thinkpane-copy:" not in page and "thinkpane-image:" not in page
    assert '<p class="code-label">python</p>' in page
    assert "13 in / 1,680 out / 1,408 reasoning tokens · $0.025" in page
    assert "step 2 (“Step two: 340 + 51 = 392. &lt;/details&gt;" in page
    assert page.count('<section class="turn"') == 5


def test_a_hostile_prompt_and_answer_stay_text(store):
    c = store.create_conversation("<script>alert(1)</script>")
    hostile = '<img src=x onerror=alert(1)> <iframe src="https://evil.example"></iframe> [x](javascript:alert(1))'
    store.insert_turn(full_turn(c.id, prompt=hostile, answer=hostile))
    page = export_html(store, c.id)
    assert not {"img", "iframe", "script"} & {e.tag for e in elements(page)}
    assert "javascript:" not in " ".join(e.attrs.get("href") or "" for e in elements(page))


def test_markdown_and_html_carry_the_auditors_findings(store, conversation):
    c, _ = conversation
    text = export_markdown(store, c.id, all_branches=True)
    assert "**What the auditor found**" in text
    assert "- error (arithmetic) in step 2 (“340 + 51 = 392”): 340 + 51 is 391, not 392." in text
    assert "No problems found in 1 step." in text  # the turn whose summary adds up
    page = export_html(store, c.id, all_branches=True)
    assert "What the auditor found" in page
    assert "error (arithmetic) in step 2 (“340 + 51 = 392”): 340 + 51 is 391, not 392." in page


def test_html_gives_each_formula_mathml_with_its_tex_and_markdown_keeps_tex(store):
    c = store.create_conversation("Maths")
    answer = "So $\\binom{28}{4} = 20475$, and\n\n$$x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$$\n\nA pen costs $3 and a book $4."
    reasoning = ReasoningTrace(Visibility.RAW, "Try \\(n^2\\) first.", 10, 0, [])
    store.insert_turn(
        full_turn(c.id, prompt="What is $\\binom{28}{4}$?", answer=answer, reasoning=reasoning)
    )
    page = export_html(store, c.id)
    maths = [e for e in elements(page) if e.tag == "math"]
    assert len(maths) == 4  # prompt, two in the answer, one in the reasoning
    annotations = [e.text for e in elements(page) if e.tag == "annotation"]
    assert "\\binom{28}{4} = 20475" in annotations and "n^2" in annotations
    assert not {"img", "script"} & {e.tag for e in elements(page)}
    assert "thinkpane-math" not in page
    assert "costs $3 and a book $4." in page
    markdown_text = export_markdown(store, c.id)
    assert "$\\binom{28}{4} = 20475$" in markdown_text and "<math" not in markdown_text


def test_hostile_maths_in_an_html_export_fetches_nothing(store):
    c = store.create_conversation("Hostile maths")
    answer = (
        "$\\href{https://evil.example/a}{x}$ and $\\includegraphics{https://evil.example/b.png}$"
    )
    store.insert_turn(full_turn(c.id, answer=answer))
    page = export_html(store, c.id)
    assert not [
        e for e in elements(page) if e.tag in ("math", "img", "a") and "evil" in str(e.attrs)
    ]
    assert "\\href{https://evil.example/a}{x}" in page  # shown as its source text
