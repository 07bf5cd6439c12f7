"""``temir users``, ``temir orgs``, ``temir tokens``: manage accounts from the server's shell.

Writes are attributed to ``system:cli:<os user>`` unless ``--as USERNAME`` names the Temir user
acting (whose role then applies).
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

import typer
from rich.table import Table

from temir.accounts import service
from temir.accounts.model import Actor, ApiToken, Channel, Organisation, User
from temir.kit import clock, runtime
from temir.kit.cli import JSON_OPTION, console, emit, err_console, language, user_errors
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_, translate

users_app = typer.Typer(no_args_is_help=True, help="Users: create, list.")
orgs_app = typer.Typer(no_args_is_help=True, help="Organisations: create, list.")
tokens_app = typer.Typer(no_args_is_help=True, help="API tokens: create, list, revoke.")
audit_app = typer.Typer(no_args_is_help=True, help="Audit log: verify its hash chain.")

AS_OPTION = typer.Option(
    None, "--as", help="Act as this Temir user (default: system:cli:<os user>)."
)


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def cli_actor(as_user: str | None) -> Actor:
    if as_user is None:
        return Actor.system(f"cli:{os_user()}", Channel.CLI)
    with runtime.uow().read() as session:
        return service.actor_for(session, as_user, Channel.CLI)


def _table(*columns: str) -> Table:
    """Wrap rather than cut: names and codes must be read in full."""
    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


# --- organisations ---------------------------------------------------------------------------


def _organisations_table(organisations: list[Organisation]) -> None:
    table = _table("slug", "name", "kind", "country", "railway", "synthetic")
    for o in organisations:
        table.add_row(
            o.slug,
            o.name,
            str(o.kind),
            o.country,
            o.railway_code or "",
            "yes" if o.synthetic else "",
        )
    console.print(table)


@orgs_app.command("create")
def orgs_create(
    slug: str = typer.Argument(..., help="Short id, e.g. kostanay-grain."),
    name: str = typer.Option(..., "--name", help="Name in English (or Latin script)."),
    kind: str = typer.Option(
        ..., "--kind", help="railway, shipper, forwarder, consignee, authority."
    ),
    country: str = typer.Option(..., "--country", help="ISO 3166 code, e.g. KZ."),
    name_ru: str | None = typer.Option(None, "--name-ru", help="Name in Russian."),
    railway_code: str | None = typer.Option(None, "--railway-code", help="For railways, e.g. KZH."),
    client_code: str | None = typer.Option(
        None, "--client-code", help="Client code carriers assigned (a note's box 4 names it)."
    ),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an organisation."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            organisation = service.create_organisation(
                session,
                actor,
                slug=slug,
                name=name,
                kind=kind,
                country=country,
                name_ru=name_ru,
                railway_code=railway_code,
                client_code=client_code,
            )
    emit(organisation.to_dict(), as_json, lambda _: _organisations_table([organisation]))


@orgs_app.command("list")
def orgs_list(as_json: bool = JSON_OPTION) -> None:
    """List organisations."""
    with user_errors(as_json), runtime.uow().read() as session:
        organisations = service.list_organisations(session)
    emit(
        [o.to_dict() for o in organisations], as_json, lambda _: _organisations_table(organisations)
    )


# --- users ------------------------------------------------------------------------------------


def _users_table(users: list[User]) -> None:
    table = _table(
        "username", "full name", "role", "organisation", "web log-in", "active", "synthetic"
    )
    for u in users:
        table.add_row(
            u.username,
            u.full_name,
            str(u.role),
            u.organisation_slug or "",
            "yes" if u.has_password else "no",
            "yes" if u.active else "no",
            "yes" if u.synthetic else "",
        )
    console.print(table)


NO_PASSWORD_GIVEN = N_(
    "No password given: stdin is not a terminal, so pipe the password as one line, or use "
    "--no-password for a user who only uses API tokens."
)


def _read_password(from_stdin: bool, no_password: bool) -> str | None:
    """The password: typed twice at a terminal, else one line from stdin (a script, a pipe)."""
    if no_password:
        return None
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line and not from_stdin:
            raise ValidationFailed(NO_PASSWORD_GIVEN, code="users.no_password", field="password")
        return line
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@users_app.command("create")
def users_create(
    username: str = typer.Argument(...),
    org: str | None = typer.Option(None, "--org", help="Organisation slug."),
    role: str = typer.Option(
        ..., "--role", help="admin, railway_operator, shipper, analyst, viewer."
    ),
    full_name: str | None = typer.Option(None, "--full-name"),
    email: str | None = typer.Option(None, "--email"),
    language: str = typer.Option("en", "--language", help="en, ru, kk or tg."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin."
    ),
    no_password: bool = typer.Option(
        False, "--no-password", help="API tokens only, no web log-in."
    ),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a user (asks for the password at a terminal, else reads one line from stdin)."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        password = _read_password(password_stdin, no_password)
        with runtime.uow()() as session:
            user = service.create_user(
                session,
                actor,
                username=username,
                role=role,
                organisation=org,
                full_name=full_name,
                password=password,
                email=email,
                language=language,
            )
    emit(user.to_dict(), as_json, lambda _: _users_table([user]))


@users_app.command("list")
def users_list(
    org: str | None = typer.Option(None, "--org", help="Only this organisation."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List users."""
    with user_errors(as_json), runtime.uow().read() as session:
        users = service.list_users(session, org)
    emit([u.to_dict() for u in users], as_json, lambda _: _users_table(users))


