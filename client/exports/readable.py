"""Markdown and HTML exports: a conversation to read, share or archive outside Thinkpane.

Both show one branch, root to leaf (the newest by default), or every turn of every branch in
tree order. Each turn shows the prompt, the reasoning folded in a `<details>` block labelled with
its visibility (the model's own reasoning, a provider's summary, or hidden), the answer, the
figures (tokens, cost, time), what the auditor found in the reasoning (recomputed from the
reasoning: the store does not keep findings) and the user's step verdicts when there are any.

Markdown keeps prompts and answers as the markdown they are; reasoning goes in a fenced block
so nothing in it can break the page's structure. An answer cut off inside a code fence gets
the fence closed, or the rest of the document would read as code.

HTML is one self-contained, sanitised file: prompts and answers through `render_markdown`,
reasoning through `render_plain`, one inline `<style>`, no scripts, nothing fetched from
anywhere (a Content-Security-Policy says so too), and the window's internal links (code "Copy",
image placeholders) turned into plain text. Formulas are MathML, which browsers typeset
natively, with the TeX source as an annotation; the Markdown export keeps the TeX as written.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from client import __version__
from client.audit import segment
from client.audit.report import audit_of, finding_lines
from client.core import format as fmt
from client.core.conversation import Conversation, Turn, utc_now
from client.core.cost import CostSource
from client.core.events import TurnStatus, Visibility
from client.core.format import step_number
from client.core.usage import Usage
from client.render import render_markdown, render_plain
from client.render.fences import open_fence
from client.render.maths_html import with_mathml
from client.store import Store

VISIBILITY_LABELS = {
    Visibility.RAW: "raw: the model's own reasoning",
    Visibility.SUMMARY: "summary: written by the provider, not the full reasoning",
    Visibility.HIDDEN: "hidden: billed, but the provider sent none of its text",
}
_STEP_EXCERPT_CHARS = 80


@dataclass(frozen=True)
class Entry:
    """One turn as the export shows it: the turn, its heading, the user's verdicts."""

    turn: Turn
    heading: str
    verdicts: dict[int, tuple[str, str]]


@dataclass(frozen=True)
class Page:
    conversation: Conversation
    entries: list[Entry]
    scope: str  # which turns these are, as a phrase


def gather(
    store: Store, conversation_id: str, *, all_branches: bool = False, leaf_id: str | None = None
) -> Page:
    """The turns to show and their headings. KeyError for an unknown conversation or leaf."""
    conversation = store.get_conversation(conversation_id)
    if conversation is None:
        raise KeyError(f"no conversation {conversation_id}")
    every = store.turns(conversation_id)
    versions: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    children: dict[str | None, list[Turn]] = defaultdict(list)
    for turn in every:
        versions[(turn.parent_id, turn.purpose)].append(turn.id)
        children[turn.parent_id].append(turn)
    depth: dict[str | None, int] = {None: 0}
    ordered: list[Turn] = []
    pending = list(reversed(children[None]))
    while pending:  # depth first, children in creation order
        turn = pending.pop()
        depth[turn.id] = depth[turn.parent_id] + (turn.purpose == "chat")
        ordered.append(turn)
        pending.extend(reversed(children[turn.id]))
    if all_branches:
        shown = ordered
        leaves = len(store.leaves(conversation_id))
        scope = f"all {len(shown):,} turns, {leaves:,} branch{'es' if leaves != 1 else ''}"
    else:
        shown = store.branch(conversation_id, leaf_id)
        scope = f"one branch, {len(shown):,} turn{'s' if len(shown) != 1 else ''}"
    verdicts = store.conversation_verdicts(conversation_id)
    entries = []
    for turn in shown:
        same = versions[(turn.parent_id, turn.purpose)]
        heading = f"Turn {depth[turn.id]}"
        if turn.purpose == "critic":
            heading = f"Critic's review of turn {depth[turn.id]}"
        if len(same) > 1:
            heading += f" · version {same.index(turn.id) + 1} of {len(same)}"
        entries.append(Entry(turn, heading, verdicts.get(turn.id, {})))
    return Page(conversation, entries, scope)


