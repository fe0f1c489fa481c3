"""What a trader reads when Bedrock fails: AWS error codes and transport failures as `ProviderError`s."""

from __future__ import annotations

from botocore import exceptions as boto_errors

from chat.providers.base import ProviderError

_TRY_AGAIN = "Please try again in a moment."
_ADMIN = "An administrator needs to check the server's AWS settings."

#: Bedrock error codes, normalised (no "Exception" suffix, lower case), to (code, trader message).
#: Errors before the stream are "ThrottlingException"; the same errors mid-stream "throttlingException".
_AWS_ERRORS: dict[str, tuple[str, str]] = {
    "throttling": ("throttled", f"The model is busy right now (rate limited). {_TRY_AGAIN}"),
    "servicequotaexceeded": ("throttled", f"The model is busy right now (quota reached). {_TRY_AGAIN}"),
    "serviceunavailable": ("unavailable", f"The model service is temporarily unavailable. {_TRY_AGAIN}"),
    "internalserver": ("server_error", f"The model service had an internal error. {_TRY_AGAIN}"),
    "modelstreamerror": ("stream_error", f"The model's reply broke off with a streaming error. {_TRY_AGAIN}"),
    "modelerror": ("model_error", f"The model could not process this request. {_TRY_AGAIN}"),
    "modeltimeout": ("timeout", f"The model took too long to respond. {_TRY_AGAIN}"),
    "modelnotready": ("model_not_ready", "The model is still starting up. Please try again in a minute."),
    "validation": (
        "invalid_request",
        "The model service rejected the request. Try rephrasing, or start a new conversation.",
    ),
    "accessdenied": ("access_denied", f"This server is not allowed to use the AI model (access denied). {_ADMIN}"),
    "unrecognizedclient": ("auth_failed", f"The AI model rejected this server's credentials. {_ADMIN}"),
    "invalidsignature": ("auth_failed", f"The AI model rejected this server's credentials. {_ADMIN}"),
    "expiredtoken": ("auth_failed", f"This server's AWS credentials have expired. {_ADMIN}"),
    "resourcenotfound": (
        "model_not_found",
        f"The configured AI model is not available in this AWS region. {_ADMIN}",
    ),
}

_TIMEOUT = ("timeout", f"The model took too long to respond. {_TRY_AGAIN}")
_CONNECTION = ("connection", f"Could not reach the model service, or the connection dropped. {_TRY_AGAIN}")
_UNEXPECTED = ("provider_error", f"Something went wrong while talking to the model. {_TRY_AGAIN}")


def provider_error(exc: BaseException) -> ProviderError:
    """Translate a boto3/botocore/transport failure into a ProviderError a trader can read."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, boto_errors.ClientError):
        aws_code = str(exc.response.get("Error", {}).get("Code", ""))
        key = aws_code.removesuffix("Exception").lower()
        code, message = _AWS_ERRORS.get(key, _UNEXPECTED)
        if key not in _AWS_ERRORS:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            if status >= 500:
                code, message = _AWS_ERRORS["internalserver"]
        return ProviderError(message, code=code)
    # Read timeouts first: botocore's ReadTimeoutError is also an HTTP client error.
    if isinstance(exc, (boto_errors.ReadTimeoutError, TimeoutError)):
        return ProviderError(_TIMEOUT[1], code=_TIMEOUT[0])
    if isinstance(exc, (boto_errors.NoCredentialsError, boto_errors.PartialCredentialsError,
                        boto_errors.NoAuthTokenError, boto_errors.CredentialRetrievalError)):
        return ProviderError(
            "The AI model is not configured on this server: no AWS credentials were found. "
            "An administrator needs to set AWS_BEARER_TOKEN_BEDROCK or AWS access keys.",
            code="no_credentials",
        )
    if isinstance(exc, boto_errors.NoRegionError):
        return ProviderError(
            "The AI model is not configured on this server: no AWS region is set. "
            "An administrator needs to set AWS_REGION.",
            code="no_region",
        )
    if isinstance(exc, boto_errors.SSLError):
        return ProviderError(
            f"Could not establish a secure connection to the model service. {_ADMIN}", code="tls"
        )
    if isinstance(exc, (boto_errors.ConnectionError, boto_errors.HTTPClientError,
                        ConnectionError)):
        return ProviderError(_CONNECTION[1], code=_CONNECTION[0])
    if isinstance(exc, (boto_errors.InvalidEndpointConfigurationError, boto_errors.ProfileNotFound,
                        boto_errors.InvalidConfigError, boto_errors.ConfigParseError,
                        boto_errors.UnknownEndpointError, boto_errors.InvalidRegionError)):
        return ProviderError(
            f"The AI model is not configured correctly on this server. {_ADMIN}", code="misconfigured"
        )
    if isinstance(exc, boto_errors.ParamValidationError):
        return ProviderError(
            "The request to the model was invalid. Try rephrasing, or start a new conversation.",
            code="invalid_request",
        )
    return ProviderError(_UNEXPECTED[1], code=_UNEXPECTED[0])


def closed_error() -> ProviderError:
    """The error of a reply ended because the provider is closing."""
    return ProviderError(f"The model service is shutting down. {_TRY_AGAIN}", code="closed")


def incomplete_error() -> ProviderError:
    """The error of a reply whose stream ended without Bedrock's closing `messageStop`."""
    return ProviderError(f"The model's reply ended unexpectedly. {_TRY_AGAIN}", code="incomplete")
