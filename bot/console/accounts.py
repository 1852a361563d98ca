"""Staff accounts of the console: made for a staff record, with roles and a password.

An account belongs to one record in ``staff`` and signs in with that record's email
(kept in lower case). Its password is set by the person: from the command line
(``python -m bot set-password EMAIL``) or through a one-time link an admin makes.
Only the sha256 of such a link's token is stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.console.passwords import hash_password, password_problem
from bot.console.policy import Policy
from bot.console.roles import ADMIN, format_roles, parse_roles, stored_roles
from bot.store import audit
from bot.store.tables.console import console_sessions, staff_accounts
from bot.store.tables.people import staff


class AccountError(ValueError):
    """An account cannot be made or changed as asked; the message says why, plainly."""


class LinkGone(AccountError):
    """A one-time link that has expired, was replaced, or has been used (just now, perhaps)."""


@dataclasses.dataclass(frozen=True)
class Account:
    """A staff account and the staff record it belongs to."""

    id: int
    staff_id: int
    email: str
    name: str
    district: str
    roles: frozenset[str]
    active: bool
    staff_active: bool
    has_password: bool
    failed_logins: int
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None
    created_at: dt.datetime

    def locked(self, now: dt.datetime) -> bool:
        """True while the account is locked after wrong passwords."""
        return self.locked_until is not None and self.locked_until > now


def normalise_email(email: str) -> str:
    """An email as accounts keep it: trimmed, lower case."""
    return email.strip().lower()


def digest(token: str) -> str:
    """The sha256 of a token, as stored for sessions and one-time links."""
    return hashlib.sha256(token.encode()).hexdigest()


def _select() -> sa.sql.Select:
    return sa.select(
        staff_accounts,
        staff.c.name,
        staff.c.district,
        staff.c.active.label("staff_active"),
    ).select_from(staff_accounts.join(staff, staff.c.id == staff_accounts.c.staff_id))


def _account(row: sa.engine.Row) -> Account:
    return Account(
        id=row.id,
        staff_id=row.staff_id,
        email=row.email,
        name=row.name,
        district=row.district,
        roles=stored_roles(row.roles),
        active=bool(row.active),
        staff_active=bool(row.staff_active),
        has_password=row.password_hash is not None,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        last_login_at=row.last_login_at,
        created_at=row.created_at,
    )


def by_email(conn: Connection, email: str) -> Account | None:
    """The account that signs in with ``email`` (any case), if there is one."""
    row = conn.execute(_select().where(staff_accounts.c.email == normalise_email(email))).first()
    return _account(row) if row is not None else None


def by_id(conn: Connection, account_id: int) -> Account | None:
    """The account with this id, if there is one."""
    row = conn.execute(_select().where(staff_accounts.c.id == account_id)).first()
    return _account(row) if row is not None else None


def all_accounts(conn: Connection) -> list[Account]:
    """Every account, by name."""
    rows = conn.execute(_select().order_by(staff.c.name, staff_accounts.c.id)).all()
    return [_account(row) for row in rows]


def password_hash_of(conn: Connection, account_id: int) -> str | None:
    """The stored password hash of an account."""
    value = conn.execute(
        sa.select(staff_accounts.c.password_hash).where(staff_accounts.c.id == account_id)
    ).scalar_one_or_none()
    return str(value) if value is not None else None


@dataclasses.dataclass(frozen=True)
class StaffChoice:
    """A staff record that could be given an account."""

    id: int
    name: str
    role: str
    district: str
    email: str


def staff_without_account(conn: Connection) -> list[StaffChoice]:
    """Active staff records with an email and no account yet, by name."""
    rows = conn.execute(
        sa.select(staff.c.id, staff.c.name, staff.c.role, staff.c.district, staff.c.email)
        .select_from(staff.outerjoin(staff_accounts, staff_accounts.c.staff_id == staff.c.id))
        .where(
            staff_accounts.c.id.is_(None),
            staff.c.active.is_(True),
            staff.c.email.is_not(None),
        )
        .order_by(staff.c.name, staff.c.id)
    ).all()
    return [StaffChoice(r.id, r.name, r.role, r.district, r.email) for r in rows]


def staff_record_by_email(conn: Connection, email: str) -> sa.engine.Row:
    """The one staff record with ``email`` (any case).

    Raises:
        AccountError: None has it, or more than one.

    """
    rows = conn.execute(
        sa.select(staff).where(sa.func.lower(staff.c.email) == normalise_email(email))
    ).all()
    if not rows:
        raise AccountError(
            f"No staff record has the email {email}: import the staff first "
            "(python -m bot import-staff FILE)."
        )
    if len(rows) > 1:
        raise AccountError(f"More than one staff record has the email {email}.")
    return rows[0]


def create(
    conn: Connection,
    *,
    roles: str | Iterable[str],
    now: dt.datetime,
    email: str | None = None,
    staff_id: int | None = None,
    by: int | None = None,
    ip_hash: str | None = None,
) -> Account:
    """Make an account (without a password) for the staff record with ``email`` or id.

    Args:
        conn: A connection in a transaction.
        roles: The account's roles (see :func:`bot.console.roles.parse_roles`).
        now: When (naive UTC).
        email: The staff record's email, or
        staff_id: the staff record's id.
        by: The admin making it (None from the command line).
        ip_hash: The admin's client address, hashed.

    Raises:
        AccountError: No such staff record, it is inactive or has no email, or it
            already has an account; or a role is unknown.
        RoleError: A role is unknown.

    """
    role_set = parse_roles(roles)
    if staff_id is not None:
        record = conn.execute(sa.select(staff).where(staff.c.id == staff_id)).first()
        if record is None:
            raise AccountError("There is no such staff record.")
    elif email is not None:
        record = staff_record_by_email(conn, email)
    else:
        raise AccountError("Say whose account it is.")
    if not record.active:
        raise AccountError(f"{record.name}'s staff record is not active.")
    if not record.email:
        raise AccountError(f"{record.name}'s staff record has no email to sign in with.")
    login = normalise_email(record.email)
    taken = conn.execute(
        sa.select(staff_accounts.c.id).where(
            sa.or_(staff_accounts.c.staff_id == record.id, staff_accounts.c.email == login)
        )
    ).first()
    if taken is not None:
        raise AccountError(f"{record.name} already has an account.")
    account_id = conn.execute(
        staff_accounts.insert().values(
            staff_id=record.id,
            email=login,
            roles=format_roles(role_set),
            active=True,
            created_at=now,
            failed_logins=0,
        )
    ).inserted_primary_key[0]
    audit.record(
        conn,
        "account.create",
        now=now,
        staff_id=by,
        target=f"account:{account_id}",
        detail=f"for staff {record.id} with roles {format_roles(role_set)}"
        + ("" if by is not None else " (command line)"),
        ip_hash=ip_hash,
    )
    account = by_id(conn, int(account_id))
    assert account is not None
    return account


def set_password(
    conn: Connection,
    account_id: int,
    password: str,
    *,
    now: dt.datetime,
    how: str,
    by: int | None = None,
    ip_hash: str | None = None,
) -> None:
    """Give an account a new password; unlock it and end its sessions.

    Raises:
        AccountError: No such account, or the password breaks a rule.

    """
    account = by_id(conn, account_id)
    if account is None:
        raise AccountError("There is no such account.")
    problem = password_problem(password, account.email)
    if problem:
        raise AccountError(problem)
    conn.execute(
        staff_accounts.update()
        .where(staff_accounts.c.id == account_id)
        .values(
            password_hash=hash_password(password),
            failed_logins=0,
            locked_until=None,
            setup_token_hash=None,
            setup_expires_at=None,
        )
    )
    end_sessions(conn, account.staff_id, now)
    audit.record(
        conn,
        "password.set",
        now=now,
        staff_id=by if by is not None else account.staff_id,
        target=f"account:{account_id}",
        detail=how,
        ip_hash=ip_hash,
    )


def new_setup_link(
    conn: Connection,
    account_id: int,
    *,
    now: dt.datetime,
    policy: Policy,
    by: int | None,
    ip_hash: str | None = None,
) -> str:
    """Make a one-time token for setting the account's password (replacing any earlier).

    Returns:
        The token, to be put in a link and shown once; only its sha256 is kept.

    Raises:
        AccountError: No such account, or it is not active.

    """
    account = by_id(conn, account_id)
    if account is None or not account.active:
        raise AccountError("There is no such active account.")
    token = secrets.token_urlsafe(32)
    expires = now + policy.setup_link_lifetime
    conn.execute(
        staff_accounts.update()
        .where(staff_accounts.c.id == account_id)
        .values(setup_token_hash=digest(token), setup_expires_at=expires)
    )
    audit.record(
        conn,
        "account.setup_link",
        now=now,
        staff_id=by,
        target=f"account:{account_id}",
        detail=f"one-time password link, valid until {expires:%Y-%m-%d %H:%M} UTC",
        ip_hash=ip_hash,
    )
    return token


def by_setup_token(conn: Connection, token: str, now: dt.datetime) -> Account | None:
    """The active account a one-time link's token belongs to, if it has not expired."""
    row = conn.execute(
        _select().where(
            staff_accounts.c.setup_token_hash == digest(token),
            staff_accounts.c.setup_expires_at > now,
            staff_accounts.c.active.is_(True),
        )
    ).first()
    return _account(row) if row is not None else None


