"""The protocol "results of N and plans for N+1" between two railways: drawn up from the
facts and the stored plan, signed by each party, verified, checked against the plan year's
actuals, exported and printed (PDF, XLSX).

Signed like consignment notes: with the *organisation key* of each railway (sealed at rest,
:mod:`temir.signing.sealing`), the current key of the acting user's organisation, and checked with
the organisations' stored public keys — retired keys included, so a rotation never voids an
earlier signature. The signer must belong to one of the two railways; a key of one railway
never verifies a signature in the other's name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts import repository as accounts_repository
from temir.accounts import rules as rules_of_accounts
from temir.accounts.model import Actor, Role
from temir.accounts.tables import OrganisationRow
from temir.kit import clock
from temir.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from temir.kit.i18n import N_
from temir.signing import service as signing_service
from temir.signing.keyring import KeyRing
from temir.signing.model import Signature
from temir.stats.plans import repository as plan_repository
from temir.stats.plans.model import PlanVsActual
from temir.stats.plans.service import PLAN_WRITERS, country_pair, plan_vs_actual
from temir.stats.protocol import repository
from temir.stats.protocol import rules as protocol
from temir.stats.tables import StatsProtocolRow, StatsProtocolSignatureRow
from temir.stats.volumes import repository as facts
from temir.stats.volumes.rules import tonnes_of

#: The railway that signs for a country when none is named (demo: KZH and TDZ).
RAILWAY_OF_COUNTRY = {"KZ": "KZH", "TJ": "TDZ", "UZ": "UTI", "KG": "KRG", "TM": "TRK", "RU": "RZD"}
PROTOCOL_SIGNERS = (Role.RAILWAY_OPERATOR,)  # and admins (of a party's organisation)


@dataclass(frozen=True)
class StoredProtocol:
    """A protocol as stored: its signed content, digest and the parties' signatures."""

    protocol_id: str
    content: dict[str, Any]
    digest: str
    signatures: tuple[Signature, ...]
    created_at: datetime
    recorded_digest: str = ""

    @property
    def signed_by(self) -> list[str]:
        return [s.role for s in self.signatures]

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol_id": self.protocol_id,
            "digest": self.digest,
            "created_at": self.created_at.isoformat(),
            "signed_by": self.signed_by,
            "signatures": [s.model_dump(mode="json") for s in self.signatures],
            "content": self.content,
        }


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone columns; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _stored(session: Session, row: StatsProtocolRow) -> StoredProtocol:
    sigs = repository.protocol_signature_rows(session, row.id)
    return StoredProtocol(
        protocol_id=row.protocol_id,
        content=dict(row.content),
        digest=protocol.digest(row.content),
        signatures=tuple(
            Signature(
                key_id=s.key_id,
                algorithm=s.algorithm,
                signer=s.signer,
                role=s.party,
                signed_at=_aware(s.signed_at),
                digest=s.digest,
                value=s.value,
            )
            for s in sigs
        ),
        created_at=_aware(row.created_at),
        recorded_digest=row.digest,
    )


def protocol_ref(year: int, a: str, b: str) -> str:
    """The id of the protocol of ``year`` between countries ``a`` and ``b`` ("2025-KZ-TJ")."""
    a, b = country_pair(a, b)
    return protocol.protocol_id(year, a, b)


def _protocol_row(
    session: Session, protocol_id: str, *, for_update: bool = False
) -> StatsProtocolRow:
    pid = protocol_id.strip().upper()[:40]
    row = repository.protocol_row(session, pid, for_update=for_update)
    if row is None:
        raise NotFound(
            N_("No protocol {id}."), code="stats.protocol.not_found", field="protocol_id", id=pid
        )
    return row


def get_protocol(session: Session, protocol_id: str) -> StoredProtocol:
    return _stored(session, _protocol_row(session, protocol_id))


