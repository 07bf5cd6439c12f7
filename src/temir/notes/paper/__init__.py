"""The note outside the node: printed sheets with a QR code, the signed file, XML, and
offline verification of any of them.

``sheets`` and ``layout`` (the six sheets of the form), ``pdf`` (the file, with the signed note
embedded, and reading it back), ``qr`` (the line on each sheet), ``xml`` (the FTS
``RailwayBill`` mapping), ``verify`` (a verdict from whatever the holder has), ``cli``
(``temir notes pdf|verify|export|import-xml``).
"""
