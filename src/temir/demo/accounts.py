"""Demo step 1: organisations and users, all synthetic and named "(demo)".

Passwords are derived from the seed (HMAC-SHA-256 of the username), so the same seed always
prints the same log-ins; with ``TEMIR_DEMO_PASSWORD`` (``temir demo --password``) every demo
user gets that one password instead. A user that already exists keeps its password: we only
show it if the seed still produces it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy.orm import Session

from temir.accounts import passwords, repository, service
from temir.accounts.model import Actor, OrganisationKind, Role
from temir.demo.service import DemoContext, DemoTable, StepSummary, step
from temir.kit.errors import Problem, Severity
from temir.kit.i18n import N_

SHARED_PASSWORD_ENV = "TEMIR_DEMO_PASSWORD"  # noqa: S105 - the variable name


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    name_ru: str
    kind: OrganisationKind
    country: str
    railway_code: str | None = None
    client_code: str | None = None
    """The client code of the example note's box 4, so the demo consignee sees its notes."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    organisation: str | None
    language: str = "en"


ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation(
        "demo-kzh",
        "Kazakhstan Temir Zholy (demo)",
        "Казахстан темир жолы (демо)",
        OrganisationKind.RAILWAY,
        "KZ",
        "KZH",
    ),
    DemoOrganisation(
        "demo-uti",
        "O'zbekiston Temir Yo'llari (demo)",
        "Узбекистон темир йуллари (демо)",
        OrganisationKind.RAILWAY,
        "UZ",
        "UTI",
    ),
    DemoOrganisation(
        "demo-tdz",
        "Tajik Railway / Роҳи оҳани Тоҷикистон (demo)",
        "Таджикская железная дорога (демо)",
        OrganisationKind.RAILWAY,
        "TJ",
        "TDZ",
    ),
    DemoOrganisation(
        "demo-kostanay-grain",
        "Kostanay Grain Export (demo)",
        "Костанайский зерновой экспорт (демо)",
        OrganisationKind.SHIPPER,
        "KZ",
    ),
    DemoOrganisation(
        "demo-dushanbe-flour",
        "Dushanbe Flour Mill, consignee (demo)",
        "Душанбинский мелькомбинат, получатель (демо)",
        OrganisationKind.CONSIGNEE,
        "TJ",
        client_code="66001278",
    ),
    DemoOrganisation(
        "demo-silk-forwarding",
        "Silk Corridor Forwarding (demo)",
        "Экспедитор «Шёлковый коридор» (демо)",
        OrganisationKind.FORWARDER,
        "KZ",
    ),
)

USERS: tuple[DemoUser, ...] = (
    DemoUser("demo-admin", "Demo administrator", Role.ADMIN, None),
    DemoUser("demo-kzh", "KZH operator (demo)", Role.RAILWAY_OPERATOR, "demo-kzh", "ru"),
    DemoUser("demo-uti", "UTI operator (demo)", Role.RAILWAY_OPERATOR, "demo-uti", "ru"),
    DemoUser("demo-tdz", "TDZ operator (demo)", Role.RAILWAY_OPERATOR, "demo-tdz", "ru"),
    DemoUser("demo-shipper", "Grain shipper, Kostanay (demo)", Role.SHIPPER, "demo-kostanay-grain"),
    DemoUser("demo-consignee", "Consignee, Dushanbe (demo)", Role.VIEWER, "demo-dushanbe-flour"),
    DemoUser("demo-analyst", "KZH analyst (demo)", Role.ANALYST, "demo-kzh"),
    DemoUser("demo-forwarder", "Forwarder (demo)", Role.SHIPPER, "demo-silk-forwarding"),
)


def demo_password(seed: int, username: str) -> str:
    """A readable password derived from the seed: the same seed gives the same password."""
    digest = hmac.new(f"temir-demo:{seed}".encode(), username.encode(), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode("ascii").lower()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


_shared_password: str | None = None


def use_shared_password(password: str | None) -> None:
    """Give every demo user created from now on this one password (``temir demo --password``)."""
    global _shared_password
    _shared_password = password


CREATED = N_("created")
ALREADY_THERE = N_("already there")
PASSWORD_UNCHANGED = N_("(unchanged, set by an earlier run)")


@step("accounts", N_("Demo organisations and users"))
def demo_accounts(session: Session, actor: Actor, context: DemoContext) -> StepSummary:
    seed = context.seed
    summary = StepSummary("accounts")
    organisations = DemoTable(
        N_("Demo organisations (synthetic)"), [N_("slug"), N_("name"), N_("kind"), N_("status")]
    )
    for spec in ORGANISATIONS:
        row = repository.organisation_row(session, spec.slug)
        if row is None:
            service.create_organisation(
                session,
                actor,
                slug=spec.slug,
                name=spec.name,
                name_ru=spec.name_ru,
                kind=spec.kind,
                country=spec.country,
                railway_code=spec.railway_code,
                client_code=spec.client_code,
                synthetic=True,
            )
            summary.created += 1
            status = CREATED
        else:
            summary.existing += 1
            status = ALREADY_THERE
            if not row.synthetic:
                summary.notes.append(
                    Problem(
                        "real_organisation_kept",
                        N_("Organisation {slug} exists and is not synthetic; left alone."),
                        params={"slug": spec.slug},
                        severity=Severity.WARNING,
                    )
                )
        organisations.rows.append([spec.slug, spec.name, spec.kind.value, status])

    users = DemoTable(
        N_("Demo users (synthetic)"),
        [N_("username"), N_("password"), N_("role"), N_("organisation"), N_("status")],
        translated_columns=("password", "status"),
    )
    for user in USERS:
        password = _shared_password or demo_password(seed, user.username)
        existing = repository.user_row(session, user.username)
        if existing is None:
            service.create_user(
                session,
                actor,
                username=user.username,
                full_name=user.full_name,
                role=user.role,
                organisation=user.organisation,
                password=password,
                language=user.language,
                synthetic=True,
            )
            summary.created += 1
            status, shown = CREATED, password
        else:
            summary.existing += 1
            status = ALREADY_THERE
            still = passwords.verify(existing.password_hash, password).ok
            shown = password if still else PASSWORD_UNCHANGED
        users.rows.append([user.username, shown, user.role.value, user.organisation or "", status])
    summary.tables += [organisations, users]
    return summary
