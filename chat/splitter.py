"""Incremental splitter: turns the model's raw text stream into chat text and the backend JSON text.

The model answers as `<user_message>…</user_message>` and `<backend>…</backend>`. Deltas may cut a
tag at any character, so text that could still be the start of a tag is held back until the next
delta decides it. Only text inside `<user_message>` is ever emitted for the chat, with the section's
leading and trailing whitespace trimmed, so the emitted pieces join to exactly the final message.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

USER_OPEN, USER_CLOSE = "<user_message>", "</user_message>"
BACKEND_OPEN, BACKEND_CLOSE = "<backend>", "</backend>"


class Section(enum.Enum):
    """Where in the reply the splitter currently is."""

    OUTSIDE = "outside"
    USER = "user"
    BACKEND = "backend"


@dataclass(frozen=True)
class SplitReply:
    """The whole reply, split: what the trader reads, the backend text, and how the tags went."""

    user_message: str
    backend_text: str | None
    outside_text: str
    saw_user_message: bool
    backend_closed: bool


def _held_back(text: str, markers: tuple[str, ...]) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of one of `markers`."""
    # Every marker starts with "<": without one in the tail that could start a marker, nothing is held
    # back. That is nearly every delta, and it spares the suffix loop below.
    if "<" not in text[-(max(map(len, markers)) - 1) :]:
        return 0
    longest = 0
    for marker in markers:
        for size in range(min(len(marker) - 1, len(text)), longest, -1):
            if text.endswith(marker[:size]):
                longest = size
                break
    return longest


class TagSplitter:
    """Feed raw deltas in order; get back the chat text each one releases (and the backend text to `on_backend`)."""

    _ENDS = {
        Section.OUTSIDE: (USER_OPEN, BACKEND_OPEN),
        # A missing </user_message> must not leak the backend JSON into the chat.
        Section.USER: (USER_CLOSE, BACKEND_OPEN),
        Section.BACKEND: (BACKEND_CLOSE,),
    }

    def __init__(self, *, on_backend: Callable[[str], object] | None = None) -> None:
        self._on_backend = on_backend
        self._section = Section.OUTSIDE
        self._pending = ""
        self._user_parts: list[str] = []
        self._user_whitespace = ""  # whitespace held until we know it is not the section's tail
        self._at_section_start = False
        self._backend_parts: list[str] = []
        self._outside_parts: list[str] = []
        self._saw_user = self._saw_backend = self._backend_closed = False

    def feed(self, delta: str) -> str:
        """Consume one delta and return the chat text it releases (possibly empty)."""
        pending = self._pending + delta
        released: list[str] = []
        position = 0
        # Where each marker next occurs at or after `position` (-1: nowhere). `position` only moves
        # forwards, so a marker is searched for again only once passed: one delta holding thousands of
        # tags is still read in linear time.
        next_at: dict[str, int] = {}
        while True:
            markers = self._ENDS[self._section]
            hits = []
            for marker in markers:
                index = next_at.get(marker)
                if index is None or -1 < index < position:
                    index = next_at[marker] = pending.find(marker, position)
                if index >= 0:
                    hits.append((index, marker))
            if not hits:
                cut = max(position, len(pending) - _held_back(pending, markers))
                released.append(self._take(pending[position:cut]))
                self._pending = pending[cut:]
                return "".join(released)
            index, marker = min(hits)
            released.append(self._take(pending[position:index]))
            position = index + len(marker)
            self._enter_after(marker)

    def finish(self) -> SplitReply:
        """Flush what is held back and describe the whole reply."""
        if self._section is not Section.USER:  # in the chat text it can only be a cut-off tag
            self._take(self._pending)
        self._pending = ""
        backend = "".join(self._backend_parts) if self._saw_backend else None
        return SplitReply(
            user_message="".join(self._user_parts),
            backend_text=backend,
            outside_text="".join(self._outside_parts),
            saw_user_message=self._saw_user,
            backend_closed=self._backend_closed,
        )

    def _take(self, text: str) -> str:
        """Record `text` in the current section; return the part the chat may show now."""
        if not text:
            return ""
        if self._section is Section.BACKEND:
            self._backend_parts.append(text)
            if self._on_backend is not None:
                self._on_backend(text)
            return ""
        if self._section is Section.OUTSIDE:
            self._outside_parts.append(text)
            return ""
        if self._at_section_start:
            text = text.lstrip()
            if not text:
                return ""
            self._at_section_start = False
            # A second message section reads as a new paragraph.
            self._user_whitespace = "\n\n" if self._user_parts else ""
        body = text.rstrip()
        if not body:
            self._user_whitespace += text
            return ""
        released = self._user_whitespace + body
        self._user_whitespace = text[len(body) :]
        self._user_parts.append(released)
        return released

    def _enter_after(self, marker: str) -> None:
        """Move to the section that follows `marker`."""
        if marker == USER_OPEN:
            self._at_section_start = True
            self._saw_user = True
            self._section = Section.USER
        elif marker == USER_CLOSE:
            self._user_whitespace = ""
            self._section = Section.OUTSIDE
        elif marker == BACKEND_OPEN:
            self._user_whitespace = ""
            self._saw_backend = True
            self._section = Section.BACKEND
        elif marker == BACKEND_CLOSE:
            self._backend_closed = True
            self._section = Section.OUTSIDE
