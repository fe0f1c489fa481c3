"""Store a long conversation for a trader with the ORM, in a test server's environment, and log the trader in.

`python -m tests.browser.long_conversation --trader T --messages N --repeat R` prints, as JSON, the
conversation's id, its message ids oldest first, their total size in UTF-8 bytes and the trader's session
`cookie`. Each message is "Message i of N: " followed by R repeats of CJK, emoji and Cyrillic text.
"""

from __future__ import annotations

import argparse
import json

import django


def main() -> None:
    """Seed the conversation and print what the tests need to open it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trader", required=True)
    parser.add_argument("--messages", type=int, required=True)
    parser.add_argument("--repeat", type=int, required=True)
    arguments = parser.parse_args()
    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from chat.models import Conversation
    from tests.chat import TRADING, store_messages

    trader, _ = get_user_model().objects.get_or_create(username=arguments.trader)
    conversation = Conversation.objects.create(owner=trader, title=f"{arguments.messages} messages 🚀")
    contents = [f"Message {i} of {arguments.messages}: {TRADING * arguments.repeat}" for i in range(1, arguments.messages + 1)]
    messages = store_messages(conversation, contents)
    client = Client()
    client.force_login(trader)
    print(
        json.dumps(
            {
                "conversation_id": str(conversation.id),
                "message_ids": [str(message.id) for message in messages],
                "stored_bytes": sum(len(content.encode()) for content in contents),
                "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
            }
        )
    )


if __name__ == "__main__":
    main()
