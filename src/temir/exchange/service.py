"""Use cases of a node: its identity, its peers, the status of its links, retries, and what it
holds of one note. Each takes the caller's session and never commits; every write is audited.

A node *is* one railway (``temir exchange init KZH``): the local railway organisation of that
code signs its envelopes and receipts with its current key (:mod:`temir.signing`). Its
identity — railway and public keys with their validity (created → retired) — is what a peer
adds (``temir peers add UTI URL --fetch`` reads ``GET /api/v1/exchange/identity``).

Key rotation (design): the simplest honest way for a peer to learn a rotated key without an
operator is a record the *old* key signs. :func:`temir.signing.service.rotate_key` signs the new
public key with the retiring key in the instant before it retires; the outbox sends that record
to every peer as a ``key_rotation`` envelope, in order with everything else; the receiver takes
the new key only if the record verifies with a key it holds that was valid when it signed, and
the envelope itself with the new key (:func:`temir.exchange.rules.learned_key`). Why not a keys
endpoint to fetch: it would need the same signed record, plus a fetch at the moment a key is
unknown; the envelope rides on the delivery that already retries. The old key stays, valid
until its retirement, so envelopes signed before it still verify; envelopes signed with the new
key that overtake the record are refused (unknown key) and retried until it lands. Adding the
identity again (``temir peers add … --fetch``) still works, e.g. for a peer that was down past
a second rotation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts import repository as accounts_repository
from temir.accounts import service as accounts_service
from temir.accounts.model import Actor, OrganisationKind, Role
from temir.accounts.repository import aware, aware_or_none
from temir.accounts.rules import railway_of
from temir.codes.railways import find_railway
from temir.exchange import effects, repository
from temir.exchange.model import ALL_KINDS, EnvelopeKind, LinkStatus, Peer, PeerKey
from temir.exchange.rules import KeyView
from temir.exchange.tables import NodeRow, PeerKeyRow, PeerRow
from temir.kit import clock
from temir.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from temir.kit.i18n import N_
from temir.kit.messages import define
from temir.signing import repository as signing_repository
from temir.signing import service as signing_service
from temir.signing.algorithms import Ed25519Signer


def _m(msgid: str) -> str:
    return define("exchange", msgid)


ONLY_ADMIN = _m(N_("Only an administrator configures the exchange of this node."))
NO_NODE = _m(N_("This installation is not a node yet: run `temir exchange init RAILWAY`."))
NODE_IS = _m(N_("This node is already {railway}."))
UNKNOWN_RAILWAY = _m(N_("Unknown railway {code}."))
NO_PEER = _m(N_("No peer {railway}."))
PEER_IS_SELF = _m(N_("A node is not its own peer ({railway})."))
BAD_URL = _m(N_("The base URL must start with http:// or https:// ({url})."))
BAD_KIND = _m(N_("Unknown envelope kind {kind}; one of: {choices}."))
NO_KEYS = _m(N_("A peer needs at least one public key."))
IDENTITY_MISMATCH = _m(N_("The identity at {url} is {found}, not {railway}."))

MAX_PEERS: Final = 100


def _admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(ONLY_ADMIN, code="exchange.admin_only")


def railway_code(text: str) -> str:
    found = find_railway(text)
    if found is None or not found.latin:
        raise ValidationFailed(
            UNKNOWN_RAILWAY, code="exchange.railway", field="railway", params={"code": text[:10]}
        )
    return found.latin


# --- this node ---------------------------------------------------------------------------------
def node(session: Session) -> NodeRow:
    found = repository.node(session)
    if found is None:
        raise Conflict(NO_NODE, code="exchange.no_node")
    return found


def init_node(session: Session, actor: Actor, railway: str, secret: str) -> dict[str, Any]:
    """Make this installation the node of ``railway``: its railway organisation (made if
    missing) and that organisation's signing key."""
    _admin(actor)
    code = railway_code(railway)
    existing = repository.node(session)
    if existing is not None:
        if existing.railway != code:
            raise Conflict(
                NODE_IS, code="exchange.node_set", field="railway", railway=existing.railway
            )
        return identity(session)
    org = next(
        (o for o in accounts_repository.organisation_rows(session) if railway_of(o) == code), None
    )
    if org is None:
        info = find_railway(code)
        assert info is not None
        accounts_service.create_organisation(
            session,
            actor,
            slug=f"node-{code.lower()}",
            name=info.name_en,
            name_ru=info.name_ru,
            kind=OrganisationKind.RAILWAY,
            country=info.country,
            railway_code=code,
        )
        org = accounts_repository.organisation_row(session, f"node-{code.lower()}")
        assert org is not None
    signing_service.ensure_key(session, actor, org, secret)
    session.add(NodeRow(id=1, railway=code, organisation_id=org.id, created_at=clock.now()))
    audit.record(session, actor, "exchange.node_set", "exchange_node", code, {"org": org.slug})
    session.flush()
    return identity(session)


