"""What the provider's logs may say: botocore's DEBUG records with credentials masked, failures without request data.

botocore logs the signed request (Authorization, session token) at DEBUG; a DEBUG logging setup must
not leak it. Importing this module puts the filter on botocore's loggers; filters on a logger only
cost anything for records that are actually emitted.
"""

from __future__ import annotations

import logging
import os
import re

from botocore import exceptions as boto_errors


def log_safe_description(exc: BaseException) -> str:
    """A log-safe description: the exception type and AWS error code, never request data."""
    if isinstance(exc, boto_errors.ClientError):
        error = exc.response.get("Error", {})
        request_id = exc.response.get("ResponseMetadata", {}).get("RequestId", "")
        return f"{type(exc).__name__} {error.get('Code', '')}: {error.get('Message', '')} {request_id}".strip()
    return type(exc).__name__


class RedactSecrets(logging.Filter):
    """Masks credentials in botocore's DEBUG records, which print request headers verbatim."""

    _HEADER = re.compile(
        r"(?i)((?:authorization|x-amz-security-token)['\"]?\s*[:=]\s*b?['\"]?)[^'\"\n]+"
    )
    _ENV_SECRETS = ("AWS_BEARER_TOKEN_BEDROCK", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with secret values replaced by "<redacted>"."""
        message = self._HEADER.sub(r"\1<redacted>", record.getMessage())
        for name in self._ENV_SECRETS:
            secret = os.environ.get(name, "")
            if len(secret) >= 8:
                message = message.replace(secret, "<redacted>")
        record.msg, record.args = message, None
        return True


for _name in ("botocore.endpoint", "botocore.auth", "botocore.httpsession"):
    logging.getLogger(_name).addFilter(RedactSecrets())