def set_password_by_link(
    engine: Engine, token: str, password: str, *, now: dt.datetime, ip_hash: str | None = None
) -> Account:
    """Set a password through a one-time link: the link is used up by the same update.

    The update that sets the password is conditional on the link's token still being
    the account's, unexpired and the account active, and it clears the token. Of two
    posts of one link at the same moment exactly one sets its password; the other gets
    :class:`LinkGone` and changes nothing. The argon2 work is done before, outside the
    transaction.

    Returns:
        The account whose password was set.

    Raises:
        LinkGone: The link does not work (any more).
        AccountError: The password breaks a rule (nothing is changed; the link still works).

    """
    with engine.connect() as conn:
        account = by_setup_token(conn, token, now)
    if account is None:
        raise LinkGone("This link has expired or has already been used.")
    problem = password_problem(password, account.email)
    if problem:
        raise AccountError(problem)
    new_hash = hash_password(password)
    with engine.begin() as conn:
        claimed = conn.execute(
            staff_accounts.update()
            .where(
                staff_accounts.c.id == account.id,
                staff_accounts.c.setup_token_hash == digest(token),
                staff_accounts.c.setup_expires_at > now,
                staff_accounts.c.active.is_(True),
            )
            .values(
                password_hash=new_hash,
                failed_logins=0,
                locked_until=None,
                setup_token_hash=None,
                setup_expires_at=None,
            )
        )
        if claimed.rowcount != 1:
            raise LinkGone("This link has expired or has already been used.")
        end_sessions(conn, account.staff_id, now)
        audit.record(
            conn,
            "password.set",
            now=now,
            staff_id=account.staff_id,
            target=f"account:{account.id}",
            detail="one-time link",
            ip_hash=ip_hash,
        )
    return account


