"""`python -m jobs users add|remove|list|passwd|role|disable|enable|token|embed`: the local users
of SPARTAN_AUTH=local, their API tokens and their signed embed links. A password never comes on
the command line (it would stay in the shell's history and show in ``ps``): it is prompted for
twice on a terminal, or read from the first line of stdin with ``--password-stdin``."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy import Engine

from sql.embed_links import list_links, revoke_link
from sql.schema_users import ROLES
from sql.tokens import create_token, list_tokens, revoke_token
from sql.users import UserError, add_user, list_users, remove_user, set_disabled, set_password, set_role


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``users`` command and its subcommands on ``python -m jobs``'s parser."""
    users = sub.add_parser("users", help="the local users of SPARTAN_AUTH=local and their API tokens")
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
    for action, text in (
        ("disable", "stop a user signing in (ends their sessions, stops their tokens)"),
        ("enable", "let a disabled user sign in again"),
    ):
        commands.add_parser(action, help=text).add_argument("username")
    token = commands.add_parser("token", help="API tokens (Authorization: Bearer): add, revoke, list")
    tokens = token.add_subparsers(dest="tokens_action", required=True)
    token_add = tokens.add_parser("add", help="make a token for a user; it is printed once, never again")
    token_add.add_argument("username")
    token_add.add_argument("--name", required=True, help="what the token is for (e.g. the report that uses it)")
    token_revoke = tokens.add_parser("revoke", help="revoke a token by its id (see `token list`)")
    token_revoke.add_argument("token_id", type=int)
    token_list = tokens.add_parser("list", help="every token (of a user): id, name, first characters, last use")
    token_list.add_argument("username", nargs="?")
    embed = commands.add_parser("embed", help="signed embed links (made in the Embed dialog): list, revoke")
    embeds = embed.add_subparsers(dest="embed_action", required=True)
    embed_list = embeds.add_parser("list", help="every embed link (of a user): id, what it opens, expiry, state")
    embed_list.add_argument("username", nargs="?")
    embed_revoke = embeds.add_parser("revoke", help="end an embed link for good, by its id (see `embed list`)")
    embed_revoke.add_argument("link_id", type=int)


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
        elif command in ("disable", "enable"):
            set_disabled(engine, args.username, command == "disable")
            print(f"user {args.username.lower()} is {command}d", file=out)
        elif command == "token":
            _token_command(engine, args, out)
        elif command == "embed":
            _embed_command(engine, args, out)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _token_command(engine: Engine, args: argparse.Namespace, out: TextIO) -> None:
    if args.tokens_action == "add":
        record, token = create_token(engine, args.username, args.name)
        print(f"token {record.id} ({record.name}) for {record.username}; shown this once, keep it safe:", file=out)
        print(token, file=out)
    elif args.tokens_action == "revoke":
        revoke_token(engine, args.token_id)
        print(f"token {args.token_id} revoked", file=out)
    else:
        rows = list_tokens(engine, args.username)
        if not rows:
            print("no tokens", file=out)
            return
        print(f"{'id':>4} {'user':<16} {'name':<24} {'starts':<13} {'state':<8} last used", file=out)
        for row in rows:
            state = "revoked" if row.revoked_at else "live"
            last = row.last_used_at.strftime("%Y-%m-%d %H:%M") if row.last_used_at else "never"
            print(f"{row.id:>4} {row.username:<16} {row.name:<24} {row.prefix + '…':<13} {state:<8} {last}", file=out)


def _embed_command(engine: Engine, args: argparse.Namespace, out: TextIO) -> None:
    if args.embed_action == "revoke":
        revoke_link(engine, args.link_id)
        print(f"embed link {args.link_id} revoked: it opens nothing from now on", file=out)
        return
    rows = list_links(engine, args.username)
    if not rows:
        print("no embed links", file=out)
        return
    now = datetime.now(UTC)
    print(f"{'id':>4} {'user':<16} {'state':<8} {'expires':<17} opens", file=out)
    for row in rows:
        state = "revoked" if row.revoked_at else "expired" if row.expires_at <= now else "live"
        state = "disabled" if row.user_disabled and state == "live" else state
        print(f"{row.id:>4} {row.username:<16} {state:<8} {row.expires_at:%Y-%m-%d %H:%M} {row.target}", file=out)


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
