"""Safety alerts: a safety event that a person must acknowledge, escalated if nobody does.

When the safety net records a safety event (:func:`bot.records.record_safety_event`),
:func:`raise_alert` makes an alert for it and says who to tell at once: the young
person's PA (if they have one and are on record) and the district's duty workers;
if that is nobody, the district's team manager. The alert then waits for a person
to acknowledge it. :func:`escalate_unacknowledged` (run by the scheduler) sends an
alert nobody acknowledged within 15 minutes to the district's team manager, once.

An alert has a priority (``PRIORITIES``): ``urgent`` for a crisis (as above);
``check_in`` for possible risk (distress without a clear statement of risk: the PA is
told, or the duty workers when there is no PA, and the team manager after 4 hours);
``undelivered`` when the crisis reply could not reach the young person (the PA, the
duty workers and the team manager are all told at once).

The waits are clock time, not working time: risk does not keep office hours.
Every step (raised, acknowledged, escalated) is kept in ``safety_alert_events``
with who and when.

So that a flood of messages cannot flood the staff's phones (issue 15), alerts are
limited, never the young person's reply (the safety net has sent it before any of this):

- **one open alert per conversation**: a later message that shows risk, in a
  conversation whose alert nobody has acknowledged yet, is recorded (its safety event)
  and added to that alert (``message added`` in its history, with its words), and
  nobody is texted again; once the alert is acknowledged, the next one raises a new
  alert. A message of a higher priority than the open alert (a crisis after a check-in,
  an undelivered crisis reply) still raises its own;
- **a cap per internet address per hour** for people not on record (the web chat's
  anonymous conversations: ``SAFETY_ALERTS_PER_ADDRESS_PER_HOUR``, 3): past it, a new
  conversation's event is added to the address's latest open alert; if that was
  acknowledged, a new alert is raised without texting anyone (it is in the console and
  escalates as any other). The address is kept only as a keyed hash in
  ``address_counts``, for two hours.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.address_limits import count_hit, remember_alert
from bot.cases import history, staff
from bot.cases.model import (
    SYSTEM,
    Actor,
    Event,
    MissingDistrictError,
    NotFoundError,
    SafetyAlert,
    StaffRef,
    TransitionError,
    alert_from_row,
)
from bot.store.tables.cases import safety_alerts

ESCALATE_AFTER = dt.timedelta(minutes=15)
"""How long an alert may wait for an acknowledgement before it goes to the team manager."""
CHECK_IN_ESCALATE_AFTER = dt.timedelta(hours=4)
"""How long a possible-risk check-in may wait before it goes to the team manager."""

URGENT = "urgent"
CHECK_IN = "check_in"
UNDELIVERED = "undelivered"
PRIORITIES = (URGENT, CHECK_IN, UNDELIVERED)
RANK = {CHECK_IN: 1, URGENT: 2, UNDELIVERED: 3}
"""An open alert takes in later events of its priority or lower."""
ADDRESS_WINDOW_SECONDS = 3600
ADDED = "message added"


@dataclasses.dataclass(frozen=True)
class RaisedAlert:
    """What :func:`raise_alert` did.

    Attributes:
        alert: The alert.
        notify: Who to tell now (PA and duty workers, or the team manager).
        new: False when the safety event already had an alert (nothing was written),
            or was added to an open one (``added``).
        added: The safety event was added to this open alert: nobody is told again.

    """

    alert: SafetyAlert
    notify: tuple[StaffRef, ...]
    new: bool
    added: bool = False


@dataclasses.dataclass(frozen=True)
class AlertEscalation:
    """An alert escalated by :func:`escalate_unacknowledged`.

    Attributes:
        alert: The alert, as it is after the escalation.
        manager: The team manager it went to; ``None`` if the district has none.

    """

    alert: SafetyAlert
    manager: StaffRef | None


def _read(conn: Connection, alert_id: int) -> SafetyAlert:
    row = conn.execute(sa.select(safety_alerts).where(safety_alerts.c.id == alert_id)).first()
    if row is None:
        raise NotFoundError(f"no safety alert with id {alert_id}")
    return alert_from_row(row)


def _for_event(conn: Connection, safety_event_id: int) -> SafetyAlert | None:
    row = conn.execute(
        sa.select(safety_alerts).where(safety_alerts.c.safety_event_id == safety_event_id)
    ).first()
    return alert_from_row(row) if row is not None else None


def _recipients(
    conn: Connection, adviser_id: int | None, district: str, priority: str = URGENT
) -> list[StaffRef]:
    people: list[StaffRef] = []
    pa = staff.adviser(conn, adviser_id)
    if pa is not None:
        people.append(pa)
    if priority != CHECK_IN or not people:
        people.extend(
            p for p in staff.in_role(conn, staff.DUTY_WORKER, district) if p not in people
        )
    manager = staff.team_manager(conn, district)
    if manager is not None and manager not in people and (priority == UNDELIVERED or not people):
        people.append(manager)
    return people


def _open_alert(
    conn: Connection,
    priority: str,
    *,
    conversation_id: str | None = None,
    alert_id: int | None = None,
) -> SafetyAlert | None:
    """The newest unacknowledged alert (of a conversation, or by id) that takes ``priority``."""
    query = sa.select(safety_alerts).where(safety_alerts.c.acknowledged_at.is_(None))
    if conversation_id is not None:
        query = query.where(safety_alerts.c.conversation_id == conversation_id[:255])
    if alert_id is not None:
        query = query.where(safety_alerts.c.id == alert_id)
    for row in conn.execute(query.order_by(safety_alerts.c.id.desc())).all():
        if RANK.get(row.priority, 0) >= RANK.get(priority, 0):
            return alert_from_row(row)
    return None


def _add_to(
    conn: Connection,
    alert: SafetyAlert,
    *,
    now: dt.datetime,
    safety_event_id: int,
    conversation_id: str,
    priority: str,
    why: str,
) -> RaisedAlert:
    """Add a safety event to an open alert: recorded in its history, nobody texted."""
    detail: dict[str, object] = {
        "safety_event_id": safety_event_id,
        "priority": priority,
        "note": why,
    }
    if conversation_id != alert.conversation_id:
        detail["conversation_id"] = conversation_id
    history.append(conn, "alert", alert.id, at=now, actor=SYSTEM, action=ADDED, detail=detail)
    return RaisedAlert(alert=_read(conn, alert.id), notify=(), new=False, added=True)


def raise_alert(
    engine: Engine,
    *,
    conversation_id: str,
    now: dt.datetime,
    safety_event_id: int | None = None,
    care_leaver_id: int | None = None,
    district: str | None = None,
    priority: str = URGENT,
    address_key: str | None = None,
    per_address_per_hour: int = 0,
) -> RaisedAlert:
    """Raise an alert for a safety event, and say who to tell.

    Args:
        engine: The project's database.
        conversation_id: The conversation the event happened in.
        now: When (aware).
        safety_event_id: The ``safety_events`` row; one alert per event (raising it
            again returns the first).
        care_leaver_id: The young person, if the conversation is linked to a record.
        district: Where the alert goes; by default the young person's district
            (needed when nobody is on record).
        priority: One of :data:`PRIORITIES` (who is told, and how soon it escalates).
        address_key: A keyed hash of the internet address the message came from (web
            chat), for the cap per address; None when there is none (SMS).
        per_address_per_hour: Alerts an address may raise an hour for people not on
            record before the rest are added to its open alert (0: no cap).

    Returns:
        The alert and who to notify (nobody, when the event was added to an open alert).

    Raises:
        MissingDistrictError: No care leaver and no district.
        NotFoundError: No such care leaver.

    """
    try:
        with engine.begin() as conn:
            if safety_event_id is None:
                return _insert(conn, conversation_id, now, None, care_leaver_id, district, priority)
            existing = _for_event(conn, safety_event_id)
            if existing is not None:
                return RaisedAlert(alert=existing, notify=(), new=False)
            add = functools.partial(
                _add_to,
                conn,
                now=now,
                safety_event_id=safety_event_id,
                conversation_id=conversation_id,
                priority=priority,
            )
            open_here = _open_alert(conn, priority, conversation_id=conversation_id)
            if open_here is not None:
                return add(
                    open_here,
                    why="Another message showing risk in this conversation, while this alert "
                    "waits to be acknowledged: nobody was texted again",
                )
            capped = care_leaver_id is None and address_key and per_address_per_hour > 0
            quiet = False
            if capped and address_key:
                hits, flood = count_hit(
                    conn, "alert", address_key, ADDRESS_WINDOW_SECONDS, now.timestamp()
                )
                if hits > per_address_per_hour:
                    open_there = flood and _open_alert(conn, priority, alert_id=flood)
                    if open_there:
                        return add(
                            open_there,
                            why=f"More than {per_address_per_hour} alerts from one internet "
                            "address this hour: this message, from another chat at that "
                            "address, was added here and nobody was texted again",
                        )
                    quiet = True
            raised = _insert(
                conn,
                conversation_id,
                now,
                safety_event_id,
                care_leaver_id,
                district,
                priority,
                quiet=quiet,
            )
            if capped and address_key:
                remember_alert(
                    conn, address_key, ADDRESS_WINDOW_SECONDS, now.timestamp(), raised.alert.id
                )
            return raised
    except IntegrityError:
        # The same event raised at the same moment by another process: theirs stands.
        if safety_event_id is None:
            raise
        with engine.connect() as conn:
            found = _for_event(conn, safety_event_id)
        if found is None:
            raise
        return RaisedAlert(alert=found, notify=(), new=False)


def _insert(
    conn: Connection,
    conversation_id: str,
    now: dt.datetime,
    safety_event_id: int | None,
    care_leaver_id: int | None,
    district: str | None,
    priority: str = URGENT,
    *,
    quiet: bool = False,
) -> RaisedAlert:
    if priority not in PRIORITIES:
        raise ValueError(f"unknown alert priority {priority!r}: one of {', '.join(PRIORITIES)}")
    adviser_id: int | None = None
    if care_leaver_id is not None:
        adviser_id, home_district = staff.young_person(conn, care_leaver_id)
        district = district or home_district
    if not district:
        raise MissingDistrictError(
            "a safety alert for someone not on record needs a district to go to"
        )
    notify = [] if quiet else _recipients(conn, adviser_id, district, priority)
    inserted = conn.execute(
        safety_alerts.insert().values(
            safety_event_id=safety_event_id,
            conversation_id=conversation_id[:255],
            care_leaver_id=care_leaver_id,
            adviser_id=adviser_id,
            district=district,
            raised_at=now,
            priority=priority,
        )
    )
    alert_id = int(inserted.inserted_primary_key[0])
    history.append(
        conn,
        "alert",
        alert_id,
        at=now,
        actor=SYSTEM,
        action="raised",
        detail={
            "safety_event_id": safety_event_id,
            "district": district,
            "priority": priority,
            "notified": [{"id": p.id, "name": p.name, "role": p.role} for p in notify],
            **(
                {
                    "note": "Nobody was texted: too many alerts from one internet address "
                    "this hour. Check it in the console."
                }
                if quiet
                else {}
            ),
        },
    )
    return RaisedAlert(alert=_read(conn, alert_id), notify=tuple(notify), new=True)


def acknowledge_alert(engine: Engine, alert_id: int, *, by: int, now: dt.datetime) -> SafetyAlert:
    """A member of staff acknowledges an alert: they have it in hand.

    Args:
        engine: The project's database.
        alert_id: The alert.
        by: The member of staff (``staff.id``).
        now: When (aware).

    Returns:
        The alert as it is now.

    Raises:
        NotFoundError: No such alert, or no such member of staff.
        TransitionError: It was already acknowledged (by whom and when is said).

    """
    with engine.begin() as conn:
        person = staff.staff_member(conn, by)
        changed = conn.execute(
            safety_alerts.update()
            .where(safety_alerts.c.id == alert_id, safety_alerts.c.acknowledged_at.is_(None))
            .values(acknowledged_at=now, acknowledged_by=by)
        )
        if changed.rowcount != 1:
            current = _read(conn, alert_id)
            who = (
                staff.staff_member(conn, current.acknowledged_by).name
                if current.acknowledged_by is not None
                else "someone"
            )
            when = current.acknowledged_at.isoformat() if current.acknowledged_at else "earlier"
            raise TransitionError(
                f"safety alert {alert_id} was already acknowledged by {who} at {when}"
            )
        history.append(
            conn,
            "alert",
            alert_id,
            at=now,
            actor=Actor.staff(by),
            action="acknowledged",
            detail={"name": person.name, "role": person.role},
        )
        return _read(conn, alert_id)


def escalate_unacknowledged(
    engine: Engine,
    now: dt.datetime,
    after: dt.timedelta = ESCALATE_AFTER,
    check_in_after: dt.timedelta = CHECK_IN_ESCALATE_AFTER,
) -> list[AlertEscalation]:
    """Send alerts nobody acknowledged in time to their district's team manager.

    Each alert is escalated once at most, even if this runs in two processes at
    once (a conditional update marks it; only the one that took it records it).

    Args:
        engine: The project's database.
        now: The time to judge by (aware).
        after: How long an urgent alert may wait (15 minutes by default).
        check_in_after: How long a check-in may wait (4 hours by default).

    Returns:
        The alerts escalated by this call, with the manager each went to.

    """
    cutoff = now - after
    check_in_cutoff = now - check_in_after
    with engine.connect() as conn:
        waiting = conn.execute(
            sa.select(safety_alerts)
            .where(
                safety_alerts.c.acknowledged_at.is_(None),
                safety_alerts.c.escalated_at.is_(None),
                sa.or_(
                    sa.and_(
                        safety_alerts.c.priority != CHECK_IN,
                        safety_alerts.c.raised_at <= cutoff,
                    ),
                    sa.and_(
                        safety_alerts.c.priority == CHECK_IN,
                        safety_alerts.c.raised_at <= check_in_cutoff,
                    ),
                ),
            )
            .order_by(safety_alerts.c.raised_at, safety_alerts.c.id)
        ).all()
    escalated: list[AlertEscalation] = []
    for row in waiting:
        with engine.begin() as conn:
            manager = staff.team_manager(conn, row.district)
            taken = conn.execute(
                safety_alerts.update()
                .where(
                    safety_alerts.c.id == row.id,
                    safety_alerts.c.acknowledged_at.is_(None),
                    safety_alerts.c.escalated_at.is_(None),
                )
                .values(escalated_at=now, escalated_to=manager.id if manager else None)
            )
            if taken.rowcount != 1:
                continue
            history.append(
                conn,
                "alert",
                row.id,
                at=now,
                actor=SYSTEM,
                action="escalated",
                detail={
                    "after_minutes": (
                        check_in_after if row.priority == CHECK_IN else after
                    ).total_seconds()
                    / 60,
                    "district": row.district,
                    "team_manager_id": manager.id if manager else None,
                    "team_manager": manager.name if manager else None,
                },
            )
            escalated.append(AlertEscalation(alert=_read(conn, row.id), manager=manager))
    return escalated


def unacknowledged(engine: Engine, district: str | None = None) -> list[SafetyAlert]:
    """Alerts nobody has acknowledged yet, oldest first (for the manager view)."""
    query = sa.select(safety_alerts).where(safety_alerts.c.acknowledged_at.is_(None))
    if district is not None:
        query = query.where(safety_alerts.c.district == district)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(safety_alerts.c.raised_at, safety_alerts.c.id)).all()
    return [alert_from_row(row) for row in rows]


def alert_history(engine: Engine, alert_id: int) -> list[Event]:
    """Every step of an alert, oldest first: who, what, when."""
    return history.history(engine, "alert", alert_id)
