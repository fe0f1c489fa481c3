"""Production settings from the environment: `check --deploy` is clean with the variables the README
documents for HTTPS, the defaults with debug off are already safe, and pages carry a strict CSP."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "frontend" / "dist" / ".vite" / "manifest.json"
# The README's "Deploying with docker-compose" section lists these for a site served over HTTPS.
HTTPS_VARIABLES = {
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_SECURE_HSTS_PRELOAD": "true",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "true",
}


def check_deploy(**variables: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy --fail-level WARNING` with debug off, a strong key and `variables`."""
    assert MANIFEST.exists(), f"{MANIFEST} is missing: build the frontend first (make frontend)"
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="vibewater.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-production-grade-secret-key-for-the-check-0123456789-ABCDEFGHIJ",
        **variables,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def test_check_deploy_prints_no_warning_with_the_documented_https_variables():
    result = check_deploy(**HTTPS_VARIABLES)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout and "WARNING" not in result.stderr


def test_with_debug_off_and_no_variables_only_the_https_only_choices_are_left_open():
    result = check_deploy()

    # Secure cookies are the default; redirecting to HTTPS and HSTS wait for the operator to say the site is HTTPS.
    assert result.returncode != 0
    assert set(re.findall(r"\(([\w.]+\.[EW]\d+)\)", result.stderr)) == {"security.W004", "security.W008"}


def test_readme_documents_the_https_variables():
    readme = (ROOT / "README.md").read_text()

    for name, value in HTTPS_VARIABLES.items():
        assert f"{name}={value}" in readme, name


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_allowing_only_their_own_scripts_and_styles(client):
    policy = client.get("/accounts/login/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))

    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_health_probes_over_plain_http_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    login = client.get("/accounts/login/")
    assert (login.status_code, login.headers["Location"]) == (301, "https://testserver/accounts/login/")


@pytest.mark.skipif(not shutil.which("make") and not os.environ.get("CI"), reason="make is not installed")
def test_manage_py_runs_outside_make_once_make_has_written_the_development_env(tmp_path: Path) -> None:
    assert MANIFEST.exists(), f"{MANIFEST} is missing: build the frontend first (make frontend)"
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "staticfiles", "test-artifacts", "__pycache__", ".pytest_cache",
        ".hypothesis", "*.sqlite3*", ".env",
    ))
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=60)

    made = run("make", ".env")
    assert made.returncode == 0, made.stderr
    assert (project / ".env").read_text() == (project / ".env.example").read_text()
    checked = run(sys.executable, "manage.py", "check")
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout

    (project / ".env").write_text("DJANGO_DEBUG=1\n# the trader's own\n")
    assert run("make", ".env").returncode == 0
    assert (project / ".env").read_text() == "DJANGO_DEBUG=1\n# the trader's own\n"


@pytest.mark.parametrize("variable", ["OFFLINE_TEXT_CHARS_PER_SECOND", "OFFLINE_JSON_CHARS_PER_SECOND"])
def test_a_negative_offline_pace_stops_the_server_from_starting_with_a_clear_message(variable: str):
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "OFFLINE_"))}
    env.update(DJANGO_SETTINGS_MODULE="vibewater.settings", DJANGO_DEBUG="1", **{variable: "-5"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0
    assert "must be 0 (no delay) or more" in result.stderr
