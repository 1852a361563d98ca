"""The numbers behind the console's sign-in and session rules, in one place."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.settings import Settings


@dataclasses.dataclass(frozen=True)
class Policy:
    """How long sessions last and how hard guessing passwords is made.

    Attributes:
        idle: A session ends after this long without a request.
        lifetime: A session ends this long after sign-in, however busy.
        account_max_failures: Wrong passwords in a row that lock an account.
        first_lock: How long the first lock lasts; each later one (after as many more
            failures) lasts twice as long as the one before, up to ``longest_lock``.
        longest_lock: The longest an account is locked for.
        address_max_failures: Failed sign-ins from one client address, to any accounts,
            that stop sign-ins from it for a while.
        address_window: The sliding window those failures are counted in.
        setup_link_lifetime: How long a one-time link to set a password works.
        touch_every: Least time between two updates of a session's ``last_seen_at``.

    """

    idle: dt.timedelta = dt.timedelta(minutes=30)
    lifetime: dt.timedelta = dt.timedelta(hours=8)
    account_max_failures: int = 5
    first_lock: dt.timedelta = dt.timedelta(minutes=15)
    longest_lock: dt.timedelta = dt.timedelta(hours=24)
    address_max_failures: int = 20
    address_window: dt.timedelta = dt.timedelta(minutes=15)
    setup_link_lifetime: dt.timedelta = dt.timedelta(hours=24)
    touch_every: dt.timedelta = dt.timedelta(seconds=30)

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        """The policy with the session lifetimes of ``settings``."""
        return cls(
            idle=dt.timedelta(minutes=settings.console_idle_minutes),
            lifetime=dt.timedelta(hours=settings.console_session_hours),
        )

    def lock_for(self, failures: int) -> dt.timedelta | None:
        """How long to lock an account that has now had ``failures`` wrong passwords in a row.

        None unless ``failures`` is a multiple of ``account_max_failures``.
        """
        if failures <= 0 or failures % self.account_max_failures:
            return None
        doublings = failures // self.account_max_failures - 1
        if doublings > 16:
            return self.longest_lock
        lock: dt.timedelta = self.first_lock * (2**doublings)
        return min(lock, self.longest_lock)