# Sentences and figures shared by both formats


def _when(stamp: str) -> str:
    return f"{stamp[:10]} {stamp[11:16]} UTC" if len(stamp) >= 16 else stamp


def _title(conversation: Conversation) -> str:
    return " ".join(conversation.title.split()) or "Untitled conversation"


def _cost(turn: Turn) -> str:
    cost = turn.cost
    if cost.source is CostSource.UNKNOWN:
        return "cost unknown"
    if cost.source is CostSource.LOCAL:
        return "local, $0"
    amount = fmt.money(cost.total, cost.currency)
    return {CostSource.PROVIDER: f"{amount} reported by the provider"}.get(cost.source, amount)


def figures(turn: Turn) -> str:
    """model · settings · tokens in / out / reasoning · cost · time."""
    parts = [f"{turn.model_reported or turn.model} ({turn.provider})"]
    s = turn.settings
    for label, value in (("effort", s.effort), ("budget", s.thinking_budget)):
        if value is not None:
            parts.append(f"{label} {value:,}" if isinstance(value, int) else f"{label} {value}")
    u = turn.usage
    if not u.is_empty:
        tokens = f"{fmt.tokens(u.input_tokens, 'in')} / {fmt.tokens(u.output_tokens, 'out')}"
        if u.reasoning_tokens is not None:
            tokens += f" / {fmt.tokens(u.reasoning_tokens, 'reasoning')}"
        parts.append(tokens + " tokens")
    parts.append(_cost(turn))
    if turn.timing.total_s is not None:
        parts.append(fmt.duration(turn.timing.total_s))
    return " · ".join(parts)


def price_line(turn: Turn) -> str:
    """Which rates priced the turn and where they came from ("" for a local or unpriced one,
    whose figures already say so)."""
    if turn.cost.source in (CostSource.UNKNOWN, CostSource.LOCAL):
        return ""
    return turn.cost.provenance()


def status_sentence(turn: Turn) -> str:
    """What became of the turn when it did not simply complete; "" when it did."""
    if turn.status is TurnStatus.COMPLETE:
        return ""
    text = {
        TurnStatus.LENGTH: "The answer stopped at the output limit.",
        TurnStatus.REFUSED: "The model refused.",
        TurnStatus.INTERRUPTED: "The answer was cut short; what arrived is kept.",
        TurnStatus.ERROR: "The request failed.",
        TurnStatus.STREAMING: "Still streaming when exported.",
    }[turn.status]
    details = [d for d in (turn.error.message if turn.error else None, turn.note) if d]
    return " ".join([text, *(d.rstrip(".") + "." for d in details)])


def reasoning_label(turn: Turn) -> str | None:
    """The `<summary>` text of the reasoning block; None when there was no reasoning."""
    r = turn.reasoning
    if r.visibility is Visibility.NONE and not r.text:
        return None
    label = f"Reasoning, {VISIBILITY_LABELS.get(r.visibility, str(r.visibility))}"
    if r.tokens is not None:
        label += f" · {fmt.tokens(r.tokens)}"
    if r.redacted_blocks:
        label += f" · {r.redacted_blocks:,} redacted block{'s' if r.redacted_blocks > 1 else ''}"
    return label


def verdict_lines(entry: Entry) -> list[str]:
    """ "step 2 (“17 × 20 = 340…”): spurious, the note" for each verdict, in step order."""
    if not entry.verdicts:
        return []
    steps = segment(entry.turn.reasoning.text)
    lines = []
    for index, (verdict, note) in sorted(entry.verdicts.items()):
        line = f"step {step_number(index)}"
        if index < len(steps):
            text = " ".join(steps[index].text.split())
            cut = text[:_STEP_EXCERPT_CHARS] + ("…" if len(text) > _STEP_EXCERPT_CHARS else "")
            line += f" (“{cut}”)"
        lines.append(f"{line}: {verdict}" + (f", {note}" if note else ""))
    return lines


