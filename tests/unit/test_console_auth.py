"""The console's rules on a real database (SQLite file and PostgreSQL): passwords,
accounts, throttling of sign-ins, sessions, CSRF tokens and the append-only audit log.

Times are passed in; nothing sleeps.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bot.console import accounts, csrf, sessions
from bot.console.passwords import hash_password, password_problem, verify_password
from bot.console.policy import Policy
from bot.console.roles import ROLES, RoleError, format_roles, parse_roles, stored_roles
from bot.console.signin import Outcome, address_hash, forget_old_failures, sign_in
from bot.db.migrate import upgrade
from bot.people.importer import ROLES as STAFF_ROLES
from bot.store import audit
from bot.store.tables.console import audit_log, console_sessions, login_failures, staff_accounts
from bot.store.tables.people import staff

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
POLICY = Policy()
PASSWORD = "a perfectly long password"
KEY = b"k" * 32
HERE = address_hash(KEY, "192.0.2.10")
ELSEWHERE = address_hash(KEY, "192.0.2.99")


def add_staff(engine, email: str | None, name: str = "Pat Example", active: bool = True) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                staff.insert().values(
                    external_ref=f"T-{name}-{email}",
                    name=name,
                    role="personal_adviser",
                    district="North",
                    email=email,
                    active=active,
                    created_at=NOW,
                    updated_at=NOW,
                )
            ).inserted_primary_key[0]
        )


def make_account(engine, email="pat@example.org", roles="personal_adviser", password=PASSWORD):
    add_staff(engine, email, name=email.split("@")[0])
    with engine.begin() as conn:
        account = accounts.create(conn, roles=roles, email=email, now=NOW)
        if password:
            accounts.set_password(conn, account.id, password, now=NOW, how="test")
    return account


def account_row(engine, account_id):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(staff_accounts).where(staff_accounts.c.id == account_id)
        ).one()


def audit_rows(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).all()


def attempt(engine, email, password, at=NOW, ip=HERE, policy=POLICY):
    return sign_in(engine, email, password, ip_hash=ip, now=at, policy=policy)


# ---- roles and passwords (no database) ---------------------------------------------------


def test_the_console_roles_are_the_staff_records_roles():
    assert set(ROLES) == set(STAFF_ROLES)


def test_roles_are_parsed_forgivingly_and_stored_sorted():
    assert parse_roles("Admin, team-manager,adviser") == {
        "admin",
        "team_manager",
        "personal_adviser",
    }
    assert format_roles({"team_manager", "admin"}) == "admin,team_manager"
    assert stored_roles("admin,root,team_manager") == {"admin", "team_manager"}
    with pytest.raises(RoleError, match="'root' is not a role"):
        parse_roles("admin,root")
    with pytest.raises(RoleError):
        parse_roles(" , ")


def test_passwords_are_argon2_hashes_that_verify():
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)  # the dummy hash never matches
    assert not verify_password("not a hash", PASSWORD)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short one", "at least 12"),
        ("a" * 257, "at most 256"),
        ("abababababababab", "same few characters"),
        ("pat@example.org", "your email"),
        ("correct horse battery", None),
    ],
)
def test_new_passwords_must_be_long_and_not_the_email(password, problem):
    found = password_problem(password, "pat@example.org")
    assert (found is None) if problem is None else (problem in found)


def test_locks_start_at_15_minutes_and_double_up_to_a_day():
    assert POLICY.lock_for(4) is None
    assert POLICY.lock_for(5) == dt.timedelta(minutes=15)
    assert POLICY.lock_for(6) is None
    assert POLICY.lock_for(10) == dt.timedelta(minutes=30)
    assert POLICY.lock_for(15) == dt.timedelta(minutes=60)
    assert POLICY.lock_for(500) == dt.timedelta(hours=24)


def test_csrf_tokens_are_bound_to_the_session_or_the_seed():
    token = csrf.token(KEY, session_id="s1", seed="seed")
    assert csrf.valid(KEY, token, session_id="s1", seed=None)
    assert not csrf.valid(KEY, token, session_id="s2", seed=None)
    assert not csrf.valid(b"other" * 8, token, session_id="s1", seed=None)
    before = csrf.token(KEY, session_id=None, seed="seed")
    assert csrf.valid(KEY, before, session_id=None, seed="seed")
    assert not csrf.valid(KEY, before, session_id=None, seed="another")
    assert not csrf.valid(KEY, before, session_id="s1", seed="seed")
    assert not csrf.valid(KEY, "", session_id=None, seed="seed")
    assert not csrf.valid(KEY, None, session_id="s1", seed=None)
    assert not csrf.valid(KEY, csrf.token(KEY, session_id=None, seed=""), session_id=None, seed="")


# ---- accounts ------------------------------------------------------------------------------


def test_an_account_is_made_for_an_existing_staff_record_only(engine):
    with engine.begin() as conn, pytest.raises(accounts.AccountError, match="No staff record"):
        accounts.create(conn, roles="admin", email="nobody@example.org", now=NOW)
    add_staff(engine, "Pat.Example@Example.org")
    add_staff(engine, None, name="No Email")
    add_staff(engine, "gone@example.org", name="Gone", active=False)
    with engine.begin() as conn:
        account = accounts.create(conn, roles="adviser", email="pat.example@example.org", now=NOW)
    assert account.email == "pat.example@example.org"
    assert account.roles == {"personal_adviser"}
    assert not account.has_password
    with engine.begin() as conn, pytest.raises(accounts.AccountError, match="already has"):
        accounts.create(conn, roles="admin", email="PAT.EXAMPLE@example.org", now=NOW)
    with engine.begin() as conn, pytest.raises(accounts.AccountError, match="not active"):
        accounts.create(conn, roles="admin", email="gone@example.org", now=NOW)
    with engine.connect() as conn:
        no_email = conn.execute(sa.select(staff.c.id).where(staff.c.name == "No Email")).scalar()
    with engine.begin() as conn, pytest.raises(accounts.AccountError, match="no email"):
        accounts.create(conn, roles="admin", staff_id=no_email, now=NOW)
    with engine.connect() as conn:
        choices = accounts.staff_without_account(conn)
    assert [c.email for c in choices] == []  # Pat has one; the others cannot have one
    assert [row.action for row in audit_rows(engine)] == ["account.create"]


def test_a_one_time_link_sets_the_password_once_and_expires(engine):
    account = make_account(engine, password=None)
    with engine.begin() as conn:
        token = accounts.new_setup_link(conn, account.id, now=NOW, policy=POLICY, by=None)
        newer = accounts.new_setup_link(conn, account.id, now=NOW, policy=POLICY, by=None)
    with engine.connect() as conn:
        assert accounts.by_setup_token(conn, token, NOW) is None  # replaced by the newer
        assert accounts.by_setup_token(conn, newer, NOW).id == account.id
        assert accounts.by_setup_token(conn, newer, NOW + dt.timedelta(hours=25)) is None
    stored = account_row(engine, account.id).setup_token_hash
    assert stored == accounts.digest(newer) and newer not in stored
    with engine.begin() as conn, pytest.raises(accounts.AccountError, match="at least 12"):
        accounts.set_password(conn, account.id, "too short", now=NOW, how="one-time link")
    with engine.begin() as conn:
        accounts.set_password(conn, account.id, PASSWORD, now=NOW, how="one-time link")
    with engine.connect() as conn:
        assert accounts.by_setup_token(conn, newer, NOW) is None
    assert attempt(engine, "pat@example.org", PASSWORD).outcome is Outcome.OK


# ---- signing in and throttling -------------------------------------------------------------


def test_the_right_password_starts_a_session_and_is_audited(engine):
    account = make_account(engine)
    result = attempt(engine, "  PAT@example.org ", PASSWORD)
    assert result.outcome is Outcome.OK and result.token
    assert result.staff_id == account.staff_id
    with engine.connect() as conn:
        session = conn.execute(sa.select(console_sessions)).one()
    assert session.id == accounts.digest(result.token) and result.token not in session.id
    assert session.expires_at == NOW + POLICY.lifetime
    assert account_row(engine, account.id).last_login_at == NOW
    last = audit_rows(engine)[-1]
    assert (last.action, last.staff_id, last.ip_hash) == ("login", account.staff_id, HERE)


def test_each_sign_in_starts_a_new_session(engine):
    make_account(engine)
    first = attempt(engine, "pat@example.org", PASSWORD).token
    second = attempt(engine, "pat@example.org", PASSWORD).token
    assert first != second


def test_unknown_email_and_wrong_password_are_the_same_to_the_person(engine):
    account = make_account(engine)
    unknown = attempt(engine, "nobody@example.org", PASSWORD)
    wrong = attempt(engine, "pat@example.org", "not the password at all")
    assert unknown == wrong
    assert unknown.outcome is Outcome.WRONG and unknown.token is None
    rows = audit_rows(engine)[-2:]
    assert [(r.action, r.staff_id) for r in rows] == [
        ("login_failed", None),
        ("login_failed", account.staff_id),
    ]
    # Neither what was typed as the email nor the password is in the log.
    assert "nobody" not in repr(rows) and PASSWORD not in repr(rows)
    assert rows[0].detail == "unknown email"


def test_five_wrong_passwords_lock_the_account_for_15_minutes(engine):
    account = make_account(engine)
    for _ in range(4):
        assert attempt(engine, "pat@example.org", "wrong password!").outcome is Outcome.WRONG
    assert account_row(engine, account.id).locked_until is None
    attempt(engine, "pat@example.org", "wrong password!")
    row = account_row(engine, account.id)
    assert row.failed_logins == 5
    assert row.locked_until == NOW + dt.timedelta(minutes=15)
    assert "locked for 15 minutes" in audit_rows(engine)[-1].detail
    # Locked: the right password is refused, the same way, and the try does not count.
    during = attempt(engine, "pat@example.org", PASSWORD, at=NOW + dt.timedelta(minutes=14))
    assert during.outcome is Outcome.WRONG
    assert audit_rows(engine)[-1].detail == "account locked"
    assert account_row(engine, account.id).failed_logins == 5
    after = attempt(engine, "pat@example.org", PASSWORD, at=NOW + dt.timedelta(minutes=16))
    assert after.outcome is Outcome.OK
    row = account_row(engine, account.id)
    assert (row.failed_logins, row.locked_until) == (0, None)


def test_each_later_lock_lasts_longer(engine):
    account = make_account(engine)
    at = NOW
    for _ in range(5):
        attempt(engine, "pat@example.org", "wrong password!", at=at)
    at += dt.timedelta(minutes=16)
    for _ in range(5):
        attempt(engine, "pat@example.org", "wrong password!", at=at)
    assert account_row(engine, account.id).locked_until == at + dt.timedelta(minutes=30)


def test_too_many_failures_from_one_address_stop_sign_ins_from_it(engine):
    make_account(engine)
    policy = Policy(address_max_failures=6)
    for i in range(6):  # guessing at many accounts, none of them locks
        email = "pat@example.org" if i % 3 == 0 else f"guess{i}@example.org"
        assert attempt(engine, email, "wrong password!", policy=policy).outcome is Outcome.WRONG
    blocked = attempt(engine, "pat@example.org", PASSWORD, policy=policy)
    assert blocked.outcome is Outcome.THROTTLED
    assert audit_rows(engine)[-1].action == "login_throttled"
    # Another address is not held up, and the window slides.
    assert attempt(engine, "pat@example.org", PASSWORD, ip=ELSEWHERE, policy=policy).token
    later = NOW + POLICY.address_window + dt.timedelta(seconds=1)
    assert attempt(engine, "pat@example.org", PASSWORD, at=later, policy=policy).token
    assert forget_old_failures(engine, now=later, policy=policy) == 6
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(login_failures)).scalar() == 0
    # A new failure clears the old ones out as well.
    for at in (NOW, later):
        attempt(engine, "pat@example.org", "wrong password!", at=at, policy=policy)
    with engine.connect() as conn:
        assert conn.execute(sa.select(login_failures.c.at)).scalars().all() == [later]


@pytest.mark.parametrize("what", ["deactivated", "staff inactive", "no password"])
def test_accounts_that_cannot_sign_in_get_the_same_answer(engine, what):
    account = make_account(engine, password=None if what == "no password" else PASSWORD)
    with engine.begin() as conn:
        if what == "deactivated":
            accounts.deactivate(conn, account.id, now=NOW, by=None)
        if what == "staff inactive":
            conn.execute(staff.update().values(active=False))
    assert attempt(engine, "pat@example.org", PASSWORD).outcome is Outcome.WRONG


# ---- sessions --------------------------------------------------------------------------------


def live(engine, token, at, policy=POLICY):
    with engine.begin() as conn:
        return sessions.current(conn, token, now=at, policy=policy)


def test_a_session_ends_after_30_idle_minutes(engine):
    make_account(engine, roles="admin,team_manager")
    token = attempt(engine, "pat@example.org", PASSWORD).token
    person = live(engine, token, NOW + dt.timedelta(minutes=29))
    assert person.roles == {"admin", "team_manager"} and person.has_any("admin")
    # That request kept it alive: 29 minutes after it, it still is.
    assert live(engine, token, NOW + dt.timedelta(minutes=58))
    assert live(engine, token, NOW + dt.timedelta(minutes=89)) is None


def test_a_busy_session_still_ends_8_hours_after_sign_in(engine):
    make_account(engine)
    token = attempt(engine, "pat@example.org", PASSWORD).token
    at = NOW
    while at < NOW + dt.timedelta(hours=8) - dt.timedelta(minutes=10):
        at += dt.timedelta(minutes=10)
        assert live(engine, token, at)
    assert live(engine, token, NOW + dt.timedelta(hours=8)) is None


def test_revoked_sessions_and_unknown_tokens_sign_nobody_in(engine):
    account = make_account(engine)
    token = attempt(engine, "pat@example.org", PASSWORD).token
    other = attempt(engine, "pat@example.org", PASSWORD).token
    assert live(engine, "made-up", NOW) is None and live(engine, "", NOW) is None
    with engine.begin() as conn:
        sessions.revoke(conn, accounts.digest(token), now=NOW)
    assert live(engine, token, NOW) is None
    assert live(engine, other, NOW)
    with engine.begin() as conn:  # a new password ends every session
        accounts.set_password(conn, account.id, PASSWORD + "!", now=NOW, how="test")
    assert live(engine, other, NOW) is None


def test_deactivating_an_account_ends_its_sessions(engine):
    account = make_account(engine)
    admin = make_account(engine, email="admin@example.org", roles="admin")
    token = attempt(engine, "pat@example.org", PASSWORD).token
    with engine.begin() as conn, pytest.raises(accounts.AccountError, match="your own"):
        accounts.deactivate(conn, admin.id, now=NOW, by=admin.staff_id)
    with engine.begin() as conn:
        accounts.deactivate(conn, account.id, now=NOW, by=admin.staff_id)
    assert live(engine, token, NOW) is None
    last = audit_rows(engine)[-1]
    assert (last.action, last.staff_id, last.target) == (
        "account.deactivate",
        admin.staff_id,
        f"account:{account.id}",
    )


def test_roles_change_at_the_next_request_and_an_admin_keeps_their_own(engine):
    account = make_account(engine)
    admin = make_account(engine, email="admin@example.org", roles="admin")
    token = attempt(engine, "pat@example.org", PASSWORD).token
    with engine.begin() as conn:
        accounts.change_roles(conn, account.id, ["team_manager"], now=NOW, by=admin.staff_id)
    assert live(engine, token, NOW).roles == {"team_manager"}
    with engine.begin() as conn, pytest.raises(accounts.AccountError, match="own admin"):
        accounts.change_roles(conn, admin.id, "team_manager", now=NOW, by=admin.staff_id)
    with engine.begin() as conn, pytest.raises(RoleError):
        accounts.change_roles(conn, account.id, [], now=NOW, by=admin.staff_id)
    last = audit_rows(engine)[-1]
    assert (last.action, last.detail) == ("account.roles", "roles personal_adviser -> team_manager")


# ---- the audit log -------------------------------------------------------------------------


def test_the_audit_log_cannot_be_changed_or_deleted(engine):
    with engine.begin() as conn:
        audit.record(conn, "test", now=NOW, detail="x" * 1000)
    with engine.connect() as conn:
        entry = audit.page(conn, 1)[0]
        assert audit.count(conn) == 1
    assert (entry.action, len(entry.detail), entry.staff_name) == ("test", 500, None)
    for statement in (audit_log.update().values(detail="changed"), audit_log.delete()):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    assert audit_rows(engine)[0].detail == "x" * 500


def test_the_console_migration_goes_down_and_up_again(engine, database_url):
    make_account(engine)
    engine.dispose()
    with engine.begin() as conn:
        conn.execute(staff_accounts.delete())
    upgrade(database_url, "head")
    from alembic import command

    from bot.db.migrate import alembic_config

    command.downgrade(alembic_config(database_url), "0004")
    assert not sa.inspect(engine).has_table("audit_log")
    upgrade(database_url)
    assert sa.inspect(engine).has_table("audit_log")