def list_protocols(session: Session, year: int | None = None) -> list[dict[str, Any]]:
    """A short line per protocol: id, years, parties, signatures, synthetic."""
    out = []
    for row in repository.protocol_rows(session, year):
        signed = [s.party for s in repository.protocol_signature_rows(session, row.id)]
        out.append(
            {
                "protocol_id": row.protocol_id,
                "year": row.year,
                "plan_year": row.plan_year,
                "between": [row.country_a, row.country_b],
                "parties": [row.party_a, row.party_b],
                "signed_by": signed,
                "synthetic": row.synthetic,
                "created_at": _aware(row.created_at).isoformat(),
            }
        )
    return out


def protocol_results(
    session: Session, year: int, a: str, b: str
) -> tuple[list[protocol.ResultLine], dict[str, tuple[int, int]], tuple[int, int], bool]:
    """Year N against N−1 by direction × commodity group; totals rounded once from kg."""
    lines: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])  # kg N, kg N-1, wg
    directions: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    total = [0, 0]
    synthetic_seen = False
    for cell in facts.volume_cells(session, [year, year - 1], a, b):
        now = cell.year == year
        line = lines[(cell.direction, cell.commodity_group)]
        line[0 if now else 1] += cell.mass_kg
        directions[cell.direction][0 if now else 1] += cell.mass_kg
        total[0 if now else 1] += cell.mass_kg
        if now:
            line[2] += cell.wagons
            synthetic_seen = synthetic_seen or cell.synthetic > 0
    return (
        [
            protocol.ResultLine(d, g, tonnes_of(v[0]), tonnes_of(v[1]), v[2])
            for (d, g), v in lines.items()
        ],
        {d: (tonnes_of(v[0]), tonnes_of(v[1])) for d, v in directions.items()},
        (tonnes_of(total[0]), tonnes_of(total[1])),
        synthetic_seen,
    )


def _party_organisation(
    session: Session, actor: Actor, parties: tuple[str, str], pid: str
) -> tuple[OrganisationRow, str]:
    """The actor's organisation and the party (railway) it is; 403 unless it is a party."""
    org = accounts_repository.organisation_by_id(session, actor.organisation_id)
    railway = rules_of_accounts.railway_of(org)
    if org is None or railway not in parties or not actor.has_role(*PROTOCOL_SIGNERS):
        raise PermissionDenied(
            N_(
                "Only a railway operator or an administrator of {a} or {b} may do this with "
                "protocol {id}."
            ),
            code="stats.protocol.not_a_party_member",
            a=parties[0],
            b=parties[1],
            id=pid,
        )
    return org, str(railway)


def signing_party(session: Session, actor: Actor | None, protocol_id: str) -> str | None:
    """The party the actor may still sign protocol ``protocol_id`` for, or None (pages use it
    to offer a Sign button; :func:`sign_protocol` decides again)."""
    if actor is None:
        return None
    row = _protocol_row(session, protocol_id)
    try:
        _, party = _party_organisation(session, actor, (row.party_a, row.party_b), row.protocol_id)
    except PermissionDenied:
        return None
    signed = {s.party for s in repository.protocol_signature_rows(session, row.id)}
    return None if party in signed else party


