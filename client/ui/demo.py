"""A demo conversation for screenshots and for trying the window without a model.

`python -m client.ui.demo` seeds a data folder with a few conversations (a raw reasoning trace,
a hidden one, code, a table) and opens the window on them, filling the screen. It refuses to
touch a folder that already has data: point THINKPANE_HOME at an empty folder, or leave it unset
and a temporary one is used. THINKPANE_THEME=dark|light picks the theme.
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


def seed(store) -> str:  # type: ignore[no-untyped-def]
    """Fill an empty store with demo conversations; returns the one to open."""
    for title in (
        "Plan a three-day trip to Lisbon",
        "Why does my Rust borrow fail?",
        "Summarise the attention paper",
    ):
        store.create_conversation(title)
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
    for turn in (first, second):
        store.insert_turn(turn)
        store.finalise_turn(turn)
    store.set_setting(
        "recent_models",
        [settings["model"], {"provider": "openai", "model": "gpt-5-mini", "base_url": None}],
    )
    store.set_setting("ui.last_conversation", conversation.id)
    return conversation.id


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
        return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