def deactivate(
    conn: Connection,
    account_id: int,
    *,
    now: dt.datetime,
    by: int | None,
    ip_hash: str | None = None,
) -> Account:
    """Stop an account signing in, and end its sessions at once.

    Raises:
        AccountError: No such account, or an admin deactivating their own.

    """
    account = by_id(conn, account_id)
    if account is None:
        raise AccountError("There is no such account.")
    if by is not None and account.staff_id == by:
        raise AccountError("You cannot deactivate your own account.")
    conn.execute(
        staff_accounts.update()
        .where(staff_accounts.c.id == account_id)
        .values(active=False, setup_token_hash=None, setup_expires_at=None)
    )
    end_sessions(conn, account.staff_id, now)
    audit.record(
        conn,
        "account.deactivate",
        now=now,
        staff_id=by,
        target=f"account:{account_id}",
        detail="deactivated; sessions ended",
        ip_hash=ip_hash,
    )
    return account


def change_roles(
    conn: Connection,
    account_id: int,
    roles: str | Iterable[str],
    *,
    now: dt.datetime,
    by: int | None,
    ip_hash: str | None = None,
) -> Account:
    """Give an account a new set of roles (they apply from its next request).

    Raises:
        AccountError: No such account, or an admin taking away their own admin role.
        RoleError: A role is unknown, or none is given.

    """
    account = by_id(conn, account_id)
    if account is None:
        raise AccountError("There is no such account.")
    role_set = parse_roles(roles)
    if by is not None and account.staff_id == by and ADMIN in account.roles - role_set:
        raise AccountError("You cannot take away your own admin role.")
    conn.execute(
        staff_accounts.update()
        .where(staff_accounts.c.id == account_id)
        .values(roles=format_roles(role_set))
    )
    audit.record(
        conn,
        "account.roles",
        now=now,
        staff_id=by,
        target=f"account:{account_id}",
        detail=f"roles {format_roles(account.roles)} -> {format_roles(role_set)}",
        ip_hash=ip_hash,
    )
    changed = by_id(conn, account_id)
    assert changed is not None
    return changed


def end_sessions(conn: Connection, staff_id: int, now: dt.datetime) -> None:
    """Revoke every open session of a member of staff."""
    conn.execute(
        console_sessions.update()
        .where(console_sessions.c.staff_id == staff_id, console_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
