"""Conversations the offline strategist's tests send: the seed's requests and a turn list built from messages."""

from chat.providers.base import ChatTurn

HIGH_RETURN = "I have $1000, please choose a high-return strategy"
CONSERVATIVE = "I have $5000 and want a conservative strategy with 3% monthly returns"


def conversation(*user_messages: str) -> list[ChatTurn]:
    """Interleave the trader's messages with placeholder assistant replies, ending with the newest message."""
    turns: list[ChatTurn] = []
    for text in user_messages:
        turns += [ChatTurn("user", text), ChatTurn("assistant", "Done.")]
    return turns[:-1]
