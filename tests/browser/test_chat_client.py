"""The terminal client the README documents (`python -m chat.client`), against a live server."""

from __future__ import annotations

import os
import subprocess

from tests.browser.conftest import PASSWORD, PYTHON, ROOT, TRADER


def run_client(url: str, password: str, message: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHAT_CLIENT_PASSWORD": password}
    command = [str(PYTHON), "-m", "chat.client", "--url", url, "--user", TRADER, "--password-env", "CHAT_CLIENT_PASSWORD"]
    return subprocess.run([*command, message], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_the_client_logs_in_and_prints_the_streamed_reply_and_strategy(start_server):
    server = start_server()

    result = run_client(server.url, PASSWORD, "I have $5000 and want a conservative strategy with 3% monthly returns")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[conversation ")
    assert "Offline strategist" in result.stdout and "<user_message>" not in result.stdout
    assert "Strategy v1 (offline): Low risk, $5,000, 3.0% monthly" in result.stdout


def test_the_client_says_so_when_the_login_fails(start_server):
    server = start_server()

    result = run_client(server.url, "not-the-password", "hello")

    assert result.returncode == 1
    assert "Login failed" in result.stderr and "Traceback" not in result.stderr
