"""Production security settings: check --deploy, headers, and templates the CSP can allow."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "grantfinder.example.com",
}


def _check_deploy(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    # A fresh process, so the real settings module is read the way production reads it.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_check_deploy_with_production_settings():
    result = _check_deploy(PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_fails_check_deploy_when_debug_is_on():
    result = _check_deploy({**PRODUCTION_ENV, "DJANGO_DEBUG": "true"})

    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_it_sends_the_security_headers(client):
    response = client.get("/accounts/login/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    # A nonce joins script-src on pages that use one; nothing ever allows inline code wholesale.
    assert re.search(r"script-src 'self'( 'nonce-[^']+')?;", csp)
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_it_keeps_templates_free_of_inline_scripts_and_styles():
    offenders = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            tag = match.group(0)
            if "src=" not in tag and "nonce=" not in tag:
                offenders.append(f"{path}: inline <script> without a nonce")
        if re.search(r"<style\b", text) or re.search(r"\sstyle\s*=", text):
            offenders.append(f"{path}: inline style (the CSP allows only static/css)")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path}: inline event handler attribute")

    assert offenders == [], "\n".join(offenders)
