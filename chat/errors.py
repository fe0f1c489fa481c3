"""Errors the chat reports to a socket as `error` frames; the socket stays open."""

from strategies.schemas import StrategyProblem


class ChatError(Exception):
    """A frame or request the server cannot take; `code` is stable, `message` is for the trader.

    `problems`: for a strategy refused, each problem by its JSON path.
    """

    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, problems: list[StrategyProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        if code is not None:
            self.code = code


class RateLimited(ChatError):
    """The trader sent too many messages in the last minute."""

    code = "rate_limited"


class ReplyInProgress(ChatError):
    """The conversation already has a reply streaming."""

    code = "reply_in_progress"


class NothingToCancel(ChatError):
    """A cancel arrived while no reply was streaming."""

    code = "nothing_to_cancel"


class NoStrategy(ChatError):
    """A builder action needs a strategy and the conversation has none yet."""

    code = "no_strategy"
