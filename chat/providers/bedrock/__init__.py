"""The AWS Bedrock provider, one job per module.

- `provider`: `BedrockProvider`, what the reply pipeline calls.
- `bridge`: the hand-off between the event loop and botocore's worker threads, and who owns what.
- `slots`: the per-loop limit on replies streaming at once.
- `http_pool` and `http_connection`: HTTP/1.1 on the event loop, carrying botocore's signed requests.
- `events`: decoding the event stream into text and the reply's outcome.
- `errors`: the AWS error table and the messages a trader reads.
- `redaction`: what the provider's logs may say.
"""

from chat.providers.bedrock.provider import BedrockProvider

__all__ = ["BedrockProvider"]
