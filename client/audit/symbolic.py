"""The `symbolic` check: equalities in LaTeX maths that plain arithmetic cannot read.

It finds the equality chains in a step's maths (latex.py), leaves out the sentences that test,
suppose or negate, and hands each chain to the modules that judge it, exactly (fractions or
SymPy, never floats):

- each link of a chain, an evaluated function or an identity (chain_links.py);
- a claimed solution substituted back, a line of solving that changes the solution, a value
  worked out for a name and restated (solutions.py).

Plain arithmetic between numbers is left to the arithmetic check. The parser refuses what it
does not read, bounds every size, and SymPy is imported only when a claim needs it, never on
the window's start-up path (sympy_work.py). Each audit gets a time budget: when it runs out,
the remaining claims are left unjudged, quietly.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from client.audit.chain_links import CHECK, check_chain
from client.audit.exact import NeedsSympy, Unjudged, exact
from client.audit.latex import Chain, Node, chains, parse
from client.audit.solutions import Equation, check_solution
from client.audit.sympy_work import BUDGET_SECONDS, Budget
from client.audit.trees import lone_name, symbols
from client.core.audit import Finding, Step

__all__ = ["CHECK", "Budget", "check_symbolic"]

# A sentence that tests, supposes or negates is not asserting its equalities.
_SKIP_WORDS = re.compile(
    r"\b(?:check|checking|plug|plugging|plugged|not|suppose|supposing|assume|assuming|try|"
    r"trying|test|testing|wrong|incorrect|mistake|whether|"
    r"false|contradiction|impossible|no solution|mod|modulo|remainder|approximately|"
    r"approx|roughly|incorrectly)\b|n't|\?",
    re.IGNORECASE,
)
_REWRITING = re.compile(
    r"\b(?:expand\w*|factor(?:s|ed|ing|i[sz]e[sd]?|i[sz]ing|ization|isation)?|simplif\w*|"
    r"rewrit\w*|multiply\w* out|identity|(?:synthetic|long) division)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<!\d)[.!?](?=\s|$)|\n\s*\n")
_WINDOW = 400  # characters of a sentence read either side of a chain


def check_symbolic(steps: Sequence[Step], budget: float = BUDGET_SECONDS) -> list[Finding]:
    """Findings for false symbolic equalities and wrong substituted solutions in a trace."""
    clock = Budget(budget)
    findings: list[Finding] = []
    # The equations of the step before: "Solve 5y + 8 = 43." then "Then 5y = 43 + 8" is one
    # derivation across two steps.
    carried: list[Equation] = []
    for step in steps:
        if "=" not in step.text or ("\\" not in step.text and "$" not in step.text):
            carried = []
            continue
        found, carried = _check_step(step, clock, carried)
        findings.extend(found)
    return findings


def _check_step(
    step: Step, clock: Budget, carried: list[Equation]
) -> tuple[list[Finding], list[Equation]]:
    text = step.text
    findings: list[Finding] = []
    equations: list[Equation] = list(carried)
    sentences = _Sentences(text)
    for chain in chains(text):
        if sentences.skipped(chain):
            continue
        trees = [parse(side) for side in chain.sides]
        rewriting = _REWRITING.search(sentences.lead_in(chain)) is not None
        findings.extend(check_chain(step.index, text, chain, trees, rewriting, clock))
        if len(trees) == 2 and trees[0] is not None and trees[1] is not None:
            check_solution(step.index, text, chain, trees, equations, findings, clock)
        elif _worked_value(trees):
            # "x = \frac{24}{15} = \frac{8}{5}": the value claimed for x is the last side; the
            # working between is the arithmetic check's.
            value = _value_node(trees[-1])
            if value is not None:
                claim = [trees[0], value]
                check_solution(step.index, text, chain, claim, equations, findings, clock)
    return findings, [e for e in equations if e.step == step.index]


def _worked_value(trees: list[Node | None]) -> bool:
    """A name, then numbers only: `x = \frac{24}{15} = \frac{8}{5}`."""
    first = trees[0]
    return (
        len(trees) > 2
        and first is not None
        and lone_name(first)
        and all(tree is not None and not symbols(tree) for tree in trees[1:])
    )


def _value_node(tree: Node | None) -> Node | None:
    """The exact value of a side as a plain number: a value, never something to work out."""
    if tree is None:
        return None
    try:
        return ("num", exact(tree), False)
    except (NeedsSympy, Unjudged, ZeroDivisionError, OverflowError, ValueError):
        return None


class _Sentences:
    """Where the sentences of one step start and end, found once (a step may be 100,000
    characters of maths: nothing here may rescan it per chain). A sentence is read at most
    `_WINDOW` characters either side of a chain."""

    def __init__(self, text: str) -> None:
        self.text = text
        found = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text)]
        self.starts = [start for start, _ in found]
        self.ends = [end for _, end in found]

    def start_before(self, at: int) -> int:
        k = bisect_right(self.ends, at) - 1
        return max(self.ends[k] if k >= 0 else 0, at - _WINDOW)

    def end_after(self, at: int) -> int:
        k = bisect_left(self.starts, at)
        end = self.ends[k] if k < len(self.ends) else len(self.text)
        return min(end, at + _WINDOW)

    def skipped(self, chain: Chain) -> bool:
        """Does the sentence around the chain test, suppose or negate? For displayed maths,
        only the words leading into it count: what follows a display is the next remark."""
        at = chain.sides[0].start
        start = self.start_before(at)
        if _displayed(self.text, chain.segment_start):
            end = min(chain.segment_end, at + _WINDOW)
        else:
            end = self.end_after(at)
        sentence = re.sub(r"\\[A-Za-z]+", " ", self.text[start:end])
        return bool(_SKIP_WORDS.search(sentence))

    def lead_in(self, chain: Chain) -> str:
        """The words of the sentence before the chain ("Expanding, we get")."""
        at = chain.sides[0].start
        return self.text[self.start_before(at) : at]


def _displayed(text: str, segment_start: int) -> bool:
    lead = text[max(0, segment_start - 24) : segment_start]
    return lead.endswith(("\\[", "$$")) or bool(re.search(r"\\begin\{[a-z*]+\}$", lead))
