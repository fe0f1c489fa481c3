"""BedrockProvider against the local Bedrock fake, through unmodified boto3 (SigV4 and bearer)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from botocore.retries.standard import ExponentialBackoff

from chat.providers.base import ChatTurn, ProviderError, ReplyRequest, StreamOutcome
from chat.providers.bedrock import BedrockProvider
from chat.providers.prompt import base_system_prompt, converse_messages, system_prompt
from tests.fakes.bedrock import FakeBedrock, Script, strategy_reply

MODEL_ID = django_settings.BEDROCK_MODEL_ID  # the configured default

TOKEN = "bedrock-api-key-SECRET-0123456789"
AWS_VARS = (
    "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK", "AWS_CA_BUNDLE", "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
)


def request(text: str = "I have $1000, please choose a high-return strategy") -> ReplyRequest:
    """A one-message conversation."""
    return ReplyRequest(turns=[ChatTurn("user", text)])


async def collect(
    provider: BedrockProvider, reply: ReplyRequest | None = None
) -> tuple[list[str], StreamOutcome, ProviderError | None]:
    """Stream one reply to the end; return the deltas, the outcome and the error raised, if any."""
    outcome = StreamOutcome()
    deltas: list[str] = []
    try:
        async for delta in provider.stream(reply or request(), outcome):
            deltas.append(delta)
    except ProviderError as error:
        return deltas, outcome, error
    return deltas, outcome, None


def wait_until(condition: object, timeout: float = 2.0) -> bool:
    """Poll a zero-argument callable until it is true or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


@pytest.fixture(autouse=True)
def clean_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """Isolate boto3 from the machine's AWS setup and make retry back-off instant."""
    for name in AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp_path}/no-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp_path}/no-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.01)


@pytest.fixture
def fake() -> Iterator[FakeBedrock]:
    """A plain-HTTP fake Bedrock."""
    with FakeBedrock() as server:
        yield server


