"""Organisation keys and signatures: one implementation for every signed document.

Consignment notes, the yearly protocol, and later exchange envelopes and handover acts are all
signed the same way: the SHA-256 digest of the document's canonical form (RFC 8785,
:mod:`~temir.signing.canonical`) prefixed with the domain of its *kind* (``temir/<kind>/v1``,
:mod:`~temir.signing.rules`) is signed with the current key of the signing organisation, whose
private half is sealed at rest under the installation secret (:mod:`~temir.signing.sealing`).
Anyone holding the public keys (:mod:`~temir.signing.keyring`) verifies offline.

Pure: ``model``, ``canonical``, ``algorithms``, ``keyring``, ``rules``, ``sealing``. Stored keys:
``tables``, ``repository``, ``service`` (use cases: make, rotate, list, unseal), ``api``, ``cli``.
What a particular document's signature covers stays with its capability (e.g.
:mod:`temir.notes.signatures` for the chain of note versions).
"""