def _totals(entries: list[Entry]) -> str:
    usage = sum((e.turn.usage for e in entries), Usage())
    known = [e.turn.cost.total for e in entries if e.turn.cost.total is not None]
    unpriced = len(entries) - len(known)
    money = fmt.money(sum(known, Decimal(0))) + (f" (+{unpriced} unpriced)" if unpriced else "")
    return (
        f"{len(entries):,} quer{'ies' if len(entries) != 1 else 'y'} · "
        f"{fmt.tokens(usage.input_tokens, 'in')} / {fmt.tokens(usage.output_tokens, 'out')} "
        f"tokens · {money}"
    )


def _byline(page: Page) -> str:
    return (
        f"Exported from Thinkpane {__version__} on {_when(utc_now())}: conversation "
        f"{page.conversation.id}, started {_when(page.conversation.created_at)}; {page.scope}."
    )


# Markdown


def _fence_for(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _close_open_fence(text: str) -> str:
    fence = None
    for line in text.split("\n"):
        if fence is None:
            fence = open_fence(line)
        elif fence.is_closed_by(line):
            fence = None
    return text if fence is None else f"{text.rstrip()}\n{fence.char * fence.length}"


def md_literal(text: str) -> str:
    """`text` shown literally inside a Markdown line (a title, a step excerpt, a note)."""
    return re.sub(r"([\\`*_\[\]<>|~&#])", r"\\\1", text)


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.split("\n"))


def to_markdown(page: Page) -> str:
    out = [f"# {md_literal(_title(page.conversation))}", "", f"*{_byline(page)}*", ""]
    if page.conversation.system:
        out += ["**System prompt**", "", _quoted(page.conversation.system), ""]
    if page.entries:
        out += [f"Total: {_totals(page.entries)}", ""]
    else:
        out += ["No turns yet.", ""]
    for entry in page.entries:
        turn = entry.turn
        out += ["---", "", f"## {entry.heading}", "", f"**Prompt** · {_when(turn.created_at)}", ""]
        out += [_quoted(turn.prompt), ""]
        label = reasoning_label(turn)
        if label is not None:
            fence = _fence_for(turn.reasoning.text)
            body = turn.reasoning.text or "(no text)"
            summary = html.escape(label, quote=False)
            out += ["<details>", f"<summary>{summary}</summary>", "", fence + "text"]
            out += [body, fence, "", "</details>", ""]
        out += ["**Answer**", "", _close_open_fence(turn.answer) or "*(no answer)*", ""]
        if sentence := status_sentence(turn):
            out += [f"> **{md_literal(sentence)}**", ""]
        out += [f"*{md_literal(figures(turn))}*", ""]
        if price := price_line(turn):
            out += [f"*{md_literal(price)}*", ""]
        if lines := audit_lines(entry):
            out += ["**What the auditor found**", "", *(f"- {md_literal(line)}" for line in lines)]
            out.append("")
        if lines := verdict_lines(entry):
            out += ["**Your step verdicts**", "", *(f"- {md_literal(line)}" for line in lines), ""]
    return "\n".join(out).rstrip("\n") + "\n"


# HTML

_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_STYLE = """
:root { color-scheme: light dark; --muted: #59636e; --rule: #d1d9e0; --panel: #f6f8fa; }
@media (prefers-color-scheme: dark) {
  :root { --muted: #9198a1; --rule: #3d444d; --panel: #151b23; }
  body { background: #0d1117; color: #e6edf3; }
  a { color: #4493f8; }
}
body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
header p, .meta, .who { color: var(--muted); font-size: 0.875rem; }
section.turn { border-top: 1px solid var(--rule); margin-top: 2rem; padding-top: 0.5rem; }
.prompt, blockquote.system { border-left: 3px solid var(--rule); margin: 0; padding: 0 1rem; }
details { background: var(--panel); border-radius: 6px; padding: 0.5rem 1rem; margin: 1rem 0; }
summary { cursor: pointer; color: var(--muted); }
pre { overflow-x: auto; padding: 0.75rem; border-radius: 6px; }
table { border-collapse: collapse; }
.status { font-weight: 600; }
.code-label, .image { color: var(--muted); font-size: 0.875rem; }
""".strip()

