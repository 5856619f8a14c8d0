"""A demo conversation for screenshots and for trying the window without a model.

`python -m client.ui.demo` seeds a data folder with a few conversations (a raw reasoning trace,
a hidden one, code, a table, an edited prompt with two versions) and opens the window on them,
filling the screen. It refuses to touch a folder that already has data: point THINKPANE_HOME at
an empty folder, or leave it unset and a temporary one is used. THINKPANE_THEME=dark|light picks
the theme; THINKPANE_DEMO_SEARCH=WORDS opens Ctrl+K searching for WORDS once the window is up;
THINKPANE_DEMO_OPEN=maths opens the conversation full of formulas.
"""

from __future__ import annotations

import os
import sys
import tempfile
from decimal import Decimal

from client.core.conversation import ReasoningTrace, Timing, Turn, TurnSettings, new_id
from client.core.cost import Cost, CostSource
from client.core.events import TurnStatus, Visibility
from client.core.usage import Usage

REASONING = """The user asks whether 1,001 is prime. Let me check small divisors.

It is odd, so not divisible by 2. Digit sum is 1 + 0 + 0 + 1 = 2, so not divisible by 3. It does not end in 0 or 5.

Try 7: 7 × 143 = 1,001. So 1,001 = 7 × 143, and it is not prime.

Let me factor 143 as well: 143 = 11 × 13. So 1,001 = 7 × 11 × 13.

Check: 7 × 11 = 77, and 77 × 13 = 1,001. Yes.

Wait, the user also asked for a way to check it in code. A simple trial division up to √1001 ≈ 31.6 is enough; I'll show that, and a table of the divisors I tried."""

ANSWER = """No: **1,001 is not prime**. It factors as

> 1,001 = 7 × 11 × 13

| divisor | 1,001 ÷ divisor | divides? |
|---|---|---|
| 2 | 500.5 | no |
| 3 | 333.67 | no |
| 5 | 200.2 | no |
| 7 | 143 | **yes** |

You can check any number up to a few million with trial division:

```python
def smallest_factor(n: int) -> int:
    d = 2
    while d * d <= n:
        if n % d == 0:
            return d
        d += 1
    return n  # n is prime

print(smallest_factor(1001))  # 7
```

A number is prime exactly when `smallest_factor(n) == n`."""


def _turn(
    conversation_id: str,
    parent: str | None,
    prompt: str,
    answer: str,
    *,
    provider: str,
    model: str,
    reasoning: ReasoningTrace,
    usage: Usage,
    cost: Cost,
    timing: Timing,
    settings: TurnSettings,
) -> Turn:
    return Turn(
        id=new_id("t"),
        conversation_id=conversation_id,
        prompt=prompt,
        provider=provider,
        model=model,
        parent_id=parent,
        answer=answer,
        reasoning=reasoning,
        usage=usage,
        cost=cost,
        timing=timing,
        settings=settings,
        status=TurnStatus.COMPLETE,
        model_reported=model,
    )


NOTEBOOKS = "A shop sells notebooks at $3 each. What do 17 notebooks and a $4 pen cost?"
NOTEBOOKS_REASONING = """We need the cost of 17 notebooks at $3 each, plus one pen at $4.

First the notebooks: 17 × 3 = 41.

Then add the pen: 41 + 4 = 45.

Hmm, let me double-check the pen price. The pen costs $4, so that part is right.

So the total is $45."""
CRITIC_REPLY = (
    '{"first_error_step": 1, "verdicts": [{"step": 1, "verdict": "error", "type": '
    '"arithmetic", "quote": "17 × 3 = 41", "why": "17 × 3 is 51, so the total is $55."}]}'
)


