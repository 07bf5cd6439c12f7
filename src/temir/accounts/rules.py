"""Account rules: what a valid name looks like, how secrets are made, who may do what. Pure.

Secrets (API tokens, session ids) are random values from :mod:`secrets`; only their SHA-256 is
stored, so a copy of the database does not let anyone act as a user. A SHA-256 (not a slow
password hash) is right here because the values carry 256 bits of randomness: there is
nothing to guess.

Log-in throttling: at most ``LOGIN_MAX_FAILURES`` failed log-ins for one username from one
address within ``LOGIN_WINDOW`` (password guessing), and at most
``LOGIN_MAX_FAILURES_PER_ADDRESS`` failed log-ins from one address whatever the usernames
(password spraying: one password tried against many users). Further attempts fail without
checking the password until older failures leave the window; the answer says when
(``Retry-After``). The count comes from the audit log (``login.failed`` rows), so it holds
across processes and restarts and needs no table of its own. Throttled attempts are themselves
recorded as failures, so an attacker who keeps trying keeps the lock closed. The address limit
is higher than the per-user one because several honest people may share an address (an office
behind NAT); an attempt whose address is unknown is limited per user only, since unknown
addresses cannot be told apart.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from temir.accounts.model import Actor, OrganisationKind, Role
from temir.codes.railways import railway_key
from temir.kit.cookies import SESSION_COOKIE as SESSION_COOKIE
from temir.kit.errors import PermissionDenied, ValidationFailed
from temir.kit.i18n import N_, available_languages

TOKEN_SCHEME = "tmr_"  # noqa: S105 - makes a leaked Temir token recognisable to secret scanners
TOKEN_PREFIX_LENGTH = 12  # scheme + 8 random characters, shown in lists to tell tokens apart
TOKEN_MAX_DAYS = 3650

SESSION_LIFETIME = timedelta(hours=12)
LOGIN_CSRF_COOKIE = "temir_login_csrf"

LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES = 5
LOGIN_MAX_FAILURES_PER_ADDRESS = 20

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024

USERNAME = r"^[a-z0-9][a-z0-9._-]{2,63}$"
SLUG = r"^[a-z0-9][a-z0-9-]{1,63}$"
COUNTRY = r"^[A-Z]{2}$"
_USERNAME = re.compile(USERNAME)
_SLUG = re.compile(SLUG)
_COUNTRY = re.compile(COUNTRY)
RAILWAY_CODE = r"^[A-Z]{2,8}$"
_RAILWAY_CODE = re.compile(RAILWAY_CODE)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str, str]:
    """A fresh API token: ``(secret, display prefix, stored hash)``."""
    secret = TOKEN_SCHEME + secrets.token_urlsafe(32)
    return secret, secret[:TOKEN_PREFIX_LENGTH], sha256(secret)


def new_session_id() -> tuple[str, str]:
    """A fresh session id: ``(cookie value, stored hash)``."""
    cookie = secrets.token_urlsafe(32)
    return cookie, sha256(cookie)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise ValidationFailed(
            N_(
                "A username has 3 to 64 characters: lower-case Latin letters, digits, "
                "'.', '_' or '-', starting with a letter or digit."
            ),
            code="invalid_username",
            field="username",
        )
    return name


def check_slug(slug: str) -> str:
    value = slug.strip().lower()
    if not _SLUG.match(value):
        raise ValidationFailed(
            N_(
                "An organisation slug has 2 to 64 characters: lower-case Latin letters, digits "
                "or '-'."
            ),
            code="invalid_slug",
            field="slug",
        )
    return value


def check_country(country: str) -> str:
    value = country.strip().upper()
    if not _COUNTRY.match(value):
        raise ValidationFailed(
            N_("The country is a two-letter ISO 3166 code, e.g. KZ."),
            code="invalid_country",
            field="country",
        )
    return value


def check_railway_code(kind: OrganisationKind, code: str | None) -> str | None:
    if code is None or not code.strip():
        return None
    value = code.strip().upper()
    if kind is not OrganisationKind.RAILWAY:
        raise ValidationFailed(
            N_("Only a railway has a railway code."),
            code="invalid_railway_code",
            field="railway_code",
        )
    if not _RAILWAY_CODE.match(value):
        raise ValidationFailed(
            N_("A railway code is 2 to 8 Latin capital letters, e.g. KZH."),
            code="invalid_railway_code",
            field="railway_code",
        )
    return value


def check_client_code(code: str | None) -> str | None:
    """A carrier-assigned client code: 4 to 16 digits (as SMGS box 4 carries it)."""
    if code is None or not code.strip():
        return None
    value = code.strip()
    if not (value.isascii() and value.isdigit() and 4 <= len(value) <= 16):
        raise ValidationFailed(
            N_("A client code is 4 to 16 digits."), code="invalid_client_code", field="client_code"
        )
    return value


class _OrganisationLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def railway_code(self) -> str | None: ...


def railway_of(org: _OrganisationLike | None) -> str | None:
    """The railway (OSJD abbreviation, e.g. KZH) an organisation *is*, or ``None`` when it is not
    a railway: the party a carrier's user acts for in notes and protocols."""
    if org is None or org.kind != OrganisationKind.RAILWAY:
        return None
    return railway_key(org.railway_code)


