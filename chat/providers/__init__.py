"""LLM providers and the factory that picks one from settings."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from chat.providers.base import LLMProvider


@lru_cache(maxsize=1)
def get_provider() -> LLMProvider:
    """The configured provider (settings checked LLM_PROVIDER at start-up), built once per process."""
    if settings.LLM_PROVIDER == "offline":
        from chat.providers.offline import OfflineStrategist

        return OfflineStrategist(
            text_chars_per_second=settings.OFFLINE_TEXT_CHARS_PER_SECOND,
            json_chars_per_second=settings.OFFLINE_JSON_CHARS_PER_SECOND,
        )
    from chat.providers.bedrock import BedrockProvider

    return BedrockProvider(
        model_id=settings.BEDROCK_MODEL_ID,
        region=settings.AWS_REGION,
        max_concurrency=settings.BEDROCK_MAX_CONCURRENCY,
        read_timeout=settings.BEDROCK_READ_TIMEOUT,
        max_tokens=settings.BEDROCK_MAX_TOKENS,
    )