def node_organisation(session: Session) -> str:
    """The slug of the organisation this node signs as."""
    org = accounts_repository.organisation_by_id(session, node(session).organisation_id)
    assert org is not None
    return org.slug


def identity(session: Session) -> dict[str, Any]:
    """This node's railway and public keys, each with its validity: what peers add."""
    me = node(session)
    rows = signing_repository.key_rows(session, organisation_id=me.organisation_id)
    keys = [
        PeerKey(
            key_id=r.key_id,
            algorithm=r.algorithm,
            public_key=r.public_key,
            valid_from=aware(r.created_at),
            valid_until=aware_or_none(r.retired_at),
        ).model_dump(mode="json")
        for r in sorted(rows, key=lambda r: aware(r.created_at))
    ]
    return {"railway": me.railway, "keys": keys}


def node_signer(session: Session, actor: Actor, secret: str) -> tuple[str, Ed25519Signer]:
    """This node's railway and the signer of its current key (made on first need)."""
    me = node(session)
    org = accounts_repository.organisation_by_id(session, me.organisation_id)
    assert org is not None
    key = signing_service.ensure_key(session, actor, org, secret)
    return me.railway, cached_signer(key.key_id, key.private_key_sealed, key.salt, secret)


_SIGNERS: dict[str, Ed25519Signer] = {}


def cached_signer(key_id: str, sealed: str, salt: str, secret: str) -> Ed25519Signer:
    """Opening a sealed key costs a key derivation: once per key and process."""
    from temir.signing.sealing import unseal

    found = _SIGNERS.get(key_id)
    if found is None:
        found = _SIGNERS[key_id] = unseal(key_id, sealed, salt, secret)
    return found


# --- peers -------------------------------------------------------------------------------------
def _kinds(kinds: Iterable[str] | None) -> tuple[EnvelopeKind, ...]:
    if not kinds:
        return ALL_KINDS
    out: list[EnvelopeKind] = []
    for kind in kinds:
        try:
            out.append(EnvelopeKind(kind.strip()))
        except ValueError:
            raise ValidationFailed(
                BAD_KIND,
                code="exchange.kind",
                field="kinds",
                kind=kind[:40],
                choices=", ".join(ALL_KINDS),
            ) from None
    return tuple(dict.fromkeys(out))


def _peer(row: PeerRow, keys: Sequence[PeerKeyRow]) -> Peer:
    return Peer(
        railway=row.railway,
        base_url=row.base_url,
        kinds=tuple(EnvelopeKind(k) for k in row.kinds.split(",") if k),
        keys=tuple(_key(k) for k in keys if k.railway == row.railway),
        added_at=aware(row.added_at),
    )


def _key(row: PeerKeyRow) -> PeerKey:
    return PeerKey(
        key_id=row.key_id,
        algorithm=row.algorithm,
        public_key=row.public_key,
        valid_from=aware(row.valid_from),
        valid_until=aware_or_none(row.valid_until),
    )


