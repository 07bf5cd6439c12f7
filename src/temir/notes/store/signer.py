"""Signing a stored version of a note with the current key of the acting organisation.

Why in the step itself: a note is valid (``temir notes verify``) only when every version is
signed. So every lifecycle step that makes a new version — creation, an edit of the draft,
acceptance (boxes 26, 29), a handover taken over at a border (boxes 33, 34), arrival (box 27),
delivery (box 36), a correction — signs it with the key of the organisation that made it, in
the same unit of work: the version and its maker's signature are written together or not at
all. The explicit "sign" step (another party countersigning a version) signs the same way.

An administrator acting without an organisation (a maintenance script) has no key and signs
nothing; that version then shows as unsigned, as it should.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from temir.accounts import repository as accounts_repository
from temir.accounts.model import Actor
from temir.kit import changes
from temir.kit.errors import Conflict, ValidationFailed
from temir.kit.i18n import N_
from temir.notes.model import Note
from temir.notes.signatures import sign_note
from temir.notes.store import repository
from temir.notes.store.tables import NoteRow, NoteSignatureRow, NoteVersionRow
from temir.signing import repository as signing_repository
from temir.signing import service as signing_service
from temir.signing.model import Signature

NO_ORGANISATION = N_("Only a member of an organisation signs: the signature is the organisation's.")
ALREADY_SIGNED = N_("Version {version} is already signed with key {key_id}.")


def sign_version(
    session: Session,
    actor: Actor,
    row: NoteRow,
    note: Note,
    *,
    secret: str,
    now: datetime,
    note_digest: str | None = None,
    fresh: bool = False,
) -> NoteSignatureRow:
    """Sign ``note`` (a stored version of ``row``) as the actor's organisation.

    ``fresh``: the version was made in this unit of work, so no signature of it can exist yet
    and none is looked for."""
    org = accounts_repository.organisation_by_id(session, actor.organisation_id)
    if org is None:
        raise ValidationFailed(NO_ORGANISATION, code="keys.no_organisation", field="organisation")
    key = signing_service.ensure_key(session, actor, org, secret)
    existing = () if fresh else repository.signature_rows(session, row.id, note.version)
    if any(s.key_id == key.key_id for s in existing):
        raise Conflict(
            ALREADY_SIGNED, code="note.already_signed", field="version", version=note.version,
            key_id=key.key_id,
        )  # fmt: skip
    signer = signing_service.signer_of(key, secret)
    role = role_of(org.id, row.consignor_org_id)
    signature = sign_note(
        note, signer, signed_at=now, signer_name=org.slug, role=role, note_digest=note_digest
    )
    return _store(session, actor, row, note.version, org.id, signature)


def role_of(organisation_id: int, consignor_org_id: int | None) -> str:
    """What an organisation signs a note as: its consignor, or one of its carriers."""
    return "consignor" if organisation_id == consignor_org_id else "carrier"


def _store(
    session: Session,
    actor: Actor,
    row: NoteRow,
    version: int,
    organisation_id: int,
    signature: Signature,
) -> NoteSignatureRow:
    """Add the signature row (and publish it to other nodes when the exchange is on)."""
    sig_row = NoteSignatureRow(
        note_id=row.id,
        version=version,
        organisation_id=organisation_id,
        organisation=signature.signer,
        role=signature.role,
        key_id=signature.key_id,
        algorithm=signature.algorithm,
        signer_user=actor.label,
        digest=signature.digest,
        signature=signature.value,
        signed_at=signature.signed_at,
    )
    session.add(sig_row)
    if changes.active():
        changes.publish(session, [signature_change(sig_row)])
    return sig_row


def signature_change(sig: NoteSignatureRow) -> changes.Change:
    """A stored signature as other nodes receive it (:mod:`temir.kit.changes`)."""
    return changes.Change(
        "note_signature",
        sig.note_id,
        f"{sig.note_id}:v{sig.version}:{sig.key_id}",
        {
            "note_id": sig.note_id, "version": sig.version, "organisation": sig.organisation,
            "role": sig.role, "key_id": sig.key_id, "algorithm": sig.algorithm,
            "digest": sig.digest, "signature": sig.signature,
            "signed_at": repository.iso(sig.signed_at),
        },
    )  # fmt: skip


def sign_new(
    session: Session,
    actor: Actor,
    row: NoteRow,
    version: NoteVersionRow,
    note: Note,
    secret: str | None,
    now: datetime,
) -> NoteSignatureRow | None:
    """A step's new version (``version``, just stored by
    :func:`~temir.notes.store.records.append_version`, with its digest) signed by its maker;
    nothing when no secret is given (a caller that does not sign) or the actor belongs to no
    organisation (see the module doc)."""
    if secret is None or actor.organisation_id is None:
        return None
    return sign_version(
        session, actor, row, note, secret=secret, now=now, note_digest=version.digest, fresh=True
    )


@dataclass(frozen=True)
class Presigned:
    """A new version's signature made before its unit of work (see
    :mod:`temir.notes.store.new_draft`), with the key it was made with."""

    organisation_id: int
    signature: Signature


def presign(
    session: Session,
    actor: Actor,
    note: Note,
    note_digest: str,
    *,
    consignor_org_id: int | None,
    secret: str | None,
    now: datetime,
) -> Presigned | None:
    """The signature :func:`sign_new` would make, made now from a read session; None when it
    would sign nothing or would first have to make the organisation's key (a write: left to
    :func:`sign_presigned`)."""
    if secret is None or actor.organisation_id is None:
        return None
    org = accounts_repository.organisation_by_id(session, actor.organisation_id)
    key = None if org is None else signing_repository.current_key(session, org.id)
    if org is None or key is None:
        return None
    signer = signing_service.signer_of(key, secret)
    role = role_of(org.id, consignor_org_id)
    signature = sign_note(
        note, signer, signed_at=now, signer_name=org.slug, role=role, note_digest=note_digest
    )
    return Presigned(org.id, signature)


def sign_presigned(
    session: Session,
    actor: Actor,
    row: NoteRow,
    version: NoteVersionRow,
    note: Note,
    presigned: Presigned | None,
    secret: str | None,
    now: datetime,
) -> NoteSignatureRow | None:
    """The new version's signature: the one made ahead when its key is still the organisation's
    current key (a rotation in between would otherwise leave a version signed by a retired
    key), else one made now by :func:`sign_new`."""
    if presigned is not None:
        current = signing_repository.current_key_id(session, presigned.organisation_id)
        if current == presigned.signature.key_id:
            return _store(
                session, actor, row, note.version, presigned.organisation_id, presigned.signature
            )
    return sign_new(session, actor, row, version, note, secret, now)