_COPY_LINK = re.compile(r'<p><a href="thinkpane-copy:\d+">Copy</a>(?: \u00b7 ([^<]*))?</p>')
_IMAGE_LINK = re.compile(r'<a href="thinkpane-image:[^"]*">([^<]*)</a>')


def _detached(fragment: str) -> str:
    """Rendered markdown without the window's internal links: a file has no window to ask."""
    fragment = _COPY_LINK.sub(
        lambda m: f'<p class="code-label">{m[1]}</p>' if m[1] else "", fragment
    )
    fragment = _IMAGE_LINK.sub(r'<span class="image">\1</span>', fragment)
    return with_mathml(fragment)  # formulas as MathML, their TeX kept as an annotation


def _markdown_html(text: str) -> str:
    return _detached(render_markdown(text)) if text.strip() else ""


def answer_html(turn: Turn) -> str:
    """A turn's answer rendered from its Markdown and sanitised, for a file (the audit report)."""
    return _markdown_html(turn.answer)


def audit_lines(entry: Entry) -> list[str]:
    """What the auditor found in a chat turn's reasoning, as sentences ([] with none to audit)."""
    if entry.turn.purpose != "chat":
        return []
    return finding_lines(entry.turn, audit_of(entry.turn))


def to_html(page: Page) -> str:
    def esc(text: str) -> str:
        return html.escape(text, quote=False)

    title = esc(_title(page.conversation))
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        f"<header><h1>{title}</h1><p>{esc(_byline(page))}</p>",
    ]
    if page.conversation.system:
        out.append("<p>System prompt</p>")
        out.append(
            f'<blockquote class="system">{with_mathml(render_plain(page.conversation.system))}</blockquote>'
        )
    totals = f"Total: {_totals(page.entries)}" if page.entries else "No turns yet."
    out.append(f"<p>{esc(totals)}</p></header>")
    for entry in page.entries:
        turn = entry.turn
        out.append(f'<section class="turn" id="{html.escape(turn.id)}">')
        out.append(f"<h2>{esc(entry.heading)}</h2>")
        out.append(f'<p class="who">Prompt · {esc(_when(turn.created_at))}</p>')
        out.append(f'<div class="prompt">{_markdown_html(turn.prompt)}</div>')
        label = reasoning_label(turn)
        if label is not None:
            body = with_mathml(render_plain(turn.reasoning.text)) or "<p>(no text)</p>"
            out.append(f"<details><summary>{esc(label)}</summary>\n{body}\n</details>")
        out.append('<p class="who">Answer</p>')
        out.append(
            f'<div class="answer">{_markdown_html(turn.answer) or "<p>(no answer)</p>"}</div>'
        )
        if sentence := status_sentence(turn):
            out.append(f'<p class="status">{esc(sentence)}</p>')
        out.append(f'<p class="meta">{esc(figures(turn))}</p>')
        if price := price_line(turn):
            out.append(f'<p class="meta">{esc(price)}</p>')
        if lines := audit_lines(entry):
            items = "".join(f"<li>{esc(line)}</li>" for line in lines)
            out.append(f'<div class="audit"><p>What the auditor found</p><ul>{items}</ul></div>')
        if lines := verdict_lines(entry):
            items = "".join(f"<li>{esc(line)}</li>" for line in lines)
            out.append(f'<div class="verdicts"><p>Your step verdicts</p><ul>{items}</ul></div>')
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
