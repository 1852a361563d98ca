"""Signing in: the password check, with throttling against guessing.

Two limits, both kept in the database so every console process sees them:

- per account: :attr:`Policy.account_max_failures` wrong passwords in a row lock it
  for :attr:`Policy.first_lock`, each later lock twice as long (at most
  :attr:`Policy.longest_lock`); a right password resets the count. Tries while it
  is locked are refused without counting.
- per client address (a keyed hash of it): :attr:`Policy.address_max_failures` failed
  sign-ins to any accounts within :attr:`Policy.address_window` stop sign-ins from
  that address until the oldest of them leaves the window.

Whatever the reason (unknown email, wrong password, locked, inactive, no password
yet) the person is told the same thing, and the same argon2 work is done (against a
dummy hash when there is no real one), so nobody can learn which emails have accounts.
Every outcome goes into the audit log; the email typed is never logged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import hmac

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.console import accounts, audit, sessions
from bot.console.passwords import hash_password, needs_rehash, verify_password
from bot.console.policy import Policy
from bot.console.tables import login_failures, staff_accounts

WRONG = "Email or password is wrong"
THROTTLED = "Too many failed sign-ins from this network. Wait 15 minutes, then try again."


class Outcome(enum.Enum):
    """How a sign-in went."""

    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"


@dataclasses.dataclass(frozen=True)
class SignIn:
    """The result of a sign-in: the outcome, and the new session's token when OK."""

    outcome: Outcome
    token: str | None = None
    staff_id: int | None = None


def address_hash(key: bytes, address: str) -> str:
    """A keyed hash of a client's address: it can be counted, not read back."""
    return hmac.new(key, f"client:{address}".encode(), hashlib.sha256).hexdigest()


def recent_failures(engine: Engine, ip_hash: str, *, now: dt.datetime, policy: Policy) -> int:
    """Failed sign-ins from this address within the policy's window."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(login_failures)
                .where(
                    login_failures.c.ip_hash == ip_hash,
                    login_failures.c.at > now - policy.address_window,
                )
            ).scalar_one()
        )


def sign_in(
    engine: Engine,
    email: str,
    password: str,
    *,
    ip_hash: str,
    now: dt.datetime,
    policy: Policy,
) -> SignIn:
    """Check an email and password, and start a session if they are right.

    Args:
        engine: The project's database.
        email: As typed.
        password: As typed (never stored or logged).
        ip_hash: :func:`address_hash` of the client's address.
        now: When (naive UTC).
        policy: The numbers.

    Returns:
        OK with the session's token; WRONG; or THROTTLED when the address is over its limit.

    """
    if recent_failures(engine, ip_hash, now=now, policy=policy) >= policy.address_max_failures:
        with engine.begin() as conn:
            audit.record(
                conn,
                "login_throttled",
                now=now,
                detail="too many failed sign-ins from this address",
                ip_hash=ip_hash,
            )
        return SignIn(Outcome.THROTTLED)
    with engine.connect() as conn:
        account = accounts.by_email(conn, email) if email.strip() else None
        stored = accounts.password_hash_of(conn, account.id) if account else None
    reason = _refusal(account, stored, now)
    # The argon2 work is done whatever the reason, against a dummy hash if need be.
    matched = verify_password(stored if reason is None else None, password)
    with engine.begin() as conn:
        if account is not None and reason is None and matched and stored is not None:
            values: dict[str, object] = {
                "failed_logins": 0,
                "locked_until": None,
                "last_login_at": now,
            }
            if needs_rehash(stored):
                values["password_hash"] = hash_password(password)
            conn.execute(
                staff_accounts.update().where(staff_accounts.c.id == account.id).values(**values)
            )
            token = sessions.start(conn, account.staff_id, now=now, policy=policy)
            audit.record(
                conn,
                "login",
                now=now,
                staff_id=account.staff_id,
                target=f"account:{account.id}",
                ip_hash=ip_hash,
            )
            return SignIn(Outcome.OK, token=token, staff_id=account.staff_id)
        # Failures older than the window count for nothing: forget them as new ones come.
        conn.execute(
            login_failures.delete().where(login_failures.c.at <= now - policy.address_window)
        )
        conn.execute(login_failures.insert().values(ip_hash=ip_hash, at=now))
        detail = reason or "wrong password"
        if account is not None and reason is None:
            detail += _count_failure(conn, account.id, now, policy)
        audit.record(
            conn,
            "login_failed",
            now=now,
            staff_id=account.staff_id if account else None,
            target=f"account:{account.id}" if account else "",
            detail=detail,
            ip_hash=ip_hash,
        )
    return SignIn(Outcome.WRONG)


def _refusal(account: accounts.Account | None, stored: str | None, now: dt.datetime) -> str | None:
    """Why this account cannot sign in whatever the password, or None if it may try."""
    if account is None:
        return "unknown email"
    if not account.active:
        return "account deactivated"
    if not account.staff_active:
        return "staff record inactive"
    if stored is None:
        return "no password set yet"
    if account.locked(now):
        return "account locked"
    return None


def _count_failure(
    conn: sa.engine.Connection, account_id: int, now: dt.datetime, policy: Policy
) -> str:
    conn.execute(
        staff_accounts.update()
        .where(staff_accounts.c.id == account_id)
        .values(failed_logins=staff_accounts.c.failed_logins + 1)
    )
    failures = int(
        conn.execute(
            sa.select(staff_accounts.c.failed_logins).where(staff_accounts.c.id == account_id)
        ).scalar_one()
    )
    lock = policy.lock_for(failures)
    if lock is None:
        return f" ({failures} in a row)"
    conn.execute(
        staff_accounts.update()
        .where(staff_accounts.c.id == account_id)
        .values(locked_until=now + lock)
    )
    return f" ({failures} in a row); locked for {int(lock.total_seconds() // 60)} minutes"


def forget_old_failures(engine: Engine, *, now: dt.datetime, policy: Policy) -> int:
    """Delete per-address failures older than the window (they count for nothing)."""
    with engine.begin() as conn:
        result = conn.execute(
            login_failures.delete().where(login_failures.c.at <= now - policy.address_window)
        )
        return int(result.rowcount or 0)
