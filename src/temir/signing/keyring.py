"""The public keys a verifier trusts, and the keyring files that carry them. Pure.

Keyring files come in three shapes, all read by :func:`load_keys`: the ``GET
/api/v1/keys/keyring.json`` list (``[{key_id, algorithm, public_key, owner}]``), the ``GET
/api/v1/keys`` export (``{"keys": [{key_id, organisation, algorithm, public_key, ...}]}``), or
the short documented form ``{"keys": [{"key_id", "org", "public_key"}]}`` (algorithm Ed25519
when not given). The error code stays ``notes.keys``, as clients first met it with notes.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any, Final

from pydantic import ValidationError

from temir.kit.errors import ValidationFailed
from temir.signing.algorithms import ALGORITHMS, ED25519, Ed25519Signer, PublicKey, key_id_for
from temir.signing.model import PublicKeyEntry

MAX_KEYS: Final = 10_000


class KeyRing:
    """The public keys a verifier trusts, by key id (built once; verifiers cached).

    A key whose id is not the id of its public key, or whose algorithm is unknown, is kept (so
    lists still show it) but verifies nothing.
    """

    def __init__(self, entries: Iterable[PublicKeyEntry] = ()) -> None:
        self._keys: dict[str, tuple[PublicKeyEntry, PublicKey | None]] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: PublicKeyEntry) -> None:
        factory = ALGORITHMS.get(entry.algorithm)
        verifier: PublicKey | None = None
        if factory is not None:
            try:
                raw = base64.b64decode(entry.public_key, validate=True)
                if key_id_for(entry.algorithm, raw) == entry.key_id:
                    verifier = factory(raw)
            except ValueError:
                verifier = None
        self._keys[entry.key_id] = (entry, verifier)

    def get(self, key_id: str) -> PublicKey | None:
        found = self._keys.get(key_id)
        return found[1] if found else None

    def entries(self) -> list[PublicKeyEntry]:
        return [entry for entry, _ in self._keys.values()]


def public_entry(signer: Ed25519Signer, owner: str) -> PublicKeyEntry:
    """The public half of ``signer`` as a keyring entry owned by ``owner``."""
    return PublicKeyEntry(
        key_id=signer.key_id,
        algorithm=signer.algorithm,
        public_key=base64.b64encode(signer.public_bytes).decode("ascii"),
        owner=owner,
    )


def load_keys(value: Any) -> KeyRing:
    """A key ring from any of the three keyring file shapes (module doc)."""
    items = value.get("keys") if isinstance(value, dict) else value
    if not isinstance(items, list) or len(items) > MAX_KEYS:
        raise ValidationFailed(
            'The keys file must hold a list of keys or {"keys": [...]}.',
            code="notes.keys",
            field="keys",
        )
    entries = []
    for item in items:
        if not isinstance(item, dict):
            raise ValidationFailed("Each key must be an object.", code="notes.keys", field="keys")
        owner = item.get("owner") or item.get("organisation") or item.get("org") or ""
        try:
            entries.append(
                PublicKeyEntry(
                    key_id=item.get("key_id", ""),
                    algorithm=item.get("algorithm") or ED25519,
                    public_key=item.get("public_key", ""),
                    owner=str(owner),
                )
            )
        except ValidationError as exc:
            raise ValidationFailed(
                "A key in the keys file is invalid: {detail}.",
                code="notes.keys",
                field="keys",
                detail=exc.errors(include_input=False, include_url=False)[0]["msg"],
            ) from exc
    return KeyRing(entries)
