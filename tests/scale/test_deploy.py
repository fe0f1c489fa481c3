"""The deployment files: the compose file parses, and nginx with deploy/nginx.conf fronts the two workers,
which serve their own static files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.conftest import ROOT, Client, Worker, Workers, free_port, http_get, login, port_open, require, wait_for

COMPOSE_ENV = {**os.environ, "DJANGO_SECRET_KEY": "compose-config-check", "POSTGRES_PASSWORD": "compose-config-check"}


def compose_command() -> list[str]:
    """Compose v2 (`docker compose`) when the plugin is there, else Debian's `docker-compose`."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    return [require("docker-compose", "docker-compose (or Docker's compose plugin)")]


def test_the_compose_file_parses_and_wires_the_commands_the_tests_run():
    compose = compose_command()
    config = subprocess.run([*compose, "config"], cwd=ROOT, env=COMPOSE_ENV, capture_output=True, text=True)
    assert config.returncode == 0, config.stderr
    services = subprocess.run([*compose, "config", "--services"], cwd=ROOT, env=COMPOSE_ENV, capture_output=True, text=True)

    assert set(services.stdout.split()) == {"postgres", "redis", "migrate", "web1", "web2", "proxy"}
    rendered = config.stdout
    assert "python manage.py migrate --noinput && python manage.py load_demo_prices" in " ".join(rendered.split())
    assert "manage.py collectstatic --noinput" in (ROOT / "Dockerfile").read_text()  # static files in the image
    web_command = "python manage.py sweep_replies && exec python -m vibewater.serve -b 0.0.0.0 -p 8000 vibewater.asgi:application"
    assert " ".join(rendered.split()).count(web_command) == 2  # YAML may fold the long line
    assert "http://localhost:8000/healthz" in rendered and "http://localhost:8080/healthz" in rendered
    assert "deploy/nginx.conf:/etc/nginx/vibewater.conf" in rendered
    assert "REDIS_URL: redis://redis:6379/0" in rendered and "postgres://vibewater:" in rendered


def test_the_compose_file_has_no_default_secrets():
    for missing in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"):
        env = {name: value for name, value in COMPOSE_ENV.items() if name != missing}
        config = subprocess.run([*compose_command(), "config"], cwd=ROOT, env=env, capture_output=True, text=True)
        assert config.returncode != 0 and missing in config.stderr


@pytest.fixture
def proxy(workers: Workers) -> Iterator[str]:
    """nginx running deploy/nginx.conf, its upstreams pointed at the test's two workers; its base URL."""
    nginx = require("nginx", "nginx-light")
    with tempfile.TemporaryDirectory(prefix="vibewater-nginx-") as directory:
        os.chmod(directory, 0o755)  # nginx's workers (nobody) use temporary directories in it
        port = free_port()
        conf = (ROOT / "deploy" / "nginx.conf").read_text()
        for placeholder, value in {
            "server web1:8000": f"server 127.0.0.1:{workers.a.port}",
            "server web2:8000": f"server 127.0.0.1:{workers.b.port}",
            "listen 8080;": f"listen 127.0.0.1:{port};",
            "/tmp/nginx": f"{directory}/nginx",
        }.items():
            assert placeholder in conf, f"deploy/nginx.conf no longer has {placeholder!r}"
            conf = conf.replace(placeholder, value)
        (Path(directory) / "nginx.conf").write_text(conf)
        process = subprocess.Popen([nginx, "-c", f"{directory}/nginx.conf", "-g", "daemon off;"], stderr=subprocess.PIPE)
        try:
            wait_for(lambda: process.poll() is not None or port_open(port), timeout=10, what="nginx")
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(10)


@pytest.mark.asyncio
async def test_nginx_proxies_http_and_websockets_to_both_workers(proxy: str, workers: Workers):
    status, body = http_get(f"{proxy}/healthz")
    assert (status, json.loads(body)) == (200, {"database": "ok", "channel_layer": "ok"})
    assert http_get(f"{proxy}/static/favicon.svg") == (200, (ROOT / "vibewater" / "static" / "favicon.svg").read_bytes())
    front = Worker("proxy", workers.a.deployment, port=int(proxy.rsplit(":", 1)[1]))
    cookie = login(front)

    first = await Client.open(front, cookie)
    await first.ask("I have $1000, please choose a high-return strategy")
    conversation_id = (await first.receive_until("message_complete"))[0]["conversation_id"]
    others = [await Client.open(front, cookie, conversation_id) for _ in range(2)]  # round robin: both workers
    for other in others:
        await other.receive()
    await first.ask("Make it less risky")

    seen = await first.receive_until("message_complete")
    assert seen[-1]["error"] is None and seen[-1]["strategy_version"] == 2
    for other in others:
        assert await other.receive_until("message_complete") == seen