NAME_MAX_LENGTH = 200
TOKEN_NAME_MAX_LENGTH = 100  # the api_tokens.name column
EMAIL_MAX_LENGTH = 200


def _has_control_characters(text: str) -> bool:
    """NUL and other C0 controls: PostgreSQL cannot store NUL, and none belongs in a name."""
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def check_name(value: str, field: str = "name", max_length: int = NAME_MAX_LENGTH) -> str:
    text = value.strip()
    if not text or len(text) > max_length or _has_control_characters(text):
        raise ValidationFailed(
            N_("{field_name} must have 1 to {max} characters, without control characters."),
            code="invalid_name",
            field=field,
            field_name=field,
            max=max_length,
        )
    return text


def check_token_name(value: str) -> str:
    return check_name(value, "name", TOKEN_NAME_MAX_LENGTH)


def check_email(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if (
        len(text) > EMAIL_MAX_LENGTH
        or _has_control_characters(text)
        or " " in text
        or text.count("@") != 1
        or text.startswith("@")
        or text.endswith("@")
    ):
        raise ValidationFailed(
            N_("An e-mail address looks like name@example.org (at most {max} characters)."),
            code="invalid_email",
            field="email",
            max=EMAIL_MAX_LENGTH,
        )
    return text


def check_language(value: str) -> str:
    code = value.strip().lower()
    if code not in available_languages():
        raise ValidationFailed(
            N_("Unknown language {value}; one of: {choices}."),
            code="invalid_language",
            field="language",
            value=value[:20],
            choices=", ".join(available_languages()),
        )
    return code


def login_name(username: str) -> str:
    """The key a log-in attempt is counted and audited under: any text, made storable."""
    name = normalise_username(username)[:64]
    return "".join("\ufffd" if ord(ch) < 32 or ord(ch) == 127 else ch for ch in name)


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationFailed(
            N_("A password has at least {min} characters."),
            code="weak_password",
            field="password",
            min=PASSWORD_MIN_LENGTH,
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationFailed(
            N_("A password has at most {max} characters."),
            code="invalid_password",
            field="password",
            max=PASSWORD_MAX_LENGTH,
        )
    return password


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValidationFailed(
            N_("Unknown role {value}; one of: {choices}."),
            code="invalid_role",
            field="role",
            value=value,
            choices=", ".join(r.value for r in Role),
        ) from None


def parse_kind(value: str) -> OrganisationKind:
    try:
        return OrganisationKind(value.strip().lower())
    except ValueError:
        raise ValidationFailed(
            N_("Unknown organisation kind {value}; one of: {choices}."),
            code="invalid_kind",
            field="kind",
            value=value,
            choices=", ".join(k.value for k in OrganisationKind),
        ) from None


def token_expiry(now: datetime, days: int | None) -> datetime | None:
    """When a token issued ``now`` for ``days`` days expires; ``None`` means it does not."""
    if days is None:
        return None
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationFailed(
            N_("A token lives 1 to {max} days."),
            code="invalid_expiry",
            field="expires_days",
            max=TOKEN_MAX_DAYS,
        )
    return now + timedelta(days=days)


def login_throttled(recent_failures: int, recent_from_address: int = 0) -> bool:
    """Whether a log-in attempt is refused unchecked, given the failures within the window:
    for this username from this address, and from this address for any username."""
    return (
        recent_failures >= LOGIN_MAX_FAILURES
        or recent_from_address >= LOGIN_MAX_FAILURES_PER_ADDRESS
    )


def login_retry_after(now: datetime, unlocks_at: datetime) -> int:
    """Whole seconds until ``unlocks_at`` (when enough failures have left the window), >= 1."""
    return max(1, math.ceil((unlocks_at - now).total_seconds()))


def require_role(actor: Actor, *roles: Role) -> None:
    """Raise unless ``actor`` has one of ``roles`` (an admin has every role)."""
    if not actor.has_role(*roles):
        raise PermissionDenied(N_("Your role ({role}) may not do this."), role=str(actor.role))


def require_self_or_admin(actor: Actor, user_id: int) -> None:
    """Tokens are personal: only their owner or an admin may issue, list or revoke them."""
    if actor.role is not Role.ADMIN and actor.user_id != user_id:
        raise PermissionDenied(N_("Only the owner or an administrator may do this."))