# --- tokens -----------------------------------------------------------------------------------


def _tokens_table(tokens: list[ApiToken]) -> None:
    now = clock.now()
    table = _table("id", "user", "name", "prefix", "status", "expires", "last used")
    for t in tokens:
        table.add_row(
            str(t.id),
            t.username,
            t.name,
            t.prefix + "…",
            str(t.status(now)),
            t.expires_at.isoformat(timespec="minutes") if t.expires_at else "never",
            t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "",
        )
    console.print(table)


@tokens_app.command("create")
def tokens_create(
    username: str = typer.Argument(..., help="Whose token."),
    name: str = typer.Option("api", "--name", help="What the token is for."),
    expires_days: int | None = typer.Option(None, "--expires-days", help="Lifetime in days."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Issue an API token and print it once: it is not stored and cannot be shown again."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            issued = service.issue_token(
                session, actor, username=username, name=name, expires_days=expires_days
            )
    data: dict[str, Any] = {"token": issued.secret, **issued.token.to_dict(clock.now())}

    def show(_: Any) -> None:
        console.print(f"API token for [bold]{issued.token.username}[/] ({issued.token.name}):")
        console.print(issued.secret, markup=False, highlight=False, soft_wrap=True)
        err_console.print(
            "[yellow]Copy it now: it will not be shown again (only its hash is stored).[/]"
        )

    emit(data, as_json, show)


@tokens_app.command("list")
def tokens_list(
    username: str | None = typer.Argument(None, help="Only this user's tokens."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List API tokens (never the tokens themselves)."""
    with user_errors(as_json), runtime.uow().read() as session:
        tokens = service.list_tokens(
            session, Actor.system(f"cli:{os_user()}", Channel.CLI), username
        )
    now = clock.now()
    emit([t.to_dict(now) for t in tokens], as_json, lambda _: _tokens_table(tokens))


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: int = typer.Argument(..., help="Token id (see temir tokens list)."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Revoke an API token; it stops working at once."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            token = service.revoke_token(session, actor, token_id)
    emit(token.to_dict(clock.now()), as_json, lambda _: _tokens_table([token]))


# --- audit ------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(as_json: bool = JSON_OPTION) -> None:
    """Check the audit log's hash chain; name the first changed, deleted or inserted row.

    Exits 1 when the chain is broken. Note the head digest somewhere outside the database:
    a later run that prints another digest for the same length means history was rewritten.
    """
    lang = language()
    with user_errors(as_json), runtime.uow().read() as session:
        verdict = service.verify_audit(session, Actor.system(f"cli:{os_user()}", Channel.CLI))

    def show(_: Any) -> None:
        length = verdict.head.length if verdict.head else 0
        digest = verdict.head.last_digest if verdict.head else "-"
        if verdict.first_break is None:
            text = translate(N_("Audit chain intact: {length} rows."), lang, length=length)
            console.print(f"[green]{text}[/]")
        else:
            text = translate(N_("Audit chain broken: {message}"), lang, message="")
            err_console.print(
                f"[bold red]{text}[/]", verdict.first_break.message(lang), markup=True
            )
        console.print(translate(N_("Head digest: {digest}"), lang, digest=digest), markup=False)

    emit(verdict.to_dict(lang), as_json, show)
    if not verdict.ok:
        raise typer.Exit(1)