def seed_audit(store) -> str:  # type: ignore[no-untyped-def]
    """A turn whose reasoning has a false equation, and a critic's review of it (the audit)."""
    from client.audit import audit_trace, build_critic_prompt

    conversation = store.create_conversation("17 notebooks and a pen")
    answer = "17 notebooks and a pen cost **$45**."
    turn = _turn(
        conversation.id,
        None,
        NOTEBOOKS,
        answer,
        provider="deepseek",
        model="deepseek-reasoner",
        reasoning=ReasoningTrace(Visibility.RAW, NOTEBOOKS_REASONING, 96),
        usage=Usage(38, 0, None, 120, 96),
        cost=Cost(
            CostSource.PRICES,
            "USD",
            Decimal("0.000283"),
            Decimal("0.000021"),
            Decimal("0.000262"),
            Decimal("0.00021"),
        ),
        timing=Timing(0.38, 3.1, 3.6, 2.9),
        settings=TurnSettings(effort="high"),
    )
    steps = audit_trace(NOTEBOOKS_REASONING, problem=NOTEBOOKS, answer=answer).steps
    critic = _turn(
        conversation.id,
        turn.id,
        build_critic_prompt(NOTEBOOKS, steps, answer),
        CRITIC_REPLY,
        provider="openai",
        model="gpt-5-mini",
        reasoning=ReasoningTrace(Visibility.HIDDEN, "", 320),
        usage=Usage(410, 0, None, 390, 320),
        cost=Cost(
            CostSource.PRICES,
            "USD",
            Decimal("0.00088"),
            Decimal("0.0001"),
            Decimal("0.00078"),
            Decimal("0.00064"),
        ),
        timing=Timing(1.2, 4.0, 4.4, 2.8),
        settings=TurnSettings(),
    )
    critic.purpose = "critic"
    for seeded in (turn, critic):
        store.insert_turn(seeded)
        store.finalise_turn(seeded)
    return conversation.id


MATHS_PROMPT = (
    "A committee of 4 is chosen from 28 people (badges cost $3 each, a banner $4): in how many"
    " ways? Then solve $x^2 - 5x + 6 = 0$."
)
MATHS_REASONING = r"""We need $\binom{28}{4}$: the ways to choose 4 people out of 28 when order does not matter.

By definition \( \binom{n}{k} = \frac{n!}{k!\,(n-k)!} \), so
$$\binom{28}{4} = \frac{28 \cdot 27 \cdot 26 \cdot 25}{4!}$$

The numerator: $28 \cdot 27 = 756$, then $756 \cdot 26 = 19646$, and $19646 \cdot 25 = 491150$.

Wait, $756 \cdot 26 = 19656$, not 19646. Redo: $19656 \cdot 25 = 491400$, and $\frac{491400}{24} = 20475$.

Now the quadratic. With $a = 1$, $b = -5$, $c = 6$ the formula gives
\[ x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a} = \frac{5 \pm \sqrt{25 - 24}}{2} \]

So $x = \frac{5 + 1}{2} = 3$ or $x = \frac{5 - 1}{2} = 2$. Check: $3^2 - 5 \cdot 3 + 6 = 0$ and $2^2 - 5 \cdot 2 + 6 = 0$."""
MATHS_ANSWER = r"""**There are $\binom{28}{4} = 20475$ ways** to choose the committee:

$$\binom{28}{4} = \frac{28!}{4!\,24!} = \frac{28 \cdot 27 \cdot 26 \cdot 25}{24} = 20475$$

The roots of $x^2 - 5x + 6 = 0$ follow from the quadratic formula \(x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}\):

$$
\begin{aligned}
x_1 &= \frac{5 + 1}{2} = 3 \\
x_2 &= \frac{5 - 1}{2} = 2
\end{aligned}
$$

so $x^2 - 5x + 6 = (x - 2)(x - 3)$."""


def seed_maths(store) -> str:  # type: ignore[no-untyped-def]
    """A MATH-style turn: formulas in the prompt, the raw reasoning (one false equation) and the
    answer, for the typeset maths and the Steps view."""
    conversation = store.create_conversation("Committees and a quadratic")
    turn = _turn(
        conversation.id,
        None,
        MATHS_PROMPT,
        MATHS_ANSWER,
        provider="deepseek",
        model="deepseek-reasoner",
        reasoning=ReasoningTrace(Visibility.RAW, MATHS_REASONING, 640),
        usage=Usage(48, 0, None, 910, 640),
        cost=Cost(
            CostSource.PRICES,
            "USD",
            Decimal("0.00201"),
            Decimal("0.000026"),
            Decimal("0.001984"),
            Decimal("0.001395"),
        ),
        timing=Timing(0.4, 7.9, 9.6, 7.5),
        settings=TurnSettings(effort="high"),
    )
    store.insert_turn(turn)
    store.finalise_turn(turn)
    return conversation.id


