"""Signing in: the password check, with throttling against guessing.

Two limits, both kept in the database so every console process sees them, and both
*claimed before the password is checked*, so that attempts sent at the same moment get
no more guesses than attempts sent one after another (issue 15):

- per account: :attr:`Policy.account_max_failures` wrong passwords in a row lock it
  for :attr:`Policy.first_lock`, each later lock twice as long (at most
  :attr:`Policy.longest_lock`); a right password resets the count. Tries while it
  is locked are refused without counting.
- per client address (a keyed hash of it): :attr:`Policy.address_max_failures` failed
  sign-ins to any accounts within :attr:`Policy.address_window` stop sign-ins from
  that address until the oldest of them leaves the window. Each attempt is recorded
  as a failure first and removed if the password was right.

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

from bot.console import accounts, sessions
from bot.console.passwords import hash_password, needs_rehash, verify_password
from bot.console.policy import Policy
from bot.store import audit
from bot.store.tables.console import login_failures, staff_accounts

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


MAX_CLAIM_TRIES = 20
"""How often one sign-in retries claiming its attempt when others change the count first."""


def _claim_address(engine: Engine, ip_hash: str, *, now: dt.datetime, policy: Policy) -> int | None:
    """Record this attempt against the address first, then see whether it was one too many.

    The row is committed before the count is read, so of attempts made at the same
    moment each sees at least every one that claimed before it: at most
    :attr:`Policy.address_max_failures` get through in any window, however many are
    sent at once (some may be refused that a one-at-a-time order would let through).

    Returns:
        The claim's row id (kept if the attempt fails, removed if it succeeds), or None
        when the address is over its limit (the row is removed: a refusal does not count).

    """
    with engine.begin() as conn:
        claim = int(
            conn.execute(
                login_failures.insert().values(ip_hash=ip_hash, at=now)
            ).inserted_primary_key[0]
        )
    with engine.connect() as conn:
        seen = int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(login_failures)
                .where(
                    login_failures.c.ip_hash == ip_hash,
                    login_failures.c.at > now - policy.address_window,
                )
            ).scalar_one()
        )
    if seen <= policy.address_max_failures:
        return claim
    with engine.begin() as conn:
        conn.execute(login_failures.delete().where(login_failures.c.id == claim))
    return None


def _claim_account(
    engine: Engine, account_id: int, *, now: dt.datetime, policy: Policy
) -> str | None:
    """Count this attempt as a wrong password *before* the password is checked.

    One conditional update on the count the account had (compare and set), which also
    locks the account when this attempt reaches a multiple of
    :attr:`Policy.account_max_failures`: of attempts made at the same moment, only as
    many as the limit leaves get a password checked; the others find it locked. A right
    password then sets the count back to 0 (:func:`sign_in`).

    Returns:
        The words for the audit log (``" (5 in a row); locked for 15 minutes"``), or None
        if the account is locked (this attempt is not counted and checks nothing).

    """
    unlocked = sa.or_(staff_accounts.c.locked_until.is_(None), staff_accounts.c.locked_until <= now)
    for _ in range(MAX_CLAIM_TRIES):
        with engine.begin() as conn:
            seen = conn.execute(
                sa.select(staff_accounts.c.failed_logins).where(
                    staff_accounts.c.id == account_id, unlocked
                )
            ).scalar()
            if seen is None:
                return None
            failures = int(seen) + 1
            lock = policy.lock_for(failures)
            values: dict[str, object] = {"failed_logins": failures}
            if lock is not None:
                values["locked_until"] = now + lock
            claimed = conn.execute(
                staff_accounts.update()
                .where(
                    staff_accounts.c.id == account_id,
                    staff_accounts.c.failed_logins == seen,
                    unlocked,
                )
                .values(**values)
            )
        if claimed.rowcount == 1:
            if lock is None:
                return f" ({failures} in a row)"
            minutes = int(lock.total_seconds() // 60)
            return f" ({failures} in a row); locked for {minutes} minutes"
    return None  # others kept changing it first: as good as locked for this attempt


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

    Each limit is claimed before the password is checked (:func:`_claim_address`,
    :func:`_claim_account`), so attempts sent in parallel get no more guesses than
    attempts sent one after another.

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
    claim = _claim_address(engine, ip_hash, now=now, policy=policy)
    if claim is None:
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
    counted = ""
    if account is not None and reason is None:
        claimed = _claim_account(engine, account.id, now=now, policy=policy)
        if claimed is None:
            reason = "account locked"
        else:
            counted = claimed
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
            # Not a failure after all: the address's claim goes.
            conn.execute(login_failures.delete().where(login_failures.c.id == claim))
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
        audit.record(
            conn,
            "login_failed",
            now=now,
            staff_id=account.staff_id if account else None,
            target=f"account:{account.id}" if account else "",
            detail=(reason or "wrong password") + counted,
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


def forget_old_failures(engine: Engine, *, now: dt.datetime, policy: Policy) -> int:
    """Delete per-address failures older than the window (they count for nothing)."""
    with engine.begin() as conn:
        result = conn.execute(
            login_failures.delete().where(login_failures.c.at <= now - policy.address_window)
        )
        return int(result.rowcount or 0)
