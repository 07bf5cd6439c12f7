"""The navigation bar: each capability with pages adds its entry here when it has them."""

from __future__ import annotations

from dataclasses import dataclass

from temir.kit.i18n import N_


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # English msgid, translated at render time
    order: int


NAV: list[NavItem] = [
    NavItem("/", N_("Home"), 0),
]


def add(path: str, label: str, order: int) -> None:
    if all(item.path != path for item in NAV):
        NAV.append(NavItem(path, label, order))
        NAV.sort(key=lambda item: item.order)
