"""Access checks inside Dash callbacks (HTTP and websocket), on the server side.

The guard middleware (``gridwall.web.guard``) publishes the caller in ``current_auth``; Dash 4.4
runs callbacks in a copy of the request's context, so every callback can read it. Each server
callback of the wall is wrapped by ``callback_roles`` (``tests/dashboard/test_wall_auth.py``
checks that none is missing).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from dash.exceptions import PreventUpdate

from gridwall.access.roles import Principal, Role
from gridwall.web.policy import Auth, current_auth

ROLES_ATTR = "__gridwall_callback_roles__"
PAGE_PATH = re.compile(r"^/wall/?(?P<name>[a-z0-9-]+)?(?:/screen/(?P<n>\d+))?/?$")

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class NotAllowed(PermissionError):
    """The caller may not run this callback (or see this layout)."""


def callback_auth(*roles: Role) -> Auth:
    """The caller of the running callback if its role is among ``roles``."""
    auth = current_auth.get()
    if auth is None:
        raise NotAllowed("not signed in")
    if auth.principal.role not in roles:
        raise NotAllowed(f"role {auth.principal.role.value} may not do this")
    return auth


def callback_roles(*roles: Role) -> Callable[[F], F]:
    """Wrap an async Dash callback so that it runs only for callers of ``roles``
    (others get no update)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                callback_auth(*roles)
            except NotAllowed:
                raise PreventUpdate from None
            return await func(*args, **kwargs)

        setattr(wrapper, ROLES_ATTR, frozenset(roles))
        return wrapper  # type: ignore[return-value]

    return decorate


def layout_of_path(path: str, default_layout: str) -> str | None:
    """The layout a wall path shows (None: not a wall page)."""
    match = PAGE_PATH.match(path)
    if match is None:
        return None
    return match.group("name") or default_layout


def layout_refusal(principal: Principal, layout: str | None) -> str | None:
    """A wall principal may open only its own layout."""
    if principal.role is Role.WALL and principal.layout and layout != principal.layout:
        return f"this wall may only show layout {principal.layout}"
    return None