@pytest.fixture
def sigv4(fake: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> FakeBedrock:
    """Point boto3 at the HTTP fake with dummy access keys (SigV4 signing)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    return fake


@pytest.fixture
def tls_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBedrock]:
    """An HTTPS fake Bedrock reached with a bearer token and no access keys."""
    with FakeBedrock(tls=True) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url)
        monkeypatch.setenv("AWS_CA_BUNDLE", server.ca_bundle or "")
        monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", TOKEN)
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        yield server


@pytest.fixture
def provider() -> Iterator[BedrockProvider]:
    """A provider with production defaults except a short read timeout."""
    bedrock = BedrockProvider(model_id=MODEL_ID, region=None, read_timeout=5)
    yield bedrock
    bedrock.close()


@pytest.mark.asyncio
async def test_stream_yields_exact_text_and_fills_outcome(
    sigv4: FakeBedrock, provider: BedrockProvider
) -> None:
    text = strategy_reply(1000)
    sigv4.push(Script(text=text, chunk_chars=7, usage=(321, 654), latency_ms=777))

    deltas, outcome, error = await collect(provider)

    assert error is None
    assert "".join(deltas) == text
    assert (outcome.stop_reason, outcome.input_tokens, outcome.output_tokens) == ("end_turn", 321, 654)
    assert outcome.latency_ms == 777
    assert outcome.extra["request_id"]
    sent = sigv4.requests[0]
    assert sent.model_id == MODEL_ID
    assert sent.body["system"] == [{"text": base_system_prompt()}]
    assert sent.body["messages"] == [
        {"role": "user", "content": [{"text": "I have $1000, please choose a high-return strategy"}]}
    ]
    assert sent.body["inferenceConfig"] == {"maxTokens": 4096, "temperature": 0.4}


@pytest.mark.asyncio
async def test_sigv4_signs_requests_over_http(sigv4: FakeBedrock, provider: BedrockProvider) -> None:
    await collect(provider)

    assert sigv4.requests[0].authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/bedrock/aws4_request" in sigv4.requests[0].authorization


@pytest.mark.asyncio
async def test_bearer_token_is_sent_over_https(tls_fake: FakeBedrock, provider: BedrockProvider) -> None:
    deltas, _, error = await collect(provider)

    assert error is None and deltas
    assert tls_fake.requests[0].authorization == f"Bearer {TOKEN}"


@pytest.mark.asyncio
async def test_bearer_token_never_appears_in_errors_or_logs(
    tls_fake: FakeBedrock, provider: BedrockProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="botocore")
    tls_fake.push(Script(fail_before=403))

    _, _, error = await collect(provider)

    assert error is not None and error.code == "access_denied"
    assert TOKEN not in str(error) and TOKEN not in error.message
    assert "Sending http request" in caplog.text  # botocore's DEBUG request log was captured...
    assert TOKEN not in caplog.text  # ...with the token masked


@pytest.mark.asyncio
async def test_throttling_before_stream_is_retried_then_reported(
    sigv4: FakeBedrock, provider: BedrockProvider
) -> None:
    sigv4.push(Script(fail_before=429), Script(fail_before=429), Script(fail_before=429))

    deltas, _, error = await collect(provider)

    assert deltas == []
    assert error is not None and error.code == "throttled"
    assert error.message == "The model is busy right now (rate limited). Please try again in a moment."
    assert len(sigv4.requests) == 3


@pytest.mark.asyncio
async def test_throttling_once_before_stream_then_reply_succeeds(
    sigv4: FakeBedrock, provider: BedrockProvider
) -> None:
    sigv4.push(Script(fail_before=429), Script(text="<user_message>ok</user_message>"))

    deltas, _, error = await collect(provider)

    assert error is None
    assert "".join(deltas) == "<user_message>ok</user_message>"
    assert len(sigv4.requests) == 2


@pytest.mark.asyncio
async def test_access_denied_is_not_retried(sigv4: FakeBedrock, provider: BedrockProvider) -> None:
    sigv4.push(Script(fail_before=403))

    _, _, error = await collect(provider)

    assert error is not None and error.code == "access_denied"
    assert "access denied" in error.message
    assert len(sigv4.requests) == 1


@pytest.mark.asyncio
async def test_model_not_found_gives_clear_error(sigv4: FakeBedrock, provider: BedrockProvider) -> None:
    sigv4.push(Script(fail_before=404))

    _, _, error = await collect(provider)

    assert error is not None and error.code == "model_not_found"
    assert len(sigv4.requests) == 1


@pytest.mark.asyncio
async def test_throttling_mid_stream_fails_after_partial_deltas_without_retry(
    sigv4: FakeBedrock, provider: BedrockProvider
) -> None:
    text = "<user_message>A partial reply that breaks off.</user_message>"
    sigv4.push(Script(text=text, chunk_chars=5, delay_s=0.01, fail_after_chars=20))

    deltas, outcome, error = await collect(provider)

    assert "".join(deltas) == text[:20]
    assert error is not None and error.code == "throttled"
    assert outcome.stop_reason is None
    assert len(sigv4.requests) == 1


@pytest.mark.asyncio
async def test_model_stream_error_mid_stream(sigv4: FakeBedrock, provider: BedrockProvider) -> None:
    sigv4.push(Script(text="x" * 40, chunk_chars=10, fail_after_chars=10, exception="modelStreamErrorException"))

    deltas, _, error = await collect(provider)

    assert "".join(deltas) == "x" * 10
    assert error is not None and error.code == "stream_error"
    assert len(sigv4.requests) == 1


@pytest.mark.asyncio
async def test_stream_cut_off_without_message_stop_is_an_error(
    sigv4: FakeBedrock, provider: BedrockProvider
) -> None:
    sigv4.push(Script(text="<user_message>Half a rep", chunk_chars=5, fail_after_chars=10, exception=None))

    deltas, outcome, error = await collect(provider)

    assert "".join(deltas) == "<user_mess"
    assert error is not None and error.code == "incomplete"
    assert outcome.stop_reason is None


@pytest.mark.asyncio
async def test_stall_past_read_timeout_is_a_timeout(sigv4: FakeBedrock) -> None:
    provider = BedrockProvider(model_id=MODEL_ID, region=None, read_timeout=1)
    sigv4.push(Script(text="y" * 30, chunk_chars=10, stall_s=5, stall_after_chars=10))
    started = time.monotonic()
    try:
        deltas, _, error = await collect(provider)
    finally:
        provider.close()

    assert "".join(deltas) == "y" * 10
    assert error is not None and error.code == "timeout"
    assert time.monotonic() - started < 3
    assert len(sigv4.requests) == 1


@pytest.mark.asyncio
async def test_max_tokens_stop_reason_is_reported(sigv4: FakeBedrock, provider: BedrockProvider) -> None:
    sigv4.push(Script(text="<user_message>cut", stop_reason="max_tokens"))

    deltas, outcome, error = await collect(provider)

    assert error is None
    assert "".join(deltas) == "<user_message>cut"
    assert outcome.stop_reason == "max_tokens"


@pytest.mark.asyncio
async def test_missing_region_gives_clear_error(fake: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-example-value")
    provider = BedrockProvider(model_id=MODEL_ID, region=None)
    try:
        _, _, error = await collect(provider)
    finally:
        provider.close()

    assert error is not None and error.code == "no_region"
    assert "AWS_REGION" in error.message


@pytest.mark.asyncio
async def test_missing_credentials_gives_clear_error(fake: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
    provider = BedrockProvider(model_id=MODEL_ID, region="us-east-1")
    try:
        _, _, error = await collect(provider)
    finally:
        provider.close()

    assert error is not None and error.code == "no_credentials"
    assert fake.requests == []


@pytest.mark.asyncio
async def test_aclose_mid_stream_closes_connection_and_releases_thread(
    sigv4: FakeBedrock, provider: BedrockProvider
) -> None:
    sigv4.push(Script(text="z" * 400, chunk_chars=4, delay_s=0.05))
    stream = provider.stream(request(), StreamOutcome())

    received = [await anext(stream), await anext(stream)]
    await stream.aclose()

    assert received
    assert sigv4.requests[0].disconnected.wait(2)
    assert not sigv4.requests[0].completed.is_set()
    assert wait_until(lambda: provider.active_streams == 0, timeout=1)


@pytest.mark.asyncio
async def test_aclose_during_a_stall_releases_thread_before_read_timeout(
    sigv4: FakeBedrock, provider: BedrockProvider
) -> None:
    sigv4.push(Script(text="w" * 40, chunk_chars=10, stall_s=30, stall_after_chars=10))
    stream = provider.stream(request(), StreamOutcome())
    await anext(stream)
    await asyncio.sleep(0.1)  # the worker is now blocked reading a silent socket

    started = time.monotonic()
    await stream.aclose()

    assert wait_until(lambda: provider.active_streams == 0, timeout=1)
    assert time.monotonic() - started < 1  # far below read_timeout=5
    assert sigv4.requests[0].disconnected.wait(2)


@pytest.mark.asyncio
async def test_cancelling_the_consuming_task_closes_connection(
    sigv4: FakeBedrock, provider: BedrockProvider
) -> None:
    sigv4.push(Script(text="c" * 400, chunk_chars=4, delay_s=0.05))
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in provider.stream(request(), StreamOutcome()):
            first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert sigv4.requests[0].disconnected.wait(2)
    assert wait_until(lambda: provider.active_streams == 0, timeout=1)


@pytest.mark.asyncio
async def test_close_ends_running_and_queued_streams_with_an_error(sigv4: FakeBedrock) -> None:
    sigv4.default_script = Script(text="q" * 400, chunk_chars=4, delay_s=0.05)
    provider = BedrockProvider(model_id=MODEL_ID, region=None, max_concurrency=1)
    running = provider.stream(request(), StreamOutcome())
    await anext(running)
    queued = asyncio.ensure_future(collect(provider))  # waits for the only worker thread
    await asyncio.sleep(0.1)

    provider.close()

    with pytest.raises(ProviderError) as caught:
        async for _ in running:
            pass
    assert caught.value.code == "closed"
    _, _, error = await asyncio.wait_for(queued, 2)
    assert error is not None and error.code == "closed"
    assert sigv4.requests[0].disconnected.wait(2)
    assert len(sigv4.requests) == 1


@pytest.mark.asyncio
async def test_follow_up_sends_history_and_current_strategy(
    sigv4: FakeBedrock, provider: BedrockProvider
) -> None:
    strategy = {"degen_class": {"selected": "High"}}
    reply = ReplyRequest(
        turns=[
            ChatTurn("user", "I have $1000"),
            ChatTurn("assistant", "Here is a high-risk plan."),
            ChatTurn("user", "Make it safer"),
        ],
        current_strategy=strategy,
    )

    await collect(provider, reply)

    body = sigv4.requests[0].body
    assert [message["role"] for message in body["messages"]] == ["user", "assistant", "user"]
    assert body["system"] == [{"text": system_prompt(strategy)}]
    assert '"selected": "High"' in body["system"][0]["text"]


@pytest.mark.asyncio
async def test_request_without_user_message_is_rejected(provider: BedrockProvider) -> None:
    deltas, _, error = await collect(provider, ReplyRequest(turns=[ChatTurn("assistant", "Hello")]))

    assert deltas == []
    assert error is not None and error.code == "invalid_request"


def test_history_conversion_alternates_roles_starting_with_user() -> None:
    turns = [
        ChatTurn("assistant", "Welcome!"),
        ChatTurn("user", "I have $500"),
        ChatTurn("user", "  "),
        ChatTurn("user", "and want low risk"),
        ChatTurn("assistant", "A careful plan."),
        ChatTurn("assistant", ""),
        ChatTurn("assistant", "<user_message>\nAlready tagged.\n</user_message>"),
        ChatTurn("user", "Lower the stop"),
        ChatTurn("assistant", "dangling"),
    ]

    assert converse_messages(turns) == [
        {"role": "user", "content": [{"text": "I have $500\n\nand want low risk"}]},
        {
            "role": "assistant",
            "content": [
                {
                    "text": "<user_message>\nA careful plan.\n</user_message>\n\n"
                    "<user_message>\nAlready tagged.\n</user_message>"
                }
            ],
        },
        {"role": "user", "content": [{"text": "Lower the stop"}]},
    ]


def test_system_prompt_states_the_format_and_the_server_rules() -> None:
    prompt = base_system_prompt()

    for needle in ("<user_message>", "<backend>", "stop_loss", "estimated_capital_required_usd",
                   "No short selling", "position_size", "exit_condition", '"edges"'):
        assert needle in prompt
    assert system_prompt(None) == prompt


@pytest.mark.asyncio
async def test_fifty_concurrent_streams_run_side_by_side(sigv4: FakeBedrock) -> None:
    # 20 deltas, 0.1 s apart: about 2 s per reply.
    sigv4.default_script = Script(text="m" * 100, chunk_chars=5, delay_s=0.1)
    provider = BedrockProvider(model_id=MODEL_ID, region=None, max_concurrency=64)
    try:
        started = time.monotonic()
        _, _, error = await collect(provider)
        single = time.monotonic() - started
        assert error is None

        started = time.monotonic()
        results = await asyncio.gather(*(collect(provider) for _ in range(50)))
        together = time.monotonic() - started
    finally:
        provider.close()

    assert all(error is None and "".join(deltas) == "m" * 100 for deltas, _, error in results)
    assert single > 1.5
    assert together < 3 * single
