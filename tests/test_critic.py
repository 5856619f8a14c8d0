"""The model critic run end to end against a loopback server: blind prompt, verified quotes,
a critic turn stored under the audited turn and counted in the conversation's ledger."""

from __future__ import annotations

import json

from client.core.conversation import TurnSettings
from client.critic import critic_turns, review_of, run_critic
from client.session import TurnController
from client.store.store import Store
from tests.support.chat import chunk, simple_stream, usage_chunk
from tests.support.replay import Reply, sse

PATH = "/v1/chat/completions"
REASONING = "We need 17 × 3.\n\n17 × 3 = 41.\n\nSo the total is 41 + 9 = 50."


def _ask(controller: TurnController, replay) -> object:
    replay.add(PATH, Reply(chunks=sse(*simple_stream(REASONING, "The answer is 50."), done=True)))
    prepared = controller.prepare(
        provider="openai-compatible",
        model="qwen3",
        prompt="What is 17 × 3 + 9?",
        base_url=replay.url + "/v1",
        settings=TurnSettings(system="Be terse."),
    )
    return controller.run(prepared)


def test_critic_verdicts_are_checked_against_the_steps_and_stored_as_a_turn(replay):
    with Store.open() as store:
        controller = TurnController(store)
        audited = _ask(controller, replay)
        reply = json.dumps(
            {
                "first_error_step": 1,
                "verdicts": [
                    {
                        "step": 1,
                        "verdict": "error",
                        "type": "arithmetic",
                        "quote": "17 × 3 = 41",
                        "why": "17 × 3 is 51.",
                    },
                    {
                        "step": 2,
                        "verdict": "error",
                        "type": "logic",
                        "quote": "not in the step",
                        "why": "made up",
                    },
                ],
            }
        )
        replay.add(
            PATH,
            Reply(
                chunks=sse(
                    chunk(content=reply), chunk(finish="stop"), usage_chunk(200, 60), done=True
                )
            ),
        )
        review = run_critic(
            controller,
            audited,
            provider="openai-compatible",
            model="critic-model",
            base_url=replay.url + "/v1",
        )
        sent = replay.requests_to(PATH)[1].json["messages"]
        # Blind and fresh: no conversation history, no system prompt, the numbered steps.
        assert len(sent) == 1 and sent[0]["role"] == "user"
        assert "[1] 17 × 3 = 41." in sent[0]["content"] and "Be terse." not in sent[0]["content"]
        assert review.opinion.first_error_step == 1
        assert [v.quote for v in review.opinion.verdicts] == ["17 × 3 = 41"]
        assert review.opinion.dropped == 1
        assert 1 in review.agreement  # the arithmetic check flags step 1 too
        [stored] = critic_turns(controller.store, audited)
        assert stored.purpose == "critic" and stored.parent_id == audited.id
        assert review_of(audited, stored).opinion == review.opinion
        # The critic's tokens are part of what the conversation cost; it never becomes the branch.
        totals = store.conversation_totals(audited.conversation_id)
        assert totals["queries"] == 2 and totals["input_tokens"] == 12 + 200
        assert [t.id for t in store.branch(audited.conversation_id)] == [audited.id]


def test_a_failed_critic_gives_an_empty_opinion(replay):
    with Store.open() as store:
        controller = TurnController(store)
        audited = _ask(controller, replay)
        replay.add(
            PATH, Reply.json(400, {"error": {"message": "bad model", "code": "model_not_found"}})
        )
        review = run_critic(
            controller,
            audited,
            provider="openai-compatible",
            model="nope",
            base_url=replay.url + "/v1",
        )
        assert review.opinion.empty and review.turn.status == "error"
