"""The production settings: no start without a secret key of its own, HTTPS settings from the
environment, and `trueup check --deploy` clean with the environment the README documents. Each
runs the settings in a fresh Python with exactly the environment given."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Python in the repository with exactly ``env`` (the checkout comes first on sys.path)."""
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_with(env: dict[str, str], *names: str) -> dict[str, object]:
    script = (
        "import json, trueup.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {list(names)!r}}}, default=str))"
    )
    done = run(env, "-c", script)
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def readme_production_environment() -> dict[str, str]:
    """The env block under the README's "Running in production"."""
    section = README.read_text().split("## Running in production", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    lines = [line for line in block.splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_with_debug_off_and_no_secret_key_the_settings_refuse_to_load():
    done = run({}, "-c", "import trueup.settings")
    assert done.returncode == 1
    assert (
        "django.core.exceptions.ImproperlyConfigured: TrueUp will not start without a secret key "
        "of its own: set TRUEUP_SECRET_KEY to a long random value"
    ) in done.stderr


def test_the_public_demo_key_is_refused_too():
    env = {"TRUEUP_SECRET_KEY": "trueup-local-demo-key-not-for-production"}
    done = run(env, "-c", "import trueup.settings")
    assert "ImproperlyConfigured: TrueUp will not start" in done.stderr


def test_the_demo_runs_with_debug_on_and_the_demo_key():
    found = settings_with({"TRUEUP_DEBUG": "1"}, "DEBUG", "SECRET_KEY", "TRUEUP_STAFF_2FA")
    assert found == {
        "DEBUG": True,
        "SECRET_KEY": "trueup-local-demo-key-not-for-production",
        "TRUEUP_STAFF_2FA": False,
    }


def test_https_cookies_lockout_and_second_factor_come_from_the_environment():
    names = (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "ALLOWED_HOSTS",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        "TRUEUP_STAFF_2FA",
    )
    key = {"TRUEUP_SECRET_KEY": secrets.token_urlsafe(50)}
    assert settings_with(key, *names) == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "AXES_FAILURE_LIMIT": 5,
        "AXES_COOLOFF_TIME": "0:15:00",
        "TRUEUP_STAFF_2FA": True,  # on whenever DEBUG is off
    }
    env = {
        **key,
        "TRUEUP_SSL_REDIRECT": "1",
        "TRUEUP_HSTS_SECONDS": "600",
        "TRUEUP_HSTS_INCLUDE_SUBDOMAINS": "yes",
        "TRUEUP_HSTS_PRELOAD": "true",
        "TRUEUP_SECURE_COOKIES": "on",
        "TRUEUP_BEHIND_HTTPS_PROXY": "1",
        "TRUEUP_ALLOWED_HOSTS": "audit.example.com, www.audit.example.com",
        "TRUEUP_LOGIN_FAILURE_LIMIT": "7",
        "TRUEUP_LOGIN_COOLOFF_MINUTES": "45",
        "TRUEUP_STAFF_2FA": "0",
    }
    assert settings_with(env, *names) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "ALLOWED_HOSTS": ["audit.example.com", "www.audit.example.com"],
        "AXES_FAILURE_LIMIT": 7,
        "AXES_COOLOFF_TIME": "0:45:00",
        "TRUEUP_STAFF_2FA": False,
    }


def test_a_figure_that_is_not_a_number_is_named():
    env = {"TRUEUP_SECRET_KEY": secrets.token_urlsafe(50), "TRUEUP_HSTS_SECONDS": "a year"}
    done = run(env, "-c", "import trueup.settings")
    assert "TRUEUP_HSTS_SECONDS must be a whole number, not 'a year'" in done.stderr


def test_check_deploy_is_clean_with_the_environment_the_readme_documents():
    env = readme_production_environment()
    # The README leaves the key for each deployment to make; an empty one refuses to start.
    assert env["TRUEUP_SECRET_KEY"] == ""
    assert "ImproperlyConfigured" in run(env, "-c", "import trueup.settings").stderr
    env["TRUEUP_SECRET_KEY"] = secrets.token_urlsafe(50)
    done = run(env, "-c", "from trueup.cli import main; main()", "check", "--deploy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "System check identified no issues (0 silenced).\n"
    assert done.stderr == ""


@pytest.mark.parametrize("missing", ["TRUEUP_SSL_REDIRECT", "TRUEUP_SECURE_COOKIES"])
def test_check_deploy_names_what_the_environment_left_out(missing):
    env = readme_production_environment()
    env["TRUEUP_SECRET_KEY"] = secrets.token_urlsafe(50)
    del env[missing]
    done = run(env, "-c", "from trueup.cli import main; main()", "check", "--deploy")
    expected = {"TRUEUP_SSL_REDIRECT": "security.W008", "TRUEUP_SECURE_COOKIES": "security.W012"}
    assert expected[missing] in done.stderr


def test_postgresql_queries_are_prepared_unless_the_environment_turns_it_off():
    def options(**env: str) -> object:
        found = settings_with({"TRUEUP_SECRET_KEY": secrets.token_urlsafe(50), **env}, "DATABASES")
        return found["DATABASES"]["default"].get("OPTIONS")  # type: ignore[index]

    postgres = "postgres://trueup@db.example.com:5432/trueup"
    assert options(DATABASE_URL=postgres) == {"server_side_binding": True, "prepare_threshold": 2}
    assert options(DATABASE_URL=postgres, TRUEUP_DB_PREPARED="0") is None
    # SQLite keeps its own options (one writer at a time, the demo's server and worker).
    assert options()["transaction_mode"] == "IMMEDIATE"  # type: ignore[index]
