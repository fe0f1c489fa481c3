"""Talk to a running server's chat socket from the terminal: log in over HTTP, send one message, print the reply.

    python -m chat.client --user alice "I have $5000 and want a conservative strategy"
    python -m chat.client --url http://localhost:8001 --user alice "…"   # after `make run PORT=8001`

Django-free on purpose: it is a client, and needs none of the server's settings.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import websockets


class ChatClientError(Exception):
    """Something the trader at the terminal should read."""


def login(base_url: str, username: str, password: str) -> str:
    """Log in through the login page like a browser would; return the Cookie header for the socket."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"{base_url}/accounts/login/"
    opener.open(login_url)
    csrf = next((c.value for c in jar if c.name == "csrftoken"), "")
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf})
    request = urllib.request.Request(login_url, data=body.encode(), headers={"Referer": login_url})
    opener.open(request)
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise ChatClientError("Login failed: check the username and password.")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


async def converse(base_url: str, cookie: str, conversation: str | None, message: str, write) -> None:
    """Send one message and print the streamed reply, then the strategy summary."""
    ws_url = base_url.replace("http", "ws", 1) + (f"/ws/chat/{conversation}/" if conversation else "/ws/chat/")
    headers = {"Cookie": cookie, "Origin": base_url}
    async with websockets.connect(ws_url, additional_headers=headers, compression=None) as socket:
        await socket.send(json.dumps({"type": "message", "content": message}))
        async for raw in socket:
            frame = json.loads(raw)
            if frame["type"] == "message_received":
                write(f"[conversation {frame['conversation_id']}]\n")
            elif frame["type"] == "content_chunk":
                write(frame["chunk"])
            elif frame["type"] == "error":
                raise ChatClientError(f"{frame['code']}: {frame['message']}")
            elif frame["type"] == "message_complete":
                write("\n\n")
                if frame["error"]:
                    write(f"! {frame['error']}\n")
                if frame["strategy_json"]:
                    strategy = frame["strategy_json"]
                    write(
                        f"Strategy v{frame['strategy_version']} ({frame['provider']}): "
                        f"{strategy['degen_class']['selected']} risk, "
                        f"${strategy['strategy_metrics']['estimated_capital_required_usd']:,.0f}, "
                        f"{strategy['strategy_metrics']['impact_monthly_return_delta_pct']}% monthly\n"
                    )
                return


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, log in, send the message and stream the reply to stdout."""
    parser = argparse.ArgumentParser(description="Send one chat message to a running server and print the reply.")
    parser.add_argument("message")
    parser.add_argument(
        "--url", default="http://localhost:8000", help="the server's address (`make run PORT=8001`: http://localhost:8001)"
    )
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-env", help="environment variable holding the password (else prompted)")
    parser.add_argument("--conversation", help="continue this conversation id")
    args = parser.parse_args(argv)
    password = os.environ.get(args.password_env, "") if args.password_env else getpass.getpass()
    base_url = args.url.rstrip("/")

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    try:
        cookie = login(base_url, args.user, password)
        asyncio.run(converse(base_url, cookie, args.conversation, args.message, write))
    except (ChatClientError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
