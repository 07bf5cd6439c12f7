"""Where a page may send the browser back to after log-in or a language switch.

Only a path on this site: an attacker's link ``/login?next=https://evil.example`` must not turn
Temir's log-in page into a trampoline to a look-alike site. Browsers read ``/\\evil.example``
and ``/<TAB>/evil.example`` as ``//evil.example`` (another host), so backslashes and control
characters are refused too, not left to the response's URL quoting.
"""

from __future__ import annotations

from urllib.parse import urlsplit

HOME = "/"


def safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//"):
        return HOME
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    return target
