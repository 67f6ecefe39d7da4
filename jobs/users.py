"""`python -m jobs users add|remove|list|passwd|role`: the local users of SPARTAN_AUTH=local.
A password never comes on the command line (it would stay in the shell's history and show in
``ps``): it is prompted for twice on a terminal, or read from the first line of stdin with
``--password-stdin``."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from sqlalchemy import Engine

from sql.schema_users import ROLES
from sql.users import UserError, add_user, list_users, remove_user, set_password, set_role


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``users`` command and its subcommands on ``python -m jobs``'s parser."""
    users = sub.add_parser("users", help="the local users of SPARTAN_AUTH=local (add, remove, list, passwd, role)")
    commands = users.add_subparsers(dest="users_command", required=True)
    add = commands.add_parser("add", help="create a user (the password is prompted for, or read from stdin)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="viewer", help="viewer (default) or admin")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    remove = commands.add_parser("remove", help="delete a user and end their sessions")
    remove.add_argument("username")
    commands.add_parser("list", help="every user with their role and last login")
    passwd = commands.add_parser("passwd", help="set a new password (ends the user's sessions, unlocks the account)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    role = commands.add_parser("role", help="change a user's role")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)


def read_password(from_stdin: bool, stdin: TextIO | None = None) -> str:
    """The new password: stdin's first line, or typed twice at a prompt."""
    stdin = stdin or sys.stdin
    if from_stdin:
        return stdin.readline().rstrip("\r\n")
    if not stdin.isatty():
        raise UserError("no terminal to ask for the password on: use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise UserError("the two passwords differ")
    return first


def run(engine: Engine, args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Do the users subcommand of ``args``; 0 when done, 1 with a clear message when not."""
    out = out or sys.stdout
    try:
        command = args.users_command
        if command == "list":
            _print_users(engine, out)
        elif command == "add":
            user = add_user(engine, args.username, read_password(args.password_stdin), args.role)
            print(f"user {user.username} added ({user.role})", file=out)
        elif command == "remove":
            remove_user(engine, args.username)
            print(f"user {args.username.lower()} removed", file=out)
        elif command == "passwd":
            set_password(engine, args.username, read_password(args.password_stdin))
            print(f"password of {args.username.lower()} changed; their sessions are ended", file=out)
        elif command == "role":
            set_role(engine, args.username, args.role)
            print(f"user {args.username.lower()} is {args.role} now", file=out)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _print_users(engine: Engine, out: TextIO) -> None:
    rows = list_users(engine)
    if not rows:
        print("no users yet (SPARTAN_ADMIN_USER/_PASSWORD make the first admin at the web's start)", file=out)
        return
    print(f"{'username':<24} {'role':<7} {'state':<9} {'created':<17} last login", file=out)
    for user in rows:
        state = "disabled" if user.disabled else "locked" if user.locked_until else "active"
        created = user.created_at.strftime("%Y-%m-%d %H:%M")
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
        print(f"{user.username:<24} {user.role:<7} {state:<9} {created:<17} {last}", file=out)
