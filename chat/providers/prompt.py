"""The strategist's system prompt and the conversion of stored turns into Converse messages.

The prompt text lives in `chat/prompts/strategist_system.md` so it can be edited without touching
code. `system_prompt()` appends the conversation's current strategy to it; `converse_messages()`
turns the stored history into the strictly alternating, user-first list Bedrock's Converse API needs.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from chat.providers.base import ChatTurn

PROMPT_PATH = Path(__file__).resolve().parent.parent / "prompts" / "strategist_system.md"


@lru_cache(maxsize=1)
def base_system_prompt() -> str:
    """The strategist prompt as written in the prompt file (read once per process)."""
    return PROMPT_PATH.read_text(encoding="utf-8").strip()


def system_prompt(current_strategy: dict[str, Any] | None) -> str:
    """The system prompt, followed by the current strategy when the conversation has one."""
    # The strategy goes here rather than into the last user turn: it is state the server holds, not
    # words the trader typed, and the system prompt is where the model looks for standing context.
    # Stored turns then reach the model verbatim, and the prompt prefix stays stable for caching.
    if not current_strategy:
        return base_system_prompt()
    strategy_json = json.dumps(current_strategy, indent=2, ensure_ascii=False)
    return (
        f"{base_system_prompt()}\n\n"
        "# Current strategy\n\n"
        "This is the strategy the builder shows right now. Treat the trader's next message as a "
        "follow-up to it (section 7).\n\n"
        f"<current_strategy>\n{strategy_json}\n</current_strategy>"
    )


def _as_model_wrote_it(content: str) -> str:
    """Wrap a stored assistant reply in `<user_message>` so the history shows the expected format."""
    # Only the chat text of earlier replies is stored; showing it bare would teach the model to
    # answer without tags.
    if content.lstrip().startswith("<user_message>"):
        return content
    return f"<user_message>\n{content}\n</user_message>"


def converse_messages(turns: list[ChatTurn]) -> list[dict[str, Any]]:
    """Bedrock Converse messages: empty turns skipped, same-role runs merged, user first and last."""
    merged: list[tuple[str, list[str]]] = []
    for turn in turns:
        text = turn.content.strip()
        if not text:
            continue
        if turn.role == "assistant":
            if not merged:
                # Converse requires the first message to come from the user.
                continue
            text = _as_model_wrote_it(text)
        if merged and merged[-1][0] == turn.role:
            merged[-1][1].append(text)
        else:
            merged.append((turn.role, [text]))
    # A trailing assistant message would be taken as a prefill to continue, not a turn to answer.
    while merged and merged[-1][0] == "assistant":
        merged.pop()
    return [
        {"role": role, "content": [{"text": "\n\n".join(texts)}]} for role, texts in merged
    ]