def seed(store) -> str:  # type: ignore[no-untyped-def]
    """Fill an empty store with demo conversations; returns the one to open."""
    for title in (
        "Plan a three-day trip to Lisbon",
        "Why does my Rust borrow fail?",
        "Summarise the attention paper",
    ):
        store.create_conversation(title)
    seed_audit(store)
    maths = seed_maths(store)
    conversation = store.create_conversation("Is 1,001 prime?")
    settings = {"model": {"provider": "deepseek", "model": "deepseek-reasoner", "base_url": None}}
    store.update_conversation_settings(conversation.id, settings)
    first = _turn(
        conversation.id,
        None,
        "In one line: what is a prime number?",
        "A whole number above 1 whose only divisors are 1 and itself (2, 3, 5, 7, 11, …).",
        provider="openai",
        model="gpt-5-mini",
        reasoning=ReasoningTrace(Visibility.HIDDEN, "", 192),
        usage=Usage(14, 0, None, 230, 192),
        cost=Cost(
            CostSource.PRICES,
            "USD",
            Decimal("0.00046"),
            Decimal("0.0000035"),
            Decimal("0.00046"),
            Decimal("0.000384"),
        ),
        timing=Timing(1.9, 2.3, 2.6, 0.4),
        settings=TurnSettings(effort="low"),
    )
    # An earlier version of the second prompt: the window shows "2 / 2" on the newer one.
    earlier = _turn(
        conversation.id,
        first.id,
        "Is 1,001 prime?",
        "No. 1,001 = 7 × 143.",
        provider="deepseek",
        model="deepseek-chat",
        reasoning=ReasoningTrace(Visibility.NONE, "", None),
        usage=Usage(40, 0, None, 12, None),
        cost=Cost(
            CostSource.PRICES,
            "USD",
            Decimal("0.00002"),
            Decimal("0.00001"),
            Decimal("0.00001"),
            Decimal("0"),
        ),
        timing=Timing(0.3, 0.3, 0.5, None),
        settings=TurnSettings(),
    )
    second = _turn(
        conversation.id,
        first.id,
        "Is 1,001 prime? Show me how to check it.",
        ANSWER,
        provider="deepseek",
        model="deepseek-reasoner",
        reasoning=ReasoningTrace(Visibility.RAW, REASONING, 1408),
        usage=Usage(62, 0, None, 1680, 1408),
        cost=Cost(
            CostSource.PRICES,
            "USD",
            Decimal("0.00372"),
            Decimal("0.000035"),
            Decimal("0.003685"),
            Decimal("0.003088"),
        ),
        timing=Timing(0.41, 12.6, 14.9, 12.2),
        settings=TurnSettings(effort="high"),
    )
    for turn in (first, earlier, second):
        store.insert_turn(turn)
        store.finalise_turn(turn)
    store.set_setting(
        "recent_models",
        [settings["model"], {"provider": "openai", "model": "gpt-5-mini", "base_url": None}],
    )
    opened = maths if os.environ.get("THINKPANE_DEMO_OPEN") == "maths" else conversation.id
    store.set_setting("ui.last_conversation", opened)
    return opened


def main() -> int:
    if not os.environ.get("THINKPANE_HOME"):
        os.environ["THINKPANE_HOME"] = tempfile.mkdtemp(prefix="thinkpane-demo-")
    from client.store.store import Store
    from client.ui.app import tune_interpreter

    tune_interpreter()
    with Store.open() as store:
        if store.list_conversations(include_deleted=True):
            print(
                "thinkpane demo: THINKPANE_HOME already has conversations; use an empty folder.",
                file=sys.stderr,
            )
            return 2
        seed(store)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from client.ui.app import build_window

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Thinkpane")
    with Store.open() as store:
        window = build_window(app, store, discover=lambda: [], list_remote=lambda: {})
        window.setGeometry(app.primaryScreen().availableGeometry())
        window.splitter.setSizes([250, 800, 550])
        window.show()
        QTimer.singleShot(0, window.start)
        if words := os.environ.get("THINKPANE_DEMO_SEARCH", "").strip():
            window.sig_ready.connect(lambda: _search(window, words))
        return app.exec()


def _search(window, words: str) -> None:  # type: ignore[no-untyped-def]
    dialog = window.history.open_search()
    dialog.edit.setText(words)
    dialog.run_query()


if __name__ == "__main__":
    raise SystemExit(main())
