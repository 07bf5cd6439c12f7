"""Names of the cookies Temir sets.

Why in kit: accounts sets the log-in cookie and the web layer's security headers must recognise
it (no-store on credentialed responses); both read the name from here, below either of them.
"""

from __future__ import annotations

SESSION_COOKIE = "temir_session"