def add_peer(
    session: Session,
    actor: Actor,
    railway: str,
    base_url: str,
    keys: Sequence[PeerKey],
    kinds: Iterable[str] | None = None,
) -> Peer:
    """Add a peer, or update its URL and kinds and add its new keys (a rotation); a known key
    gets the validity given now (its retirement)."""
    _admin(actor)
    code = railway_code(railway)
    me = repository.node(session)
    if me is not None and me.railway == code:
        raise ValidationFailed(
            PEER_IS_SELF, code="exchange.peer_is_self", field="railway", railway=code
        )
    url = base_url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url) > 300:
        raise ValidationFailed(BAD_URL, code="exchange.url", field="base_url", url=url[:80])
    chosen = _kinds(kinds)
    row = repository.peer_row(session, code)
    if row is None and not keys:
        raise ValidationFailed(NO_KEYS, code="exchange.no_keys", field="keys")
    now = clock.now()
    if row is None:
        row = PeerRow(
            railway=code, base_url=url, kinds=",".join(chosen), added_at=now, added_by=actor.label
        )
        session.add(row)
        session.flush()
    else:
        row.base_url, row.kinds = url, ",".join(chosen)
    for key in keys:
        stored = repository.peer_key(session, code, key.key_id)
        if stored is None:
            session.add(
                PeerKeyRow(
                    railway=code,
                    key_id=key.key_id,
                    algorithm=key.algorithm,
                    public_key=key.public_key,
                    valid_from=key.valid_from,
                    valid_until=key.valid_until,
                )
            )
        else:
            stored.valid_until = key.valid_until
    session.flush()
    effects.peer_keys(session, code)  # where notes and acts verify signatures
    audit.record(
        session,
        actor,
        "exchange.peer_set",
        "exchange_peer",
        code,
        {"base_url": url, "kinds": list(chosen), "keys": [k.key_id for k in keys]},
    )
    return _peer(row, repository.peer_keys(session, code))


def list_peers(session: Session) -> list[Peer]:
    keys = repository.peer_keys(session)
    return [_peer(r, keys) for r in repository.peer_rows(session)]


def key_view(session: Session, railway: str) -> KeyView:
    """A peer's stored keys, each with its validity, to check what it signed."""
    return KeyView(_key(k) for k in repository.peer_keys(session, railway))


def has_peer(session: Session, railway: str) -> bool:
    return repository.peer_row(session, railway_code(railway)) is not None


def get_peer(session: Session, railway: str) -> Peer:
    code = railway_code(railway)
    row = repository.peer_row(session, code)
    if row is None:
        raise NotFound(NO_PEER, code="exchange.no_peer", field="railway", railway=code)
    return _peer(row, repository.peer_keys(session, code))


def remove_peer(session: Session, actor: Actor, railway: str) -> Peer:
    """Forget a peer: nothing more is sent to it or accepted from it (its outbox stays)."""
    _admin(actor)
    peer = get_peer(session, railway)
    repository.delete_peer(session, peer.railway)
    audit.record(session, actor, "exchange.peer_removed", "exchange_peer", peer.railway)
    return peer


def identity_keys(data: Any, railway: str, url: str) -> list[PeerKey]:
    """The keys of an identity document (``GET /api/v1/exchange/identity``) of ``railway``."""
    found = str(data.get("railway", "")) if isinstance(data, dict) else ""
    if found != railway_code(railway):
        raise ValidationFailed(
            IDENTITY_MISMATCH,
            code="exchange.identity",
            field="railway",
            url=url,
            found=found[:10] or "-",
            railway=railway,
        )
    return [PeerKey.model_validate(k) for k in data.get("keys", [])]


# --- status, retry -----------------------------------------------------------------------------
def status(session: Session) -> dict[str, Any]:
    me = repository.node(session)
    pending = repository.pending_counts(session)
    waiting = repository.waiting_counts(session)
    links = repository.links(session)
    out: list[LinkStatus] = []
    for peer in repository.peer_rows(session):
        depth, oldest = pending.get(peer.railway, (0, None))
        link = links.get(peer.railway)
        out.append(
            LinkStatus(
                peer=peer.railway,
                base_url=peer.base_url,
                queue_depth=depth,
                oldest_pending_at=aware_or_none(oldest),
                last_success_at=aware_or_none(link.last_success_at) if link else None,
                last_error=link.last_error if link else None,
                last_error_at=aware_or_none(link.last_error_at) if link else None,
                waiting_in_inbox=waiting.get(peer.railway, 0),
            )
        )
    return {
        "node": me.railway if me else None,
        "links": [s.to_dict() for s in out],
        "records": repository.record_counts(session),
    }


def retry(session: Session, actor: Actor, railway: str | None = None) -> int:
    """Send every undelivered envelope (to one peer, or all) now, backoff forgotten."""
    _admin(actor)
    code = railway_code(railway) if railway else None
    count = repository.retry_now(session, code, clock.now())
    audit.record(session, actor, "exchange.retry", "exchange_peer", code or "*", {"count": count})
    return count
