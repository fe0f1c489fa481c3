"""Per-delta CPU micro-benchmark: where the server's CPU per model delta goes, stage by stage.

One process, no database, no sockets to clients. CPU is `time.process_time()` (all threads of this
process) divided by the model deltas (`contentBlockDelta` events) the stage handled. The fake Bedrock
runs in a child process, so its CPU is not counted.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python -m bench.micro_delta            # all stages
    .venv/bin/python -m bench.micro_delta --sizes 1 100 --stages a c --pace-ms 0

Stages (N concurrent replies, each the fake's `strategy_reply()` text in 12-character deltas = 218 deltas):
  a      botocore event-stream decoding alone (EventStreamBuffer + EventStreamJSONParser), bytes made by
         the fake's encoder: the floor the issue names.
  a2     the provider's own decoding of the same bytes (chat.providers.bedrock.events.StreamDecoder):
         botocore's framing and CRC checks, text deltas read by delta_text, botocore's parser for the rest.
  b      BedrockProvider.stream() against the fake Bedrock, `async for` and nothing else: HTTP on the
         event loop (chat.providers.bedrock.http_pool) + the provider's event decoding.
  p      the strategy parsed as it streams alone: N replies' deltas fed in turn (one delta of each reply,
         then the next) through TagSplitter into chat.progress.StrategyDraft, less the splitter alone,
         per model delta of the whole reply; a part of c.
  c0     a fake provider (async generator, paced with asyncio.sleep) consumed with `async for`: the cost
         of the pacing itself, subtracted from c.
  c      loop side: replies._stream (TagSplitter.feed + ChunkPublisher with CHAT_COALESCE_MS) +
         LocalLiveReplies.append + in-memory layer group_send + one ChatConsumer per reply receiving via
         channels' await_many_dispatch → dispatch → chat_frame → a counting `send`; driven by c0's provider.
  all    b and c together: BedrockProvider feeding replies._stream, the layer and the consumers.

With --pace-ms > 0 replies sleep between deltas as a model would (sleeping costs no CPU; only the
timers do); with 0 the fake streams every delta at once and the loop reads them in big batches,
which understates the per-arrival cost.

One module, over 300 lines: the stages are measured over the same fake, requests and timing, so
that their figures can be subtracted from each other.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, AsyncIterator

import uvloop

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.pop("REDIS_URL", None)  # the in-memory layer and LocalLiveReplies
os.environ.setdefault("CHAT_CHECKPOINT_SECONDS", "0")  # no database here (checkpoints: docs/benchmarks.md)

CHUNK_CHARS = 12
SYS_SHARE: dict[tuple[str, int], float] = {}  # kernel share of the last run's CPU, per (stage, N)


def _reply_text() -> str:
    from tests.fakes.bedrock import strategy_reply

    return strategy_reply()


def _deltas(text: str) -> list[str]:
    return [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]


# --------------------------------------------------------------------------- a: botocore parsing


def stage_a(n: int, text: str, *, product: bool = False) -> tuple[float, int]:
    """Decode N replies' event streams with botocore's EventStream, the way boto3 iterates it, or
    (`product`) the way BedrockProvider.stream does."""
    import boto3
    from botocore.eventstream import EventStream, EventStreamBuffer
    from botocore.parsers import EventStreamJSONParser

    from chat.providers.base import StreamOutcome
    from chat.providers.bedrock.events import EventParser, StreamDecoder, delta_text
    from tests.fakes.bedrock import Script, _event, stream_events

    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    shape = client.meta.service_model.operation_model("ConverseStream").output_shape.members["stream"]
    chunks = [c for c in stream_events(Script(text=text, chunk_chars=CHUNK_CHARS)) if isinstance(c, bytes)]
    chunks.append(_event("metadata", {"usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
                                      "metrics": {"latencyMs": 5}}))

    class Raw:
        def stream(self) -> Any:
            return iter(chunks)  # one HTTP chunk per event, as the fake (and Bedrock) send them

    parser = EventStreamJSONParser()
    parse_event = EventParser(client.meta.service_model)
    buffer = EventStreamBuffer()
    buffer.add_data(b"".join(chunks))
    deltas_per_reply = sum(delta_text(message) is not None for message in buffer)
    deltas = 0
    start = time.process_time()
    for _ in range(n):
        if product:
            decoder = StreamDecoder(StreamOutcome(), parse_event)
            for chunk in chunks:
                decoder.decode([chunk])
            deltas += deltas_per_reply
        else:
            for event in EventStream(Raw(), shape, parser, "ConverseStream"):
                if "contentBlockDelta" in event:
                    deltas += 1
    return time.process_time() - start, deltas


# --------------------------------------------------------------------------- p: the strategy as it streams


def stage_p(n: int, text: str) -> tuple[float, int]:
    """CPU of N interleaved replies' progress parsing (splitter with the draft, less the splitter alone)."""
    from chat.progress import StrategyDraft
    from chat.splitter import TagSplitter

    deltas = _deltas(text)

    def feed(with_draft: bool) -> float:
        drafts = [StrategyDraft() for _ in range(n)] if with_draft else []
        splitters = [TagSplitter(on_backend=draft.feed) for draft in drafts] or [TagSplitter() for _ in range(n)]
        start = time.process_time()
        for delta in deltas:
            for splitter in splitters:
                splitter.feed(delta)
            for draft in drafts:
                draft.take()
        return time.process_time() - start

    return feed(True) - feed(False), n * len(deltas)


