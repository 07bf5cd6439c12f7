"""The navigation bar: each capability with pages adds its entry here when it has them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from temir.kit.i18n import N_


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # English msgid, translated at render time
    order: int
    roles: frozenset[str] | None = None
    """Who sees the entry (role values); ``None``: everyone. A page refuses the others anyway;
    the menu just does not offer them a door that answers 403."""

    def shown_to(self, role: str | None) -> bool:
        return self.roles is None or role in self.roles


NAV: list[NavItem] = [
    NavItem("/", N_("Home"), 0),
]


def add(path: str, label: str, order: int, roles: Iterable[str] | None = None) -> None:
    if all(item.path != path for item in NAV):
        NAV.append(NavItem(path, label, order, None if roles is None else frozenset(roles)))
        NAV.sort(key=lambda item: item.order)
