"""What every live-reply store shares: the `LiveReplies` interface and the values it hands out.

A reply stored as streaming that no live worker streams is an orphan: its worker died. A store hands
each orphan, with the text it kept, to one worker (`adopt_orphans`, `sweep_forever`), which stores it
as interrupted (`chat.recovery.interrupt_orphans`) and then calls `finish`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

from pydantic import WithJsonSchema

# A flowchart step as the model wrote it, sent while the reply streams: it has parsed and has an id and a
# known type, but nothing else about it is validated (the validated strategy comes in `message_complete`).
DraftNode = Annotated[
    dict[str, Any],
    WithJsonSchema(
        {
            "tsType": '(Pick<Strategy["flowchart"]["nodes"][number], "id" | "type"> & {[key: string]: unknown})',
            "description": "A step as the model wrote it: an id and a known type; the rest unchecked.",
        }
    ),
]
# The degen class and metrics are sent once they validate on their own, as the strategy has them.
DraftDegenClass = Annotated[dict[str, Any], WithJsonSchema({"tsType": 'Strategy["degen_class"]'})]
DraftMetrics = Annotated[dict[str, Any], WithJsonSchema({"tsType": 'Strategy["strategy_metrics"]'})]


@dataclass(frozen=True)
class StrategySoFar:
    """What of a streaming reply's strategy has parsed: everything its progress frames 1 to `seq` carried."""

    seq: int = 0
    nodes: list[DraftNode] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    degen_class: DraftDegenClass | None = None
    strategy_metrics: DraftMetrics | None = None


def strategy_so_far(increments: Sequence[StrategySoFar]) -> StrategySoFar:
    """A reply's strategy so far: its progress increments (each what one frame carried), summed in order."""
    if len(increments) == 1:
        return increments[0]
    nodes = [node for increment in increments for node in increment.nodes]
    edges = [edge for increment in increments for edge in increment.edges]
    degen = [increment.degen_class for increment in increments if increment.degen_class is not None]
    metrics = [increment.strategy_metrics for increment in increments if increment.strategy_metrics is not None]
    seq = increments[-1].seq if increments else 0
    return StrategySoFar(seq, nodes, edges, degen[-1] if degen else None, metrics[-1] if metrics else None)


@dataclass(frozen=True)
class InProgress:
    """A reply still streaming: its id, the chat text so far and the chunk seq it reaches, and its strategy so far."""

    message_id: str
    text: str
    seq: int
    strategy: StrategySoFar = field(default_factory=StrategySoFar)


@dataclass(frozen=True)
class Orphan:
    """A reply whose worker died, now held by the caller: the chat text it reached, "" when none was kept."""

    message_id: str
    text: str


OrphanHandler = Callable[[list[Orphan]], Awaitable[object]]


class LiveReplies(Protocol):
    """Where streaming replies are registered, read by joining sockets, swept and cancelled."""

    async def claim(self, message_id: str) -> None:
        """Mark a reply live before it is stored, so no sweep takes it for stale in between."""

    async def start(self, conversation_id: str, message_id: str, task: asyncio.Task[None]) -> None:
        """Record that `task` now streams reply `message_id`."""

    async def append(self, message_id: str, text: str, seq: int) -> None:
        """Record chat text released with chunk number `seq`."""

    async def append_strategy(self, message_id: str, increment: StrategySoFar) -> None:
        """Record what progress frame number `increment.seq` carried of the reply's strategy."""

    async def snapshot(self, conversation_id: str) -> InProgress | None:
        """The conversation's streaming reply as it stands, or None."""

    async def adopt_orphans(self, message_ids: Iterable[str]) -> list[Orphan]:
        """Take over those of `message_ids` that no live worker streams (of several workers, one takes each)."""

    async def sweep_forever(self, handle: OrphanHandler) -> None:
        """Hand `handle` the replies of every worker that dies, for as long as this process runs."""

    async def cancel(self, conversation_id: str) -> bool:
        """Stop the conversation's streaming reply; False when there is none."""

    async def finish(self, message_id: str) -> None:
        """Forget a reply that has been stored (streamed here, or adopted as an orphan)."""