# --------------------------------------------------------------------------- fake Bedrock (child process)

_FAKE = """
import sys
from tests.fakes.bedrock import FakeBedrock, Script, strategy_reply
fake = FakeBedrock(default_script=Script(text=strategy_reply(), chunk_chars={chunk}, delay_s={delay})).start()
print(fake.url, flush=True)
sys.stdin.read()
fake.stop()
"""


class FakeProcess:
    def __init__(self, pace_s: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _FAKE.format(chunk=CHUNK_CHARS, delay=pace_s)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=os.path.dirname(os.path.dirname(__file__)),
        )
        self.url = self.proc.stdout.readline().strip()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def _aws_env(url: str) -> None:
    tmp = tempfile.gettempdir()
    os.environ.update({
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": f"{tmp}/no-config", "AWS_SHARED_CREDENTIALS_FILE": f"{tmp}/no-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    for name in ("AWS_BEARER_TOKEN_BEDROCK", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CA_BUNDLE"):
        os.environ.pop(name, None)


def _request() -> Any:
    from chat.providers.base import ChatTurn, ReplyRequest

    return ReplyRequest(turns=[ChatTurn(role="user", content="Build me a DeFi strategy for $1,000.")])


# --------------------------------------------------------------------------- loop-side pieces


class PacedProvider:
    """A provider yielding the reply's deltas with `asyncio.sleep(pace)` between them (0: a bare yield)."""

    name, model_id = "paced", "paced"

    def __init__(self, text: str, pace_s: float) -> None:
        self.deltas, self.pace_s = _deltas(text), pace_s

    async def stream(self, request: Any, outcome: Any) -> AsyncIterator[str]:
        for delta in self.deltas:
            await asyncio.sleep(self.pace_s)
            yield delta


class Sockets:
    """One ChatConsumer per reply on the in-memory layer, receiving as channels runs them; `send` counts."""

    def __init__(self) -> None:
        self.frames = 0
        self.tasks: list[asyncio.Task[None]] = []

    async def join(self, layer: Any, conversation_id: str) -> None:
        from channels.utils import await_many_dispatch

        from chat import frames
        from chat.consumers import ChatConsumer

        consumer = ChatConsumer()
        consumer.channel_layer = layer
        consumer.channel_name = await layer.new_channel()
        consumer._skip_through = {}
        consumer._skip_progress_through = {}

        async def send(text_data: str | None = None, **_: Any) -> None:
            self.frames += 1

        consumer.send = send  # type: ignore[method-assign]
        await layer.group_add(frames.group_name(conversation_id), consumer.channel_name)
        websocket = asyncio.get_running_loop().create_future()  # no client frames
        self.tasks.append(asyncio.create_task(await_many_dispatch(
            [lambda: websocket, functools.partial(layer.receive, consumer.channel_name)], consumer.dispatch)))

    async def close(self) -> None:
        await asyncio.sleep(0.05)  # let the last frames arrive
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _pipeline_reply(provider: Any, index: int, window: float) -> None:
    """What replies._run_reply does per delta: _stream into splitter + ChunkPublisher, then close."""
    from chat import broadcast, replies
    from django.conf import settings

    from chat.live import live_replies
    from chat.progress import StrategyDraft
    from chat.providers.base import StreamOutcome

    conversation_id, reply_id = f"c{index}", f"r{index}-{time.monotonic_ns()}"
    await live_replies.claim(reply_id)
    draft = StrategyDraft()
    splitter = replies.TagSplitter(on_backend=draft.feed)
    chunks = broadcast.ChunkPublisher(
        conversation_id=conversation_id, message_id=reply_id, window=window,
        progress_window=settings.CHAT_PROGRESS_COALESCE_MS / 1000, draft=draft,
    )
    streaming = asyncio.create_task(
        replies._stream(provider, _request(), StreamOutcome(), splitter, chunks, reply_id))
    await live_replies.start(conversation_id, reply_id, streaming)
    status, _ = await streaming
    assert status == "complete", status
    await chunks.close()
    splitter.finish()
    await live_replies.finish(reply_id)


async def _consume_only(provider: Any) -> int:
    from chat.providers.base import StreamOutcome

    count = 0
    stream = provider.stream(_request(), StreamOutcome())
    async for _ in stream:
        count += 1
    await stream.aclose()
    return count


async def run_loop_stage(stage: str, n: int, text: str, pace_s: float, bedrock: Any) -> tuple[float, int, int]:
    """Run `stage` (b, c0, c, all) for N concurrent replies; CPU seconds, deltas, frames sent."""
    from channels.layers import get_channel_layer
    from django.conf import settings

    window = settings.CHAT_COALESCE_MS / 1000
    provider = bedrock if stage in ("b", "all") else PacedProvider(text, pace_s)
    layer = get_channel_layer()
    sockets = Sockets()
    if stage in ("c", "all"):
        for i in range(n):
            await sockets.join(layer, f"c{i}")
    start = time.process_time()
    times = os.times()
    if stage in ("b", "c0"):
        await asyncio.gather(*(_consume_only(provider) for _ in range(n)))
    else:
        await asyncio.gather(*(_pipeline_reply(provider, i, window) for i in range(n)))
    if stage in ("c", "all"):
        await sockets.close()
    cpu = time.process_time() - start
    after = os.times()
    SYS_SHARE[stage, n] = (after.system - times.system) / max(1e-9, (after.user - times.user) + (after.system - times.system))
    for i in range(n):  # leave no group members behind for the next run
        layer.groups.pop(f"conversation.c{i}", None)
    layer.channels.clear()
    return cpu, n * len(_deltas(text)), sockets.frames


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 300])
    parser.add_argument("--stages", nargs="+", default=["a", "a2", "p", "b", "c0", "c", "all"])
    parser.add_argument("--pace-ms", type=float, default=20.0, help="model pace between deltas (0: none)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per cell; the lowest is reported")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop",
                        help="event loop (the served product runs on uvloop)")
    args = parser.parse_args()
    run_loop = uvloop.run if args.loop == "uvloop" else asyncio.run

    import django

    django.setup()
    from django.conf import settings

    from vibewater.serve import tune_gc

    tune_gc()  # as a served worker does

    text = _reply_text()
    pace_s = args.pace_ms / 1000
    print(f"# {len(_deltas(text))} deltas per reply, pace {args.pace_ms} ms, {args.loop}, CHAT_COALESCE_MS="
          f"{settings.CHAT_COALESCE_MS}, layer {settings.CHANNEL_LAYERS['default']['BACKEND']}", flush=True)
    results: dict[tuple[str, int], float] = {}

    fake = bedrock = None
    if {"b", "all"} & set(args.stages):
        from chat.providers.bedrock import BedrockProvider

        fake = FakeProcess(pace_s)
        _aws_env(fake.url)
        bedrock = BedrockProvider(model_id=settings.BEDROCK_MODEL_ID, max_concurrency=max(args.sizes))
    try:
        for stage in args.stages:
            for n in args.sizes:
                best = None
                frames = 0
                for _ in range(args.repeat + (1 if stage in ("b", "all") else 0)):  # one warm-up
                    if stage in ("a", "a2"):
                        cpu, deltas = stage_a(n, text, product=stage == "a2")
                    elif stage == "p":
                        cpu, deltas = stage_p(n, text)
                    else:
                        cpu, deltas, frames = run_loop(run_loop_stage(stage, n, text, pace_s, bedrock))
                    per = cpu / deltas * 1e6
                    best = per if best is None else min(best, per)
                results[(stage, n)] = best
                extra = f"  frames/reply {frames / n:.1f}" if frames else ""
                if (stage, n) in SYS_SHARE:
                    extra += f"  sys {SYS_SHARE[stage, n]:.0%}"
                print(f"{stage:>4} N={n:<4} {best:7.1f} µs/delta{extra}", flush=True)
    finally:
        if bedrock is not None:
            bedrock.close()
        if fake is not None:
            fake.close()

    print("\n| stage | " + " | ".join(f"N={n} µs/delta" for n in args.sizes) + " |")
    print("|---|" + "---|" * len(args.sizes))
    for stage in args.stages:
        print(f"| {stage} | " + " | ".join(f"{results[(stage, n)]:.1f}" for n in args.sizes) + " |")
    if {"c", "c0"} <= set(args.stages):
        print("| c − c0 | " + " | ".join(f"{results[('c', n)] - results[('c0', n)]:.1f}" for n in args.sizes) + " |")


if __name__ == "__main__":
    main()