def create_protocol(
    session: Session,
    actor: Actor,
    year: int,
    a: str,
    b: str,
    *,
    parties: tuple[str, str] | None = None,
    notes: Sequence[str] = (),
    place: str = "",
    date: str = "",
    replace: bool = False,
) -> StoredProtocol:
    """Freeze the results of ``year`` and the stored plan of ``year + 1`` into a protocol.

    The plan must exist (seed it from the forecast, enter or import it first). A protocol that
    anyone has signed is never replaced: the signatures are over its content. A user must be a
    railway operator or an administrator of one of the two railways; a system actor (the
    server's own CLI, the demo) draws it up for them.
    """
    rules_of_accounts.require_role(actor, *PLAN_WRITERS)
    a, b = country_pair(a, b)
    party_a, party_b = (p.strip().upper() for p in parties) if parties else (
        RAILWAY_OF_COUNTRY.get(a, a), RAILWAY_OF_COUNTRY.get(b, b)
    )  # fmt: skip
    if party_a == party_b:
        raise ValidationFailed(
            N_("A protocol needs two different parties."),
            code="stats.protocol.parties",
            field="parties",
        )
    pid = protocol.protocol_id(year, a, b)
    if actor.user_id is not None:
        _party_organisation(session, actor, (party_a, party_b), pid)
    existing = repository.protocol_row(session, pid)
    if existing is not None:
        if repository.protocol_signature_rows(session, existing.id):
            raise Conflict(
                N_("Protocol {id} is signed and cannot be replaced."),
                code="stats.protocol.signed",
                field="year",
                id=pid,
            )
        if not replace:
            raise Conflict(
                N_("Protocol {id} exists; use --replace to draw it up again."),
                code="stats.protocol.exists",
                field="year",
                id=pid,
            )
        repository.delete_protocol(session, existing)
    plan = plan_repository.plan_cells(session, year + 1, a, b)
    if not plan:
        raise NotFound(
            N_("No plan for {year} between {a} and {b}: enter, import or seed one first."),
            code="stats.protocol.no_plan",
            field="year",
            year=year + 1,
            a=a,
            b=b,
        )
    results, by_direction, total, synthetic_seen = protocol_results(session, year, a, b)
    synthetic_any = synthetic_seen or any(c.synthetic for c in plan)
    content = protocol.build_content(
        year=year, a=a, b=b, party_a=party_a, party_b=party_b, results=results,
        direction_totals=by_direction, total=total, plan=plan, notes=notes, place=place,
        date=date, synthetic=synthetic_any,
    )  # fmt: skip
    row = StatsProtocolRow(
        protocol_id=pid,
        year=year,
        plan_year=year + 1,
        country_a=a,
        country_b=b,
        party_a=party_a,
        party_b=party_b,
        content=content,
        digest=protocol.digest(content),
        synthetic=synthetic_any,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "stats.protocol.create", "stats_protocols", pid, {"digest": row.digest}
    )
    return _stored(session, row)


def sign_protocol(session: Session, actor: Actor, protocol_id: str, *, secret: str) -> Signature:
    """Sign the protocol for the actor's railway with its organisation's current key.

    The actor must be a railway operator or an administrator of one of the two parties. A party
    signs once: its signature covers the digest of the content, which never changes.
    """
    row = _protocol_row(session, protocol_id, for_update=True)
    org, party = _party_organisation(session, actor, (row.party_a, row.party_b), row.protocol_id)
    existing = [s for s in repository.protocol_signature_rows(session, row.id) if s.party == party]
    if existing:
        raise Conflict(
            N_("{party} has already signed protocol {id}."),
            code="stats.protocol.already_signed",
            field="party",
            party=party,
            id=row.protocol_id,
        )
    key = signing_service.ensure_key(session, actor, org, secret)  # made on demand, as for notes
    signer = signing_service.signer_of(key, secret)
    signature = protocol.sign(
        row.content, signer, party=party, signer_name=org.slug, at=clock.now()
    )
    repository.put_protocol_signature(
        session,
        StatsProtocolSignatureRow(
            protocol_id=row.id,
            party=party,
            signer=org.slug,
            key_id=signature.key_id,
            algorithm=signature.algorithm,
            public_key=key.public_key,
            digest=signature.digest,
            value=signature.value,
            signed_at=signature.signed_at,
        ),
    )
    audit.record(
        session,
        actor,
        "stats.protocol.sign",
        "stats_protocols",
        row.protocol_id,
        {
            "party": party,
            "organisation": org.slug,
            "key_id": signature.key_id,
            "digest": signature.digest,
        },
    )
    return signature


