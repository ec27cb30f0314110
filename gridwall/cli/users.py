"""``gridwall users``: people, walls and feeds; passwords and API tokens.

Passwords are never flags: they are typed (hidden, twice) or read from standard input with
``--password-stdin``. Every change is audited with the operating-system user as the actor.
"""

from __future__ import annotations

import contextlib
import getpass
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import click
import redis

from gridwall.access.audit import AuditAction, audit
from gridwall.access.roles import PASSWORD_ROLES, Role, TokenStore
from gridwall.access.users import User, UserError, UserStore
from gridwall.cli.base import Context, cli, pass_context
from gridwall.platform.keys import Keys


@dataclass
class Stores:
    client: redis.Redis
    keys: Keys
    users: UserStore
    tokens: TokenStore
    obj: Context

    def audit(self, action: str, target: str, **detail: object) -> None:
        audit(
            self.client,
            self.keys,
            action,
            actor=f"cli:{getpass.getuser()}",
            via="cli",
            target=target,
            detail=detail,
        )


def _stores(obj: Context) -> Stores:
    from gridwall.platform.redisconn import connect  # noqa: PLC0415 - only when a command runs

    settings = obj.settings()
    client = connect(obj.redis_url(settings))
    keys = Keys(settings.county)
    return Stores(
        client, keys, UserStore(client, keys, settings.auth), TokenStore(client, keys), obj
    )


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """A refused user change is one clear line."""
    try:
        yield
    except UserError as exc:
        raise click.ClickException(str(exc)) from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise click.ClickException("no password on standard input")
        return line
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _check_scope(obj: Context, department: str | None, layout: str | None) -> None:
    from dashboard.wall.layouts import LayoutError, load_layout  # noqa: PLC0415
    from gridwall.platform.redisconn import connect  # noqa: PLC0415
    from gridwall.refdata.registry import load_registry  # noqa: PLC0415

    settings = obj.settings()
    if layout is not None:
        try:
            load_layout(layout, settings.wall.layouts_dir)
        except LayoutError as exc:
            raise click.ClickException(str(exc)) from None
    if department is not None:
        registry = load_registry(connect(obj.redis_url(settings)), Keys(settings.county))
        if registry.departments and registry.department(department) is None:
            raise click.ClickException(f"no department {department} in the reference data")
        if not registry.departments:
            click.echo(f"note: no departments in the reference data yet; {department} kept as is")


@cli.group()
def users() -> None:
    """People, walls and feeds: accounts, passwords and API tokens."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--department", help="Department code (department users).")
@click.option("--layout", help="The one wall layout a wall shows (walls).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_context
def add(
    obj: Context,
    name: str,
    role: str,
    department: str | None,
    layout: str | None,
    password_stdin: bool,
) -> None:
    """Add a user (people get a password; walls get tokens with `users token`)."""
    if role == Role.SOURCE.value:
        raise click.UsageError(
            "feed sources are not users: give one its token with "
            "`gridwall sources token issue SOURCE` (rotate with `sources token rotate`)"
        )
    stores = _stores(obj)
    _check_scope(obj, department, layout)
    user = User(name=name, role=Role(role), department=department, layout=layout)
    password = _password(password_stdin) if user.role in PASSWORD_ROLES else None
    with user_errors():
        stores.users.add(user, password)
    stores.audit(AuditAction.USER_ADDED, name, role=role, department=department, layout=layout)
    hint = "" if password else f"; give it a token with `gridwall users token {name}`"
    click.echo(f"user {name} added ({role}){hint}")


@users.command("list")
@pass_context
def list_users(obj: Context) -> None:
    """List users with their role, scope, state and number of tokens."""
    stores = _stores(obj)
    tokens = stores.tokens.records()
    click.echo(f"{'name':<20} {'role':<11} {'scope':<20} {'state':<9} tokens")
    for user in stores.users.all():
        scope = user.department or user.layout or user.source or ""
        state = "disabled" if user.disabled else "locked" if stores.users.locked(user.name) else ""
        count = sum(1 for r in tokens.values() if r.principal.name == user.name)
        click.echo(f"{user.name:<20} {user.role.value:<11} {scope:<20} {state:<9} {count}")


@users.command()
@click.argument("name")
@pass_context
def disable(obj: Context, name: str) -> None:
    """Disable a user: its tokens are revoked and its sessions end at once."""
    from gridwall.access.sessions import end_user_sessions  # noqa: PLC0415

    stores = _stores(obj)
    with user_errors():
        stores.users.set_disabled(name, True)
    revoked = stores.tokens.revoke_all(name)
    ended = end_user_sessions(stores.client, stores.keys, name)
    stores.audit(AuditAction.USER_DISABLED, name, tokens_revoked=revoked, sessions_ended=ended)
    click.echo(f"user {name} disabled: {revoked} tokens revoked, {ended} sessions ended")


@users.command()
@click.argument("name")
@pass_context
def enable(obj: Context, name: str) -> None:
    """Enable a disabled user again (tokens stay revoked: issue new ones)."""
    stores = _stores(obj)
    with user_errors():
        stores.users.set_disabled(name, False)
    stores.audit(AuditAction.USER_ENABLED, name)
    click.echo(f"user {name} enabled")


@users.command()
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_context
def passwd(obj: Context, name: str, password_stdin: bool) -> None:
    """Set a new password; the user's sessions end and a lockout is lifted."""
    from gridwall.access.sessions import end_user_sessions  # noqa: PLC0415

    stores = _stores(obj)
    if stores.users.get(name) is None:
        raise click.ClickException(f"no user {name}")
    with user_errors():
        stores.users.set_password(name, _password(password_stdin))
    stores.users.unlock(name)
    ended = end_user_sessions(stores.client, stores.keys, name)
    stores.audit(AuditAction.USER_PASSWORD, name, sessions_ended=ended)
    click.echo(f"password of {name} changed; {ended} sessions ended")


