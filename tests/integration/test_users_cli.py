"""`python -m jobs users …` as an operator runs it: passwords from stdin (never argv), clear
errors, and the changes visible to the login check."""

from __future__ import annotations

from datetime import timedelta

from sql.users import authenticate
from tests.integration.test_jobs_cli import run_jobs

PASSWORD = "correct horse battery"


def users_cli(tmp_path, *args: str, stdin: str | None = None):
    import os
    import subprocess
    import sys

    from tests.conftest import FRED_CATALOG, ROOT

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SPARTAN_SOURCES_FILE": str(FRED_CATALOG),
        "SPARTAN_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-m", "jobs", "users", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_users_are_added_listed_changed_and_removed_from_the_command_line(tmp_path):
    added = users_cli(tmp_path, "add", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "user root added (admin)" in added.stdout
    assert users_cli(tmp_path, "add", "alice", "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    listed = users_cli(tmp_path, "list")
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:3] == ["username", "role", "state"]
    assert [line.split()[:3] for line in lines[1:]] == [["alice", "viewer", "active"], ["root", "admin", "active"]]
    assert PASSWORD not in listed.stdout

    disabled = users_cli(tmp_path, "disable", "alice")
    assert disabled.returncode == 0 and "user alice is disabled" in disabled.stdout
    assert "disabled" in users_cli(tmp_path, "list").stdout
    assert users_cli(tmp_path, "enable", "alice").returncode == 0
    assert users_cli(tmp_path, "role", "alice", "admin").returncode == 0
    changed = users_cli(tmp_path, "passwd", "alice", "--password-stdin", stdin="a brand new password\n")
    assert changed.returncode == 0 and "sessions are ended" in changed.stdout
    removed = users_cli(tmp_path, "remove", "root")
    assert removed.returncode == 0 and "user root removed" in removed.stdout

    from config.settings import load_settings
    from sql.store import configure

    engine = configure(load_settings({"SPARTAN_VAR_DIR": str(tmp_path / "var")})).engine
    try:
        login = authenticate(engine, "alice", "a brand new password", 5, timedelta(minutes=1))
        assert login.user is not None and login.user.role == "admin"
    finally:
        engine.dispose()


def test_user_errors_are_one_clear_line_and_exit_1(tmp_path):
    short = users_cli(tmp_path, "add", "alice", "--password-stdin", stdin="short\n")
    assert short.returncode == 1
    assert short.stderr.strip().splitlines()[-1] == "error: a password needs at least 10 characters"
    missing = users_cli(tmp_path, "remove", "nobody")
    assert missing.returncode == 1 and "error: no user 'nobody'" in missing.stderr
    # Without a terminal and without --password-stdin there is nowhere to ask.
    no_tty = users_cli(tmp_path, "add", "alice", stdin="")
    assert no_tty.returncode == 1 and "use --password-stdin" in no_tty.stderr
    assert "Traceback" not in short.stderr + missing.stderr + no_tty.stderr


def test_a_password_is_no_command_line_argument(tmp_path):
    refused = run_jobs("users", "add", "alice", "--password", PASSWORD, env={"SPARTAN_VAR_DIR": str(tmp_path / "var")})
    assert refused.returncode == 2 and "unrecognized arguments" in refused.stderr


def test_an_empty_user_list_says_how_to_make_the_first_admin(tmp_path):
    listed = users_cli(tmp_path, "list")
    assert listed.returncode == 0 and "SPARTAN_ADMIN_USER" in listed.stdout