def _organisation_keys(session: Session, key_ids: set[str]) -> tuple[KeyRing, dict[str, str]]:
    """The stored public keys (current and retired) and the railway each belongs to."""
    holders = signing_service.key_organisations(session, key_ids)
    railways = {
        i: rules_of_accounts.railway_of(accounts_repository.organisation_by_id(session, i))
        for i in set(holders.values())
    }
    ring = signing_service.key_ring(session, key_ids)
    return ring, {key_id: railways[org_id] or "" for key_id, org_id in holders.items()}


def verify_protocol(
    session: Session, actor: Actor, protocol_id: str, *, record: bool = True
) -> protocol.ProtocolVerification:
    """Both signatures against the stored content and the organisations' stored public keys
    (retired keys still verify); also whether the content still has the digest recorded when it
    was drawn up. Audited (who checked, and the verdict) unless ``record`` is false: a page view
    shows the verdict on every visit and must not write for each reader."""
    stored = get_protocol(session, protocol_id)
    ring, key_parties = _organisation_keys(session, {s.key_id for s in stored.signatures})
    result = protocol.verify(
        stored.content,
        stored.signatures,
        ring,
        key_parties=key_parties,
        recorded_digest=stored.recorded_digest,
    )
    if record:
        audit.record(
            session,
            actor,
            "stats.protocol.verify",
            "stats_protocols",
            stored.protocol_id,
            {
                "valid": result.valid,
                "digest": result.digest,
                "problems": [p.problem for p in result.parties if p.problem]
                + list(result.problems),
            },
        )
    return result


def export_protocol(session: Session, protocol_id: str) -> dict[str, Any]:
    """The protocol and its signatures as a file that ``temir stats protocol verify --file``
    checks offline, with public keys only."""
    stored = get_protocol(session, protocol_id)
    return protocol.export_document(stored.content, stored.signatures)


def verify_exported(document: Any, keys: KeyRing) -> protocol.ProtocolVerification:
    """An exported protocol checked offline against trusted public keys (a keyring file)."""
    try:
        content, signatures = protocol.read_export(document)
        return protocol.verify(content, signatures, keys)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed(
            N_("Not an exported protocol file: {detail}."),
            code="stats.protocol.file",
            field="file",
            detail=str(exc).splitlines()[0],
        ) from exc


def check_protocol(session: Session, protocol_id: str, year: int | None = None) -> PlanVsActual:
    """The plan year's actuals (to date) against the plan signed in the protocol."""
    stored = get_protocol(session, protocol_id)
    content = stored.content
    plan_year = int(content["plan_year"])
    if year is not None and year != plan_year:
        raise ValidationFailed(
            N_("Protocol {id} holds the plan of {plan_year}; it cannot check {year}."),
            code="stats.protocol.check_year",
            field="year",
            id=stored.protocol_id,
            plan_year=plan_year,
            year=year,
        )
    a, b = content["countries"]
    cells = protocol.plan_cells_of(content)
    return plan_vs_actual(
        session, plan_year, a, b, plan=cells, plan_source=f"protocol {stored.protocol_id}"
    )


def protocol_pdf(session: Session, protocol_id: str, lang: str | None = None) -> bytes:
    """The protocol as PDF; ``lang``: ``auto``/``None`` (Russian + the parties' languages),
    one language (``ru``, ``en``, ``kk``, ``tg``) or several (``ru+kk``)."""
    from temir.stats.protocol.languages import protocol_languages
    from temir.stats.protocol.pdf import render_pdf

    stored = get_protocol(session, protocol_id)
    langs = protocol_languages(stored.content["parties"], lang)
    return render_pdf(stored.content, stored.signatures, stored.digest, langs)


def protocol_xlsx(session: Session, protocol_id: str, lang: str | None = None) -> bytes:
    """The protocol as XLSX, in the languages :func:`protocol_pdf` would print."""
    from temir.stats.protocol.languages import protocol_languages
    from temir.stats.protocol.xlsx import render_xlsx

    stored = get_protocol(session, protocol_id)
    langs = protocol_languages(stored.content["parties"], lang)
    return render_xlsx(stored.content, stored.signatures, stored.digest, langs)