@users.command()
@click.argument("name")
@pass_context
def unlock(obj: Context, name: str) -> None:
    """Lift the lockout after repeated failed sign-ins."""
    stores = _stores(obj)
    stores.users.unlock(name)
    stores.audit(AuditAction.USER_UNLOCKED, name)
    click.echo(f"{name} unlocked")


@users.command()
@click.argument("name")
@click.option("--label", default="", help="What the token is for (shown by `users tokens`).")
@pass_context
def token(obj: Context, name: str, label: str) -> None:
    """Print a new API token for NAME (earlier tokens stay valid until revoked)."""
    stores = _stores(obj)
    user = stores.users.get(name)
    if user is None:
        raise click.ClickException(f"no user {name}")
    if user.disabled:
        raise click.ClickException(f"user {name} is disabled")
    new = stores.tokens.issue(user.principal(), label=label)
    record = stores.tokens.record(new)
    token_id = record.id if record else ""
    stores.audit(AuditAction.TOKEN_ISSUED, name, token_id=token_id, label=label)
    click.echo(new)
    if user.role is Role.WALL:
        click.echo(f"kiosk link: /wall/{user.layout}?token={new}", err=True)
    click.echo(
        f"token id {token_id}: revoke with `gridwall users revoke {name} {token_id}`", err=True
    )


@users.command()
@click.argument("name")
@pass_context
def tokens(obj: Context, name: str) -> None:
    """List the tokens of NAME (ids, labels, dates; never the tokens)."""
    stores = _stores(obj)
    for record in sorted(stores.tokens.records(name).values(), key=lambda r: r.created_at):
        created = record.created_at.isoformat(timespec="seconds")
        click.echo(f"{record.id}  {created}  {record.label}")


@users.command()
@click.argument("name")
@click.argument("token_id", required=False)
@click.option("--all", "revoke_all", is_flag=True, help="Revoke every token of NAME.")
@pass_context
def revoke(obj: Context, name: str, token_id: str | None, revoke_all: bool) -> None:
    """Revoke one token of NAME by its id (see `users tokens`), or all of them."""
    stores = _stores(obj)
    if revoke_all:
        count = stores.tokens.revoke_all(name)
    elif token_id:
        count = int(stores.tokens.revoke_id(name, token_id))
        if not count:
            raise click.ClickException(f"{name} has no token {token_id}")
    else:
        raise click.ClickException("give a TOKEN_ID or --all")
    stores.audit(AuditAction.TOKEN_REVOKED, name, token_id=token_id or "all", count=count)
    click.echo(f"{count} token(s) of {name} revoked")
