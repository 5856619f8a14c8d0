"""The think-tag splitter against PROVIDERS.md §16: every rule R1–R12, every row of its table, and
fuzzing that the outcome never depends on where the text was cut into chunks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.core.events import AnswerDelta, ReasoningDelta, Reclassify, StreamEvent, Visibility
from client.providers.thinktags import DEFAULT_PAIRS, ThinkTagSplitter


@dataclass
class Outcome:
    """What a consumer ends up with once it has applied every event, `Reclassify` included."""

    reasoning: str = ""
    answer: str = ""
    reclassified: int = 0
    events: list[StreamEvent] = field(default_factory=list)
    ended_inside_reasoning: bool = False
    saw_orphan_close: bool = False

    def apply(self, events: list[StreamEvent]) -> None:
        for event in events:
            self.events.append(event)
            if isinstance(event, ReasoningDelta):
                assert event.kind is Visibility.RAW
                assert event.text
                self.reasoning += event.text
            elif isinstance(event, AnswerDelta):
                assert event.text
                self.answer += event.text
            elif isinstance(event, Reclassify):
                self.reasoning += self.answer
                self.answer = ""
                self.reclassified += 1


def split(
    chunks: list[str] | str,
    *,
    start_in_reasoning: bool = False,
    pairs: tuple[tuple[str, str], ...] = DEFAULT_PAIRS,
) -> Outcome:
    splitter = ThinkTagSplitter(start_in_reasoning=start_in_reasoning, pairs=pairs)
    outcome = Outcome()
    for chunk in [chunks] if isinstance(chunks, str) else chunks:
        outcome.apply(splitter.feed(chunk))
    outcome.apply(splitter.finish())
    outcome.ended_inside_reasoning = splitter.ended_inside_reasoning
    outcome.saw_orphan_close = splitter.saw_orphan_close
    return outcome


def one_char_at_a_time(text: str) -> list[str]:
    return list(text)


# --- the table in §16 ---------------------------------------------------------------------------


def test_table_tag_split_over_chunks() -> None:
    got = split(["<think>\nSum the", " digits.</th", "ink>\n\n9"])
    assert (got.reasoning, got.answer, got.reclassified) == ("Sum the digits.", "9", 0)


def test_table_orphan_close_without_hint_reclassifies() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("Sum the digits.") == [AnswerDelta("Sum the digits.")]
    assert splitter.feed("</think>") == [Reclassify()]
    assert splitter.feed("\n\n9") == [AnswerDelta("9")]
    assert splitter.finish() == []
    assert splitter.saw_orphan_close


def test_table_empty_block_gives_answer_only() -> None:
    got = split(["<think>\n\n</think>\n\n", "9"])
    assert got.events == [AnswerDelta("9")]


def test_table_stream_ends_inside_block() -> None:
    got = split(["<think>Still summing the di"])
    assert (got.reasoning, got.answer) == ("Still summing the di", "")
    assert got.ended_inside_reasoning


def test_table_opening_tag_mid_answer_is_literal() -> None:
    got = split(["The <think> tag marks"])
    assert got.events == [AnswerDelta("The <think> tag marks")]


def test_table_partial_tag_at_finish_is_literal_answer() -> None:
    got = split(["ends with <thi"])
    assert (got.reasoning, got.answer) == ("", "ends with <thi")


# --- R1, R2: decoded input, configurable pairs -------------------------------------------------


def test_r1_groq_escapes_read_as_tags_once_json_is_decoded() -> None:
    deltas = ['"\\u003cthink\\u003eplan"', '"\\u003c/think\\u003e\\n\\nok"']
    got = split([json.loads(delta) for delta in deltas])
    assert (got.reasoning, got.answer) == ("plan", "ok")


@pytest.mark.parametrize(("opening", "closing"), DEFAULT_PAIRS)
def test_r2_every_default_pair(opening: str, closing: str) -> None:
    text = f"{opening}\nweigh it\n{closing}\n\nanswer"
    expected = ("weigh it", "answer")
    assert (split(text).reasoning, split(text).answer) == expected
    got = split(one_char_at_a_time(text))
    assert (got.reasoning, got.answer) == expected


def test_r2_block_closes_only_on_its_partner() -> None:
    got = split("<thought>a</think>b</thinking>c</thought>d")
    assert (got.reasoning, got.answer) == ("a</think>b</thinking>c", "d")


def test_r2_custom_pairs_replace_the_defaults() -> None:
    pairs = (("[[", "]]"),)
    got = split(["[", "[mull]", "] out"], pairs=pairs)
    assert (got.reasoning, got.answer) == ("mull", "out")
    assert split(["<think>x</think>"], pairs=pairs).answer == "<think>x</think>"


def test_r2_longest_tag_wins_and_waits_until_decided() -> None:
    pairs = (("<a>", "</a>"), ("<a>b>", "</a>b>"))
    assert split(["<a>", "b>x</a>", "b>y"], pairs=pairs).answer == "y"
    block = split(["<a>", "b>c</a>", "d</a>b>e"], pairs=pairs)
    assert (block.reasoning, block.answer) == ("c</a>d", "e")
    ended = split(["<a>"], pairs=pairs)
    assert (ended.reasoning, ended.answer, ended.ended_inside_reasoning) == ("", "", True)


@pytest.mark.parametrize("pairs", [(), (("", "</x>"),), ((" <x>", "</x>"),)])
def test_r2_unusable_pairs_are_refused(pairs: tuple[tuple[str, str], ...]) -> None:
    with pytest.raises(ValueError):
        ThinkTagSplitter(pairs=pairs)


# --- R3: holdback ------------------------------------------------------------------------------


def test_r3_tag_split_over_many_chunks() -> None:
    got = split(["<th", "in", "k>", "ponder", "</", "thi", "nk", ">", "done"])
    assert (got.reasoning, got.answer) == ("ponder", "done")


def test_r3_text_on_both_sides_of_a_tag_in_one_chunk() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("<think>a") == [ReasoningDelta("a")]
    assert splitter.feed("b</think>c") == [ReasoningDelta("b"), AnswerDelta("c")]


def test_r3_only_a_possible_tag_is_held() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("<think>x </thi") == [ReasoningDelta("x")]
    assert splitter.feed("s") == [ReasoningDelta(" </this")]


def test_r3_lt_that_cannot_start_a_tag_is_released_at_once() -> None:
    assert ThinkTagSplitter().feed("a <b") == [AnswerDelta("a <b")]
    reasoning = ThinkTagSplitter()
    reasoning.feed("<think>")
    assert reasoning.feed("if x <y") == [ReasoningDelta("if x <y")]
    assert reasoning.feed("<") == []  # could still be "</think>"


def test_r3_in_provisional_answer_only_closing_tags_are_held() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("a<th") == [AnswerDelta("a<th")]
    assert splitter.feed("</th") == []


def test_r3_after_the_reasoning_nothing_is_held() -> None:
    splitter = ThinkTagSplitter()
    splitter.feed("<think>r</think>")
    assert splitter.feed("a </thi") == [AnswerDelta("a </thi")]


def test_r3_holdback_is_shorter_than_the_longest_tag() -> None:
    splitter = ThinkTagSplitter()
    splitter.feed("<think>r")
    longest = max(len(tag) for pair in DEFAULT_PAIRS for tag in pair)
    almost = "<|end_of_thought|"  # a prefix of a closing tag, though not this block's
    assert len(almost) < longest
    assert splitter.feed(almost) == [ReasoningDelta(almost)]
    assert splitter.feed("</think") == []


def test_r3_ten_thousand_tiny_chunks() -> None:
    body = "step <x> < y; " * 700
    text = f"<think>{body}</think>\n\n" + "answer, 1 < 2 " * 40
    got = split(one_char_at_a_time(text))
    assert len(text) > 10_000
    assert (got.reasoning, got.answer) == (body.strip(), "answer, 1 < 2 " * 40)


# --- R4: opening tags only at the start --------------------------------------------------------


def test_r4_whitespace_before_the_opening_tag_is_allowed_and_dropped() -> None:
    got = split(["\n \t", "\n<think>r</think>a"])
    assert got.events == [ReasoningDelta("r"), AnswerDelta("a")]


def test_r4_leading_whitespace_of_a_plain_answer_is_dropped() -> None:
    assert split(["\n\n", "  Hello\n"]).answer == "Hello\n"


def test_r4_no_second_block_after_the_first() -> None:
    got = split("<think>a</think>b<think>c</think>d")
    assert (got.reasoning, got.answer) == ("a", "b<think>c</think>d")


# --- R5: orphan close --------------------------------------------------------------------------


def test_r5_forced_open_prompt_starts_in_reasoning() -> None:
    got = split(["\nSum the digits.\n", "</think>", "\n\n9"], start_in_reasoning=True)
    assert got.events == [ReasoningDelta("Sum the digits."), AnswerDelta("9")]
    assert got.saw_orphan_close and not got.ended_inside_reasoning


def test_r5_forced_open_but_model_writes_the_opening_tag_anyway() -> None:
    got = split("<think>r</think>a", start_in_reasoning=True)
    assert (got.reasoning, got.answer, got.saw_orphan_close) == ("r", "a", False)


def test_r5_orphan_close_of_any_pair_and_only_once() -> None:
    got = split(["Let me see. ", "<think> is literal", "\n</thought>\n", "A </think> B"])
    assert got.reasoning == "Let me see. <think> is literal"
    assert (got.answer, got.reclassified) == ("A </think> B", 1)


def test_r5_whitespace_before_the_orphan_close_is_not_reclassified() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("plan \n") == [AnswerDelta("plan")]
    assert splitter.feed("</think>ok") == [Reclassify(), AnswerDelta("ok")]


def test_r5_normal_block_does_not_count_as_orphan() -> None:
    assert not split("<think>r</think>a").saw_orphan_close


# --- R6, R7, R8 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("start_in_reasoning", [False, True])
def test_r6_closing_tag_that_opens_the_content_is_dropped(start_in_reasoning: bool) -> None:
    got = split(["</th", "ink>\n\nThe answer"], start_in_reasoning=start_in_reasoning)
    assert got.events == [AnswerDelta("The answer")]
    assert not got.saw_orphan_close


@pytest.mark.parametrize(
    "chunks",
    [
        ["<think>\n\n</think>\n\n"],
        ["<think>", "</think>"],
        ["<think> \n\t", "\n", "</think>", "\n"],
    ],
)
def test_r7_empty_block_yields_no_reasoning_events(chunks: list[str]) -> None:
    got = split([*chunks, "Hi"])
    assert got.events == [AnswerDelta("Hi")]


def test_r8_reasoning_trimmed_inner_whitespace_kept() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("<think>\n\n  first\n\n") == [ReasoningDelta("first")]
    assert splitter.feed("second  ") == [ReasoningDelta("\n\nsecond")]
    assert splitter.feed("\n</think>\r\n\n answer\n") == [AnswerDelta("answer\n")]


# --- R9: structured reasoning wins -------------------------------------------------------------


def test_r9_tags_still_stripped_but_their_text_dropped() -> None:
    splitter = ThinkTagSplitter()
    splitter.structured_reasoning_seen()
    events = splitter.feed("<think>duplicate</think>\n\nAnswer") + splitter.finish()
    assert events == [AnswerDelta("Answer")]


def test_r9_seen_mid_block_drops_the_rest_of_it() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("<think>a ") == [ReasoningDelta("a")]
    splitter.structured_reasoning_seen()
    assert splitter.feed("b</think>c") + splitter.finish() == [AnswerDelta("c")]


def test_r9_forced_open_reasoning_is_dropped_too() -> None:
    splitter = ThinkTagSplitter(start_in_reasoning=True)
    splitter.structured_reasoning_seen()
    assert splitter.feed("dup</think>ans") + splitter.finish() == [AnswerDelta("ans")]


# --- R10, R11, R12: finishing ------------------------------------------------------------------


def test_r10_ending_inside_a_block_flushes_the_held_partial_tag_as_reasoning() -> None:
    got = split(["<think>Still ", "</thi"])
    assert (got.reasoning, got.answer, got.ended_inside_reasoning) == ("Still </thi", "", True)


def test_r10_forced_open_without_close_is_all_reasoning() -> None:
    got = split(["a\n", "b \n"], start_in_reasoning=True)
    assert (got.reasoning, got.answer, got.ended_inside_reasoning) == ("a\nb", "", True)
    assert split("", start_in_reasoning=True).ended_inside_reasoning


def test_r11_held_text_goes_literally_to_the_current_channel() -> None:
    assert split(["An answer </thin"]).answer == "An answer </thin"
    assert split(["<thin"]).answer == "<thin"
    assert split(["<thin"], start_in_reasoning=True).reasoning == "<thin"


def test_r11_unreclassified_provisional_answer_stays_answer_with_its_whitespace() -> None:
    got = split(["Just an answer.", "\n"])
    assert (got.reasoning, got.answer, got.ended_inside_reasoning) == (
        "",
        "Just an answer.\n",
        False,
    )


def test_r12_one_splitter_per_response() -> None:
    splitter = ThinkTagSplitter()
    splitter.feed("x")
    splitter.finish()
    assert splitter.finish() == []
    with pytest.raises(RuntimeError):
        splitter.feed("more")


# --- fuzzing -------------------------------------------------------------------------------------

_TAGS = [tag for pair in DEFAULT_PAIRS for tag in pair]
_PARTIALS = ["<", "</", "<th", "</thi", "<think", "◁", "◁/", "▷", ">", "<|", "|>", "/"]
_WORDS = ["a", "word", "x<y", "é", "思考", "🙂"]
_SPACES = [" ", "\n", "\n\n", "\t", "\r\n", "\u3000"]
_FRAGMENTS = st.sampled_from([*_TAGS, *_TAGS, *_PARTIALS, *_WORDS, *_SPACES])


def reference(text: str, start_in_reasoning: bool) -> tuple[str, str]:
    """The same rules applied to the whole text at once, written as plainly as possible."""
    partner = dict(DEFAULT_PAIRS)
    closings = list(partner.values())
    body = text.lstrip()
    for tag in [*partner, *closings]:
        if body.startswith(tag):
            rest = body[len(tag) :]
            if tag in closings:
                return "", rest.lstrip()
            end = rest.find(partner[tag])
            if end < 0:
                return rest.strip(), ""
            return rest[:end].strip(), rest[end + len(partner[tag]) :].lstrip()
    found = [(body.find(tag), tag) for tag in closings if tag in body]
    if not found:
        return (body.strip(), "") if start_in_reasoning else ("", body)
    end, tag = min(found)
    return body[:end].strip(), body[end + len(tag) :].lstrip()


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_FRAGMENTS, max_size=25).map("".join),
    st.lists(st.integers(min_value=0), max_size=25),
    st.booleans(),
)
def test_outcome_does_not_depend_on_chunking(text: str, cuts: list[int], forced: bool) -> None:
    edges = [0, *sorted({cut % (len(text) + 1) for cut in cuts}), len(text)]
    chunks = [text[start:end] for start, end in zip(edges, edges[1:], strict=False)]
    whole = split(text, start_in_reasoning=forced)
    pieces = split(chunks, start_in_reasoning=forced)
    assert (pieces.reasoning, pieces.answer) == (whole.reasoning, whole.answer)
    assert pieces.reclassified == whole.reclassified <= 1
    assert pieces.ended_inside_reasoning == whole.ended_inside_reasoning
    assert pieces.saw_orphan_close == whole.saw_orphan_close
    assert (whole.reasoning, whole.answer) == reference(text, forced)
    assert pieces.reasoning == pieces.reasoning.strip()
    assert pieces.answer == pieces.answer.lstrip()


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=25).map("".join), st.booleans())
def test_one_character_chunks_match_the_whole(text: str, forced: bool) -> None:
    whole = split(text, start_in_reasoning=forced)
    pieces = split(one_char_at_a_time(text), start_in_reasoning=forced)
    assert (pieces.reasoning, pieces.answer) == (whole.reasoning, whole.answer)
