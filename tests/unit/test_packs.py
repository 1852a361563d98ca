"""Entitlements packs and nudges on a real database (SQLite file and PostgreSQL).

Times are passed in (a controllable clock); nothing sleeps. The people are invented
here, with numbers from Ofcom's drama range; demo mode keeps texts in the outbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot import nudges
from bot.clock import utcnow
from bot.notify.sms import SmsQueue
from bot.packs import offers, page, service
from bot.packs.contents import read_published
from bot.reports.coverage import pack_coverage
from bot.store.tables.notify import sms_outbound
from bot.store.tables.packs import job_runs, packs
from bot.store.tables.packs import nudges as nudges_table
from bot.store.tables.people import care_leavers, staff
from entitlements.store import publish_entries

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2027, 1, 15, 10, 0, tzinfo=LONDON)
ASH = "+447700900301"  # Testy Ashdown, 20, in Staying Put, North
BRACK = "+447700900302"  # Testy Brackley, 18, at university, East
PA = "+447700900311"  # Pam Invented-Adviser


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc)


@pytest.fixture
def published(engine, content):
    publish_entries(engine, content.entries, origin="files", now=utcnow())
    return content


@pytest.fixture
def people(engine, published):
    created = utc(NOW) - dt.timedelta(days=400)
    with engine.begin() as conn:
        adviser = conn.execute(
            staff.insert().values(
                external_ref="T-ST-1",
                name="Pam Invented-Adviser",
                role="personal_adviser",
                district="North",
                mobile=PA,
                email="pam.invented@example.org",
                active=True,
                created_at=created,
                updated_at=created,
            )
        ).inserted_primary_key[0]
        ids = {}
        for ref, name, dob, mobile, status, district, circumstances, review in (
            ("T-CL-1", "Testy Ashdown", dt.date(2006, 3, 10), ASH, "former_relevant", "North",
             "staying_put", dt.date(2027, 1, 29)),
            ("T-CL-2", "Testy Brackley", dt.date(2008, 6, 1), BRACK, "former_relevant", "East",
             "in_higher_education", dt.date(2027, 6, 1)),
            ("T-CL-3", "Testy Corrin", dt.date(2007, 2, 2), None, "former_relevant", "East",
             "", None),
        ):  # fmt: skip
            ids[ref] = conn.execute(
                care_leavers.insert().values(
                    external_ref=ref,
                    preferred_name=name,
                    date_of_birth=dob,
                    mobile=mobile,
                    status=status,
                    district=district,
                    adviser_id=adviser,
                    pathway_next_review=review,
                    circumstances=circumstances,
                    created_at=created,
                    updated_at=created,
                )
            ).inserted_primary_key[0]
    return ids


def who(engine, person_id):
    found = service.recipient(engine, person_id)
    assert found is not None
    return found


def texts_to(engine, number):
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(sms_outbound.c.body, sms_outbound.c.status)
                .where(sms_outbound.c.to_number == number)
                .order_by(sms_outbound.c.id)
            )
        )


def pack_rows(engine, person_id):
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(packs).where(packs.c.care_leaver_id == person_id).order_by(packs.c.id)
            )
        )


def token_from(body: str) -> str:
    return body.split("/pack/")[1].split()[0]


def send(engine, settings, person_id, now=NOW, **extra):
    return service.make_pack(
        engine, settings, who(engine, person_id), reason=extra.pop("reason", "first"),
        now=utc(now), **extra,
    )  # fmt: skip


# ---- the pack and its link -------------------------------------------------------------------


def test_a_pack_is_texted_with_a_long_random_link_and_only_its_hash_is_kept(
    engine, settings, people
):
    result = send(engine, settings, people["T-CL-1"])
    assert result.sent and result.not_sent_reason is None
    [(body, status)] = texts_to(engine, ASH)
    assert status == "outbox"  # demo mode
    assert body.startswith("Your leaving care pack: ")
    assert body.endswith("Reply GOT IT if you got it.")
    assert f"{settings.public_base_url}/pack/" in body
    token = token_from(body)
    assert len(token) >= 43 and len(token) * 6 >= 256  # 32 random bytes, base64url
    [row] = pack_rows(engine, people["T-CL-1"])
    assert row.token_hash == service.token_hash(token) and token not in row.token_hash
    assert row.expires_at == utc(NOW) + dt.timedelta(days=30)
    assert row.sent_at == utc(NOW) and row.reason == "first"


def test_tokens_do_not_repeat_and_look_random():
    tokens = {service.new_token() for _ in range(2000)}
    assert len(tokens) == 2000
    alphabet = set("".join(tokens))
    assert alphabet <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(alphabet) == 64  # every base64url character turns up
    # Shannon entropy per character close to log2(64) = 6 bits.
    counts: dict[str, int] = {}
    for token in tokens:
        for char in token:
            counts[char] = counts.get(char, 0) + 1
    total = sum(counts.values())
    entropy = -sum(c / total * math.log2(c / total) for c in counts.values())
    assert entropy > 5.95


def test_the_link_opens_its_pack_and_a_token_one_character_off_opens_nothing(
    engine, settings, people
):
    send(engine, settings, people["T-CL-1"])
    token = token_from(texts_to(engine, ASH)[0].body)
    view = service.open_pack(engine, token, utc(NOW) + dt.timedelta(hours=1))
    assert view is not None and view.items
    last = token[-1]
    for changed in (
        token[:-1] + ("A" if last != "A" else "B"),
        ("x" if token[0] != "x" else "y") + token[1:],
        token[:-1],
        token + "A",
        token.upper() if token.upper() != token else token.lower(),
    ):
        assert service.open_pack(engine, changed, utc(NOW)) is None
    for malformed in ("", "../../etc/passwd", "a" * 500, "<script>", "é" * 43):
        assert service.open_pack(engine, malformed, utc(NOW)) is None


def test_a_link_expires(engine, settings, people):
    send(engine, settings, people["T-CL-1"])
    token = token_from(texts_to(engine, ASH)[0].body)
    almost = utc(NOW) + dt.timedelta(days=30) - dt.timedelta(seconds=1)
    assert service.open_pack(engine, token, almost) is not None
    assert service.open_pack(engine, token, utc(NOW) + dt.timedelta(days=30)) is None


def test_two_people_two_packs_each_link_shows_only_its_own(engine, settings, people):
    send(engine, settings, people["T-CL-1"])
    send(engine, settings, people["T-CL-2"])
    ash = service.open_pack(engine, token_from(texts_to(engine, ASH)[0].body), utc(NOW))
    brack = service.open_pack(engine, token_from(texts_to(engine, BRACK)[0].body), utc(NOW))
    assert ash is not None and brack is not None
    ash_ids = {item.id for item in ash.items}
    brack_ids = {item.id for item in brack.items}
    assert "staying-put" in ash_ids and "staying-put" not in brack_ids
    assert "higher-education-bursary" in brack_ids and "higher-education-bursary" not in ash_ids
    html = page.pack_html(ash)
    for personal in ("Testy", "Ashdown", ASH, "07700", "North", "T-CL-1", "2006", "10 March"):
        assert personal not in html
    assert "Staying put" in html and "How to get it" in html


def test_the_pack_lists_only_what_applies_and_names_what_to_ask_about_apart(
    engine, settings, people, published
):
    from bot.personal import profile_of
    from entitlements.eligibility import evaluate

    today = NOW.date()
    entries = published.by_id()
    for ref in ("T-CL-1", "T-CL-3"):
        person = who(engine, people[ref]).person
        view = service.view_for_staff(engine, people[ref], utc(NOW))
        assert view is not None and view.items
        profile = profile_of(person, today)
        for item in view.items:
            assert evaluate(entries[item.id], profile, today).applies == "yes"
        unknown = {
            e.title for e in entries.values() if evaluate(e, profile, today).applies == "unknown"
        }
        assert set(view.ask) == unknown
        assert not unknown & {item.title for item in view.items}
    assert view.ask  # Testy Corrin's record says nothing of foster care at 18, say
    view = service.view_for_staff(engine, people["T-CL-1"], utc(NOW))
    assert view is not None
    staying = next(item for item in view.items if item.id == "staying-put")
    assert staying.until == "You can get this until your 21st birthday."


def test_a_number_that_sent_stop_gets_no_pack_and_the_pack_says_why(engine, settings, people):
    SmsQueue(engine, settings).opt_out(ASH)
    result = send(engine, settings, people["T-CL-1"])
    assert not result.sent and result.not_sent_reason == "opted_out"
    assert texts_to(engine, ASH) == []
    [row] = pack_rows(engine, people["T-CL-1"])
    assert row.sent_at is None and row.not_sent_reason == "opted_out"
    no_mobile = send(engine, settings, people["T-CL-3"])
    assert no_mobile.not_sent_reason == "no_mobile"


def test_yes_acknowledges_the_waiting_packs_once_and_only_from_its_number(engine, settings, people):
    assert not service.acknowledge(engine, ASH, utc(NOW))  # nothing waiting
    send(engine, settings, people["T-CL-1"])
    send(engine, settings, people["T-CL-1"], reason="resend")
    assert not service.acknowledge(engine, BRACK, utc(NOW))  # someone else's number
    assert not service.acknowledge(engine, "+447700900399", utc(NOW))  # not on record
    assert service.acknowledge(engine, ASH, utc(NOW) + dt.timedelta(hours=2))
    assert not service.acknowledge(engine, ASH, utc(NOW) + dt.timedelta(hours=3))
    rows = pack_rows(engine, people["T-CL-1"])
    assert [r.acknowledged_at for r in rows] == [utc(NOW) + dt.timedelta(hours=2)] * 2


def test_an_expired_pack_is_not_acknowledged(engine, settings, people):
    send(engine, settings, people["T-CL-1"])
    assert not service.acknowledge(engine, ASH, utc(NOW) + dt.timedelta(days=31))


def test_send_packs_sends_first_packs_once_with_progress_and_a_summary(engine, settings, people):
    calls: list[tuple[int, int]] = []
    dry = service.send_first_packs(engine, settings, utc(NOW), dry_run=True)
    assert (dry.sent, dry.not_sent) == (2, {"no_mobile": 1})
    assert pack_rows(engine, people["T-CL-1"]) == []
    east = service.send_first_packs(
        engine, settings, utc(NOW), district="East", progress=lambda d, t: calls.append((d, t)),
        every=1,
    )  # fmt: skip
    assert (east.considered, east.sent, east.not_sent) == (2, 1, {"no_mobile": 1})
    assert calls == [(1, 2), (2, 2)]
    everyone = service.send_first_packs(engine, settings, utc(NOW))
    assert (everyone.already_had_one, everyone.sent) == (1, 1)
    again = service.send_first_packs(engine, settings, utc(NOW))
    assert (again.already_had_one, again.sent) == (2, 0)
    assert len(texts_to(engine, ASH)) == 1 and len(texts_to(engine, BRACK)) == 1
    assert "Packs sent: 0" in again.lines(False)


def test_two_send_packs_runs_at_once_text_nobody_twice(engine, settings, people, monkeypatch):
    """The second run read who had a pack before the first sent any: it sends nothing."""
    first = service.send_first_packs(engine, settings, utc(NOW))
    assert first.sent == 2
    monkeypatch.setattr(service, "had_a_pack", lambda _engine: set())
    second = service.send_first_packs(engine, settings, utc(NOW))
    assert (second.sent, second.already_had_one, second.not_sent) == (0, 2, {"no_mobile": 1})
    assert len(texts_to(engine, ASH)) == 1 and len(texts_to(engine, BRACK)) == 1
    sent = [r for r in pack_rows(engine, people["T-CL-1"]) if r.sent_at is not None]
    assert len(sent) == 1


def test_a_first_pack_not_sent_for_want_of_a_mobile_is_sent_once_one_is_known(
    engine, settings, people
):
    service.send_first_packs(engine, settings, utc(NOW))
    nobody = [who for who in service.recipients(engine) if not who.mobile]  # the one with no mobile
    assert len(nobody) == 1
    with engine.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.id == nobody[0].person.id)
            .values(mobile="+447700900555")
        )
    later = service.send_first_packs(engine, settings, utc(NOW))
    assert (later.sent, later.already_had_one) == (1, 2)
    assert len(texts_to(engine, "+447700900555")) == 1


# ---- offered again ---------------------------------------------------------------------------


def test_a_birthday_that_changes_entitlements_offers_a_new_pack_once(engine, settings, people):
    # Testy Brackley turns 19 on 1 June 2027: not one of 18, 21, 25; Ashdown turns 21
    # on 10 March 2027.
    send(engine, settings, people["T-CL-1"])
    send(engine, settings, people["T-CL-2"])
    before = utc(dt.datetime(2027, 3, 9, 12, tzinfo=LONDON))
    assert offers.offer_again(engine, settings, before) == 0
    on_the_day = dt.datetime(2027, 3, 10, 9, 30, tzinfo=LONDON)
    assert offers.offer_again(engine, settings, on_the_day) == 1
    for later in (on_the_day + dt.timedelta(hours=1), on_the_day + dt.timedelta(days=40)):
        assert offers.offer_again(engine, settings, later) == 0
    rows = pack_rows(engine, people["T-CL-1"])
    assert [r.reason for r in rows] == ["first", "birthday_21"]
    assert len(texts_to(engine, ASH)) == 2
    assert [r.reason for r in pack_rows(engine, people["T-CL-2"])] == ["first"]


def test_a_first_pack_made_after_the_birthday_is_not_offered_again_for_it(engine, settings, people):
    send(engine, settings, people["T-CL-1"], now=dt.datetime(2027, 3, 11, 10, tzinfo=LONDON))
    assert offers.offer_again(engine, settings, dt.datetime(2027, 3, 12, 10, tzinfo=LONDON)) == 0


def test_a_content_change_that_affects_someone_offers_a_new_pack_once_per_revision(
    engine, settings, people, published
):
    send(engine, settings, people["T-CL-1"])
    send(engine, settings, people["T-CL-2"])
    entries = published.by_id()
    # A change to something only Brackley gets: Ashdown's pack is still right.
    bursary = entries["higher-education-bursary"]
    changed = dataclasses.replace(bursary, summary=bursary.summary + " Ask your PA how.")
    publish_entries(
        engine,
        [changed, *(e for e in entries.values() if e.id != bursary.id)],
        origin="test",
        now=utcnow(),
    )
    later = NOW + dt.timedelta(days=1)
    assert offers.offer_again(engine, settings, later) == 1
    assert offers.offer_again(engine, settings, later + dt.timedelta(hours=1)) == 0
    assert [r.reason for r in pack_rows(engine, people["T-CL-2"])] == ["first", "content_change"]
    assert [r.reason for r in pack_rows(engine, people["T-CL-1"])] == ["first"]
    revision = read_published(engine).revision
    assert pack_rows(engine, people["T-CL-2"])[-1].offer_key == f"content:{revision}"
    # The new pack shows the new words.
    token = token_from(texts_to(engine, BRACK)[-1].body)
    view = service.open_pack(engine, token, utc(later))
    assert view is not None
    assert next(i for i in view.items if i.id == bursary.id).summary.endswith("Ask your PA how.")


def test_the_pack_round_runs_once_per_period_and_only_in_the_day(engine, settings, people):
    send(engine, settings, people["T-CL-1"])
    night = dt.datetime(2027, 3, 10, 3, 0, tzinfo=LONDON)
    assert offers.run_due(engine, settings, night) == 0
    with engine.connect() as conn:
        assert conn.execute(sa.select(job_runs)).first() is None
    morning = dt.datetime(2027, 3, 10, 9, 5, tzinfo=LONDON)
    assert offers.run_due(engine, settings, morning) >= 1  # the 21st-birthday pack
    texts = len(texts_to(engine, ASH))
    assert offers.run_due(engine, settings, morning + dt.timedelta(minutes=30)) == 0
    assert offers.run_due(engine, settings, morning + dt.timedelta(minutes=61)) == 0
    assert len(texts_to(engine, ASH)) == texts


def test_two_schedulers_at_once_claim_the_round_once(engine, settings, people):
    moment = utc(NOW)
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        results.append(offers.claim(engine, "test-job", moment, dt.timedelta(hours=1)))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


# ---- nudges ----------------------------------------------------------------------------------


def test_in_words():
    assert [nudges.in_words(d) for d in (0, 1, 5, 14, 20, 59, 60, 75)] == [
        "today", "tomorrow", "in 5 days", "in 2 weeks", "in 2 weeks", "in 8 weeks",
        "in 2 months", "in 2 months",
    ]  # fmt: skip


def review_texts(engine, number):
    return [t.body for t in texts_to(engine, number) if "pathway plan review" in t.body]


def run_nudges(engine, settings, when):
    return nudges.send_due(
        engine, settings, service.recipients(engine), read_published(engine), utc(when),
        when.date(),
    )  # fmt: skip


def test_a_review_nudge_goes_once_to_the_young_person_and_their_pa_at_the_right_time(
    engine, settings, people
):
    # Testy Ashdown's review is on 29 January 2027: NUDGE_REVIEW_DAYS (14) before is 15 January.
    run_nudges(engine, settings, NOW - dt.timedelta(days=1))
    assert review_texts(engine, ASH) == []
    run_nudges(engine, settings, NOW)
    [to_young_person] = review_texts(engine, ASH)
    assert to_young_person.startswith("Your pathway plan review is on 29 January 2027, in 2 weeks.")
    [to_adviser] = [b for b in review_texts(engine, PA) if "T-CL-1" in b]
    assert "Testy" not in to_adviser and "Ashdown" not in to_adviser
    for later in (NOW + dt.timedelta(hours=1), NOW + dt.timedelta(days=3)):
        run_nudges(engine, settings, later)
    assert len(review_texts(engine, ASH)) == 1
    assert len([b for b in review_texts(engine, PA) if "T-CL-1" in b]) == 1
    rows = [r for r in nudges.sent_nudges(engine, people["T-CL-1"]) if r.kind == "review"]
    assert [(r.about_date, r.young_person_status, r.adviser_status) for r in rows] == [
        (dt.date(2027, 1, 29), "queued", "queued")
    ]


def test_no_review_nudge_after_the_review_date(engine, settings, people):
    run_nudges(engine, settings, dt.datetime(2027, 1, 30, 10, tzinfo=LONDON))
    assert review_texts(engine, ASH) == []


def test_a_nudge_is_never_sent_after_stop_and_is_recorded_as_not_sent(engine, settings, people):
    SmsQueue(engine, settings).opt_out(ASH)
    run_nudges(engine, settings, NOW)
    run_nudges(engine, settings, NOW + dt.timedelta(days=1))
    assert texts_to(engine, ASH) == []
    rows = nudges.sent_nudges(engine, people["T-CL-1"])
    assert rows and all(
        (r.young_person_status, r.young_person_reason) == ("not_sent", "opted_out") for r in rows
    )
    assert review_texts(engine, PA)  # their PA still hears


def test_an_age_limit_nudge_names_the_birthday_from_the_knowledge_base(engine, settings, people):
    # Staying Put ends at 21 (below_age 21): Ashdown turns 21 on 10 March 2027.
    early = dt.datetime(2027, 1, 8, 10, tzinfo=LONDON)  # 61 days before
    run_nudges(engine, settings, early)
    assert not [t for t in texts_to(engine, ASH) if "21st birthday" in t.body]
    run_nudges(engine, settings, NOW)  # 54 days before
    [text] = [t.body for t in texts_to(engine, ASH) if "21st birthday" in t.body]
    # The month, never the day or "in 7 weeks": either gives the date of birth away.
    assert text.startswith("Staying put: you can get this until your 21st birthday in March 2027.")
    assert "10" not in text and "week" not in text
    assert "£" not in text
    run_nudges(engine, settings, NOW + dt.timedelta(days=7))
    assert len([t for t in texts_to(engine, ASH) if "21st birthday" in t.body]) == 1
    [row] = [r for r in nudges.sent_nudges(engine, people["T-CL-1"]) if r.kind == "age_limit"]
    assert row.about_date == dt.date(2027, 3, 10) and "staying-put" in row.detail.split(",")


def test_two_schedulers_send_a_nudge_once(engine, settings, people):
    barrier = threading.Barrier(3)

    def run() -> None:
        barrier.wait()
        run_nudges(engine, settings, NOW)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(review_texts(engine, ASH)) == 1
    with engine.connect() as conn:
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(nudges_table)
            .where(
                nudges_table.c.care_leaver_id == people["T-CL-1"], nudges_table.c.kind == "review"
            )
        ).scalar()
    assert count == 1


# ---- coverage ------------------------------------------------------------------------------


def test_pack_coverage_counts_by_district_and_lists_who_has_none(engine, settings, people):
    send(engine, settings, people["T-CL-1"])
    send(engine, settings, people["T-CL-2"], now=NOW + dt.timedelta(days=2))
    service.acknowledge(engine, ASH, utc(NOW) + dt.timedelta(days=1))
    first_week = pack_coverage(engine, utc(NOW) + dt.timedelta(days=1, hours=1))
    assert first_week["council"].care_leavers == 3
    assert (first_week["council"].sent, first_week["council"].acknowledged) == (1, 1)
    assert first_week["council"].without_pack == (people["T-CL-2"], people["T-CL-3"])
    assert (first_week["North"].care_leavers, first_week["North"].sent) == (1, 1)
    assert first_week["East"].without_pack == (people["T-CL-2"], people["T-CL-3"])
    later = pack_coverage(engine, utc(NOW) + dt.timedelta(days=3))
    assert later["East"].sent == 1 and later["East"].without_pack == (people["T-CL-3"],)
    assert list(later) == ["council", "East", "North"]


# ---- the command and the settings ------------------------------------------------------------


@pytest.fixture
def cli(settings, monkeypatch):
    from bot.__main__ import main
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VAR_DIR", str(settings.var_dir))
    monkeypatch.delenv("DISTRICTS", raising=False)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield main
    get_settings.cache_clear()


def test_the_send_packs_command(engine, people, cli, capsys):
    assert cli(["send-packs", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing was sent or recorded." in out
    assert "Packs would be sent: 2" in out and "no mobile number on record): 1" in out
    assert pack_rows(engine, people["T-CL-1"]) == []
    assert cli(["send-packs", "--district", "Nowhere"]) == 1
    assert "'Nowhere' is not a district" in capsys.readouterr().err
    assert cli(["send-packs", "--district", "North", "--every", "1"]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 care leavers done" in out and "Packs sent: 1" in out
    assert cli(["send-packs", "--every", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 of 3 care leavers done" in out and "3 of 3 care leavers done" in out
    assert "Already had a pack: 1" in out and "Packs sent: 1" in out
    assert len(texts_to(engine, ASH)) == 1 and len(texts_to(engine, BRACK)) == 1
    assert cli(["send-packs", "--every", "0"]) == 2


def test_the_pack_and_nudge_settings():
    from bot.settings import Settings, SettingsError

    defaults = Settings.from_env({})
    assert (defaults.pack_expiry_days, defaults.pack_round_minutes) == (30, 60)
    assert (defaults.nudge_review_days, defaults.nudge_age_limit_days) == (14, 60)
    chosen = Settings.from_env(
        {"PACK_EXPIRY_DAYS": "7", "PACK_ROUND_MINUTES": "15", "NUDGE_REVIEW_DAYS": "21",
         "NUDGE_AGE_LIMIT_DAYS": "90"}
    )  # fmt: skip
    assert (chosen.pack_expiry_days, chosen.pack_round_minutes) == (7, 15)
    assert (chosen.nudge_review_days, chosen.nudge_age_limit_days) == (21, 90)
    with pytest.raises(SettingsError, match="PACK_EXPIRY_DAYS must be at least 1"):
        Settings.from_env({"PACK_EXPIRY_DAYS": "0"})


def test_the_expiry_setting_is_what_a_pack_gets(engine, settings, people):
    short = dataclasses.replace(settings, pack_expiry_days=2)
    send(engine, short, people["T-CL-1"])
    [row] = pack_rows(engine, people["T-CL-1"])
    assert row.expires_at == utc(NOW) + dt.timedelta(days=2)


def test_the_oversight_round_sends_the_due_nudges(engine, settings, people):
    from bot.jobs import scheduler

    scheduler.run_round(engine, settings, NOW)
    assert len(review_texts(engine, ASH)) == 1
    scheduler.run_round(engine, settings, NOW + dt.timedelta(hours=2))
    assert len(review_texts(engine, ASH)) == 1


def test_tokens_are_cut_out_of_the_access_log():
    import logging

    from bot.channels.pack import HideTokens

    token = service.new_token()
    record = logging.LogRecord("sanic.access", logging.INFO, "", 0, "", (), None)
    record.request = f"GET http://127.0.0.1:5005/pack/{token}"
    assert HideTokens().filter(record)
    assert token not in record.request and record.request.endswith("/pack/...")
    record.request = "GET http://127.0.0.1:5005/pack/pack.css"
    HideTokens().filter(record)
    assert record.request.endswith("/pack/pack.css")
