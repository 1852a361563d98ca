"""Sign-in limits and one-time links hold under parallel requests (issue 15, item 8).

Real threads released together by a barrier, on a real SQLite file and a real
PostgreSQL server: the limits were checked before an attempt was recorded, so
attempts made at the same moment each saw the count before the others and got a
guess each; two posts of one set-password link could both set a password.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from bot.console import accounts
from bot.console.policy import Policy
from bot.console.signin import Outcome, address_hash, sign_in
from bot.store.tables.console import audit_log, login_failures, staff_accounts
from bot.store.tables.people import staff

pytestmark = pytest.mark.timeout(300)

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "a perfectly long password"
KEY = b"k" * 32
HERE = address_hash(KEY, "192.0.2.10")
PARALLEL = 10


def at_once(work: Callable[[int], Any], count: int = PARALLEL) -> list[Any]:
    """Run ``work(i)`` on ``count`` threads released together; their results, in order."""
    start = threading.Barrier(count)

    def run(i: int) -> Any:
        start.wait(timeout=60)
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def make_account(engine, email: str = "pat@example.org", password: str | None = PASSWORD):
    with engine.begin() as conn:
        conn.execute(
            staff.insert().values(
                external_ref=f"T-{email}",
                name="Pat Example",
                role="personal_adviser",
                district="North",
                email=email,
                active=True,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        account = accounts.create(conn, roles="personal_adviser", email=email, now=NOW)
        if password:
            accounts.set_password(conn, account.id, password, now=NOW, how="test")
    return account


def failures_audited(engine) -> Counter[str]:
    with engine.connect() as conn:
        details = conn.execute(
            sa.select(audit_log.c.detail).where(audit_log.c.action == "login_failed")
        ).scalars()
        return Counter(d.split(" (")[0] for d in details)


def test_parallel_wrong_passwords_get_no_more_guesses_than_the_account_allows(engine):
    account = make_account(engine)
    policy = Policy(address_max_failures=1000)  # only the account's limit is in play

    def guess(i: int) -> Outcome:
        ip = address_hash(KEY, f"192.0.2.{i}")
        return sign_in(
            engine, "pat@example.org", f"wrong guess {i}!", ip_hash=ip, now=NOW, policy=policy
        ).outcome

    assert set(at_once(guess)) == {Outcome.WRONG}
    checked = failures_audited(engine)
    # Five passwords were checked; every other attempt met a locked account.
    assert checked == {"wrong password": 5, "account locked": PARALLEL - 5}
    with engine.connect() as conn:
        row = conn.execute(sa.select(staff_accounts).where(staff_accounts.c.id == account.id)).one()
    assert row.failed_logins == 5 and row.locked_until == NOW + policy.first_lock


def test_parallel_attempts_from_one_address_get_no_more_than_its_limit(engine):
    """Never more guesses than the limit; a burst may be refused more eagerly than a queue."""
    make_account(engine)
    policy = Policy(address_max_failures=4)

    def guess(i: int) -> Outcome:
        return sign_in(
            engine, f"guess{i}@example.org", "wrong guess!", ip_hash=HERE, now=NOW, policy=policy
        ).outcome

    outcomes = Counter(at_once(guess))
    assert outcomes[Outcome.WRONG] <= 4
    assert outcomes[Outcome.WRONG] + outcomes[Outcome.THROTTLED] == PARALLEL
    # Refused attempts are not counted; one after another, the rest of the limit is used.
    more = 0
    while (
        sign_in(engine, "x@example.org", "wrong!", ip_hash=HERE, now=NOW, policy=policy).outcome
        is Outcome.WRONG
    ):
        more += 1
    assert outcomes[Outcome.WRONG] + more == 4
    assert sum(failures_audited(engine).values()) == 4
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(login_failures)).scalar() == 4
    # The right password from that address is refused now, and from elsewhere is not.
    blocked = sign_in(engine, "pat@example.org", PASSWORD, ip_hash=HERE, now=NOW, policy=policy)
    assert blocked.outcome is Outcome.THROTTLED
    elsewhere = address_hash(KEY, "198.51.100.1")
    ok = sign_in(engine, "pat@example.org", PASSWORD, ip_hash=elsewhere, now=NOW, policy=policy)
    assert ok.outcome is Outcome.OK


def test_a_right_password_leaves_no_failure_counted_against_the_address(engine):
    make_account(engine)
    policy = Policy(address_max_failures=2)
    for _ in range(5):
        assert sign_in(
            engine, "pat@example.org", PASSWORD, ip_hash=HERE, now=NOW, policy=policy
        ).token
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(login_failures)).scalar() == 0


def test_two_posts_of_one_link_set_one_password(engine):
    account = make_account(engine, password=None)
    with engine.begin() as conn:
        token = accounts.new_setup_link(conn, account.id, now=NOW, policy=Policy(), by=None)

    def post(i: int) -> str:
        try:
            accounts.set_password_by_link(
                engine, token, f"the password number {i}", now=NOW, ip_hash=HERE
            )
        except accounts.LinkGone:
            return "gone"
        return f"the password number {i}"

    results = at_once(post)
    winners = [r for r in results if r != "gone"]
    assert len(winners) == 1 and results.count("gone") == PARALLEL - 1
    with engine.connect() as conn:
        assert accounts.by_setup_token(conn, token, NOW) is None
        actions = conn.execute(
            sa.select(audit_log.c.action).where(audit_log.c.action == "password.set")
        ).scalars()
        assert list(actions) == ["password.set"]
    assert sign_in(engine, "pat@example.org", winners[0], ip_hash=HERE, now=NOW, policy=Policy())
    for loser in (f"the password number {i}" for i in range(PARALLEL)):
        if loser != winners[0]:
            refused = sign_in(
                engine, "pat@example.org", loser, ip_hash=HERE, now=NOW, policy=Policy()
            )
            assert refused.outcome is Outcome.WRONG
            break


def test_a_link_that_expired_or_broke_the_rules_sets_nothing(engine):
    account = make_account(engine, password=None)
    with engine.begin() as conn:
        token = accounts.new_setup_link(conn, account.id, now=NOW, policy=Policy(), by=None)
    with pytest.raises(accounts.AccountError, match="at least 12"):
        accounts.set_password_by_link(engine, token, "short", now=NOW, ip_hash=HERE)
    later = NOW + Policy().setup_link_lifetime + dt.timedelta(seconds=1)
    with pytest.raises(accounts.LinkGone):
        accounts.set_password_by_link(engine, token, PASSWORD, now=later, ip_hash=HERE)
    with pytest.raises(accounts.LinkGone):
        accounts.set_password_by_link(engine, "not-a-link", PASSWORD, now=NOW, ip_hash=HERE)
    with engine.connect() as conn:
        assert accounts.by_id(conn, account.id).has_password is False
