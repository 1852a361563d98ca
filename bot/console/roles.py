"""The console's roles: what a member of staff may see and do there.

The same words as the staff records' roles (:data:`bot.people.importer.ROLES`); an
account has any subset of them, kept comma-separated and sorted.
"""

from __future__ import annotations

from collections.abc import Iterable

PERSONAL_ADVISER = "personal_adviser"
DUTY_WORKER = "duty_worker"
TEAM_MANAGER = "team_manager"
CONTENT_EDITOR = "content_editor"
CONTENT_APPROVER = "content_approver"
SAFEGUARDING_APPROVER = "safeguarding_approver"
ADMIN = "admin"

ROLES: tuple[str, ...] = (
    PERSONAL_ADVISER,
    TEAM_MANAGER,
    DUTY_WORKER,
    CONTENT_EDITOR,
    CONTENT_APPROVER,
    SAFEGUARDING_APPROVER,
    ADMIN,
)
"""Every role, in the order pages list them."""

ROLE_NAMES: dict[str, str] = {
    PERSONAL_ADVISER: "Personal adviser",
    TEAM_MANAGER: "Team manager",
    DUTY_WORKER: "Duty worker",
    CONTENT_EDITOR: "Content editor",
    CONTENT_APPROVER: "Content approver",
    SAFEGUARDING_APPROVER: "Safeguarding approver",
    ADMIN: "Admin",
}

ALIASES: dict[str, str] = {"adviser": PERSONAL_ADVISER, "pa": PERSONAL_ADVISER}

OUTBOX_ROLES = frozenset({ADMIN, TEAM_MANAGER})
"""Who may read the SMS outbox (it shows young people's numbers and messages)."""

REPORT_ROLES = frozenset({ADMIN, TEAM_MANAGER})
"""Who may read the weekly report (every district's figures)."""

QUALITY_ROLES = frozenset({ADMIN, TEAM_MANAGER})
"""Who may review sampled conversations (masked unless admin or the district's manager)."""

SAFETY_MARK_ROLES = frozenset({PERSONAL_ADVISER, DUTY_WORKER, TEAM_MANAGER, ADMIN})
"""Who may mark a message as a missed risk or a false alarm (from an alert or a review)."""

SAFETY_REVIEW_ROLES = frozenset({SAFEGUARDING_APPROVER, ADMIN})
"""Who may approve marked messages into the safety net's phrase bank (they read the words)."""


class RoleError(ValueError):
    """A role that the console does not know."""


def parse_roles(text: str | Iterable[str]) -> frozenset[str]:
    """Roles from ``admin,team_manager`` (or a list of words), checked.

    Case, spaces, hyphens and ``adviser``/``pa`` for ``personal_adviser`` are forgiven.

    Raises:
        RoleError: A word is not a role, or there are none.

    """
    words = text.split(",") if isinstance(text, str) else list(text)
    roles: set[str] = set()
    for word in words:
        key = word.strip().lower().replace("-", "_").replace(" ", "_")
        if not key:
            continue
        key = ALIASES.get(key, key)
        if key not in ROLES:
            raise RoleError(f"{word.strip()!r} is not a role; the roles are: {', '.join(ROLES)}")
        roles.add(key)
    if not roles:
        raise RoleError(f"give at least one role of: {', '.join(ROLES)}")
    return frozenset(roles)


def format_roles(roles: Iterable[str]) -> str:
    """Roles as stored: comma-separated, sorted."""
    return ",".join(sorted(set(roles)))


def stored_roles(value: str | None) -> frozenset[str]:
    """Roles as read from the database (unknown words are dropped, never trusted)."""
    return frozenset(r for r in (value or "").split(",") if r in ROLES)
