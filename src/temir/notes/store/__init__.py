"""The note store: stored notes, their append-only versions, signatures and events.

``service`` (use cases: drafts, lifecycle steps, signing, verification, reads), ``records`` (how
one note is loaded, versioned and recorded), ``model`` (views), ``repository`` and ``tables``
(SQL), ``bulk_import`` (drafts in batches), ``cli`` (``temir notes create|submit|…``).
"""
