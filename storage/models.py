"""SQLModel tables. Every answer and every conversation position lives here, so a restart loses nothing.

Datetimes are timezone-aware UTC (SQLModel's UTCDateTime: portable across SQLite and PostgreSQL). Health data and
free text are stored encrypted (`storage.crypto`: the Encrypted* column types; the database holds only tokens, so
no SQL filters on them, and their lengths are checked in Python, not by the column).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedBytes, EncryptedInt, EncryptedJSON, EncryptedText


class Coach(SQLModel, table=True):
    """A reintegration specialist. Registered when they open their deep link."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True, nullable=True))
    language: str = Field(default="nl", max_length=2)
    timezone: str = Field(default="Europe/Amsterdam", max_length=64)
    digest_weekday: int = Field(default=0)  # 0 = Monday
    digest_time: time = Field(default=time(8, 0))
    created_at: datetime
    registered_at: datetime | None = None
    agency: str | None = Field(default=None, max_length=160)  # the reintegration agency named in reports
    is_admin: bool = False  # an agency administrator: manages the agency's coaches and contacts from the chat
    deactivated_at: datetime | None = None  # access ended by an administrator; their clients await a new coach


class Employer(SQLModel, table=True):
    """The employee's (own) employer, who carries the poortwachter obligations."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160, unique=True)
    created_at: datetime


class Employee(SQLModel, table=True):
    """An employee in a Track 2 trajectory, enrolled by a coach."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    coach_id: int = Field(foreign_key="coach.id", index=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True, nullable=True))
    language: str = Field(default="nl", max_length=2)
    timezone: str = Field(default="Europe/Amsterdam", max_length=64)
    checkin_weekday: int = Field(default=4)  # 0 = Monday ... 6 = Sunday (ISO weekday - 1)
    checkin_time: time = Field(default=time(10, 0))
    first_sick_day: date
    track2_start: date
    phase: str = Field(default="intake", max_length=20)
    status: str = Field(default="invited", max_length=20)  # invited | active | closed
    created_at: datetime
    registered_at: datetime | None = None
    unreachable_at: datetime | None = None  # Telegram said 403: blocked the bot or deactivated
    values: list[str] | None = Field(default=None, sa_column=Column(EncryptedJSON, nullable=True))  # what matters
    share_reflections: bool = False  # the employee's consent to show ACT reflections to the coach
    pinned_process: str | None = Field(default=None, max_length=20)  # an ACT process the coach pinned
    # entered by the coach (elfproef), only in report headers
    bsn: str | None = Field(default=None, max_length=9, sa_type=EncryptedText)
    # why Track 2 started late (coach)
    track2_late_reason: str | None = Field(default=None, max_length=1000, sa_type=EncryptedText)
    outcome: str | None = Field(default=None, max_length=30)  # placed | too_few_possibilities (bot.rules.report)
    # the coach's substantiated conclusion
    outcome_text: str | None = Field(default=None, max_length=3000, sa_type=EncryptedText)
    outcome_on: date | None = None
    closed_at: datetime | None = None  # when the trajectory was closed (retention runs from here); None while open


class Invite(SQLModel, table=True):
    """A single-use deep-link token. Only its SHA-256 hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=20)  # coach | employee
    coach_id: int | None = Field(default=None, foreign_key="coach.id")
    employee_id: int | None = Field(default=None, foreign_key="employee.id", index=True)
    employer_contact_id: int | None = Field(default=None, foreign_key="employercontact.id")
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class CheckIn(SQLModel, table=True):
    """One employee's check-in for one ISO week; saved answer by answer."""

    __table_args__ = (UniqueConstraint("employee_id", "iso_year", "iso_week", name="uq_checkin_employee_week"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    iso_year: int
    iso_week: int
    applications: int | None = None
    interviews: int | None = None
    networking: int | None = None
    activities: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    energy: int | None = Field(default=None, sa_type=EncryptedInt)
    note: str | None = Field(default=None, max_length=2000, sa_type=EncryptedText)
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    missed_at: datetime | None = None  # no check-in by the end of the check-in period
    # the week fell in a pause: not counted
    paused_reason: str | None = Field(default=None, max_length=20, sa_type=EncryptedText)
    act_prompt_id: str | None = Field(default=None, max_length=40)  # the week's ACT reflection prompt
    act_process: str | None = Field(default=None, max_length=20)
    reflection: str | None = Field(default=None, max_length=2000, sa_type=EncryptedText)
    reflection_skipped: bool = False
    # the small committed step for next week
    next_step: str | None = Field(default=None, max_length=500, sa_type=EncryptedText)
    step_result: str | None = Field(default=None, max_length=10)  # last week's step: done | partly | not
    track1_hours: int | None = None  # hours worked at the own employer this week (asked while Track 1 runs)


class Pause(SQLModel, table=True):
    """No prompts from `start` to `until` (inclusive, local dates). The reason is a category, never medical."""

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    start: date
    until: date
    reason: str = Field(max_length=20, sa_type=EncryptedText)  # holiday | treatment | other
    created_at: datetime
    ended_at: datetime | None = None  # ended early by the employee


class Outbox(SQLModel, table=True):
    """A message the bot must send: written first, sent by the delivery worker, never twice for one key.

    The rows of one chat go out one after another in queue order (`id`): a sender claims only the oldest pending
    row of a chat (`claimed_by`, a lease until `claimed_until`, wall-clock time, renewed while it is being sent),
    and the next row of that chat can be claimed once that one is sent or given up.
    """

    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_chat", "chat_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=30)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    employee_id: int | None = Field(default=None, foreign_key="employee.id", index=True)
    iso_year: int | None = None
    iso_week: int | None = None
    text: str = Field(sa_type=EncryptedText)
    reply_markup: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    attachment: bytes | None = Field(default=None, sa_column=Column(EncryptedBytes, nullable=True))  # image or file
    attachment_name: str | None = Field(default=None, max_length=120)
    attachment_kind: str | None = Field(default=None, max_length=10)  # photo | document
    timezone: str = Field(default="Europe/Amsterdam", max_length=64)  # the recipient's, for quiet hours
    status: str = Field(default="pending", max_length=12)  # pending | sent | failed | cancelled
    attempts: int = 0
    not_before: datetime
    created_at: datetime
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=300)
    telegram_message_id: int | None = None
    claimed_by: str | None = Field(default=None, max_length=40)  # the sender (one Delivery) sending it now
    # pending: its lease (after this a crashed sender's row may be taken over); sent: when its chat may get the next
    claimed_until: datetime | None = None


class Dialog(SQLModel, table=True):
    """Where a Telegram user is in a multi-step conversation (check-in, invite, onboarding...).

    One row per user; `flow` and `step` name the position, `data` holds the flow's small working state.
    """

    telegram_user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    flow: str = Field(max_length=30)
    step: str = Field(max_length=30)
    data: dict = Field(default_factory=dict, sa_column=Column(EncryptedJSON, nullable=False))
    updated_at: datetime


class EmployerContact(SQLModel, table=True):
    """An HR or case-manager contact of one employer; sees only that employer's employees, never health data."""

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    name: str = Field(max_length=120)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True, nullable=True))
    language: str = Field(default="nl", max_length=2)
    invited_by_coach_id: int | None = Field(default=None, foreign_key="coach.id")
    created_at: datetime
    registered_at: datetime | None = None


class CoachNote(SQLModel, table=True):
    """A coach's note on a client. `for_file` notes go into the dossier report; none ever reach an employer chat."""

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    coach_id: int = Field(foreign_key="coach.id")
    text: str = Field(max_length=2000, sa_type=EncryptedText)
    for_file: bool = False
    created_at: datetime


class PhaseChange(SQLModel, table=True):
    """History of a trajectory's phase (intake, orientation, active_search, completion, placed, closed)."""

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    phase: str = Field(max_length=20)
    changed_at: datetime
    coach_id: int | None = Field(default=None, foreign_key="coach.id")


class JobApplication(SQLModel, table=True):
    """One job application the employee logged (/sollicitatie)."""

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    company: str = Field(max_length=160)
    role: str = Field(max_length=160)
    applied_on: date
    channel: str = Field(max_length=20)  # website | email | letter | network | agency | other
    direction: str | None = Field(default=None, max_length=8)  # the plan's search direction ("d1"...), if any
    status: str = Field(default="applied", max_length=20)  # applied|interview|offer|rejected|no_answer|withdrawn
    created_at: datetime
    updated_at: datetime


class SafetyAlert(SQLModel, table=True):
    """Crisis language was detected in free text. The coach is told only with the employee's permission."""

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    source: str = Field(max_length=20)  # reflection | step | note | chat
    created_at: datetime
    coach_allowed: bool | None = None  # None: not answered yet
    coach_told_at: datetime | None = None


class PlanVersion(SQLModel, table=True):
    """One version of a client's trajectory plan (trajectplan spoor 2). A change never overwrites: it adds the
    next version, with its date and author, so the plan as it was on any day stays readable.

    `content` holds the whole plan (see `bot.rules.plan`): person profile, work capacity as the FML states it,
    search directions, agreed activities and whether Track 1 runs in parallel. The employee's answer to a
    version (agree | discuss) and its time are stored on that version.
    """

    __table_args__ = (UniqueConstraint("employee_id", "number", name="uq_planversion_employee_number"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    number: int  # 1, 2, ... per employee
    content: dict = Field(default_factory=dict, sa_column=Column(EncryptedJSON, nullable=False))
    change: str = Field(max_length=40)  # what this version changed: a key of bot.rules.plan.CHANGES
    author_coach_id: int | None = Field(default=None, foreign_key="coach.id")  # None: imported from a file
    created_at: datetime
    employee_answer: str | None = Field(default=None, max_length=10)  # agree | discuss
    answered_at: datetime | None = None


class PlanEvaluation(SQLModel, table=True):
    """An evaluation of the plan (bijstelling): at least every six weeks and at each phase change."""

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    coach_id: int | None = Field(default=None, foreign_key="coach.id")
    held_on: date
    participants: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    conclusion: str = Field(max_length=2000, sa_type=EncryptedText)
    changes: str | None = Field(default=None, max_length=2000, sa_type=EncryptedText)  # what changes in the plan
    directions_reviewed: bool = False  # the search directions were looked at again
    created_at: datetime


class ApplicationProof(SQLModel, table=True):
    """Proof of a job application: a vacancy link, or the bytes of a document, photo or screenshot."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="jobapplication.id", index=True)
    kind: str = Field(max_length=10)  # link | document | photo
    url: str | None = Field(default=None, max_length=500, sa_type=EncryptedText)
    data: bytes | None = Field(default=None, sa_column=Column(EncryptedBytes, nullable=True))
    mime_type: str | None = Field(default=None, max_length=80)
    size: int | None = None
    file_name: str | None = Field(default=None, max_length=120)
    created_at: datetime


class PoortwachterStep(SQLModel, table=True):
    """The day a poortwachter step actually took place (problem analysis, plan of action, first-year evaluation,
    labour-expert assessment, final evaluation), as the coach recorded it; one row per employee and step."""

    __table_args__ = (UniqueConstraint("employee_id", "step", name="uq_poortwachterstep_employee_step"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    step: str = Field(max_length=30)  # a key of bot.rules.report.STEPS
    done_on: date
    coach_id: int | None = Field(default=None, foreign_key="coach.id")
    recorded_at: datetime


class OwnView(SQLModel, table=True):
    """The employee's own view of the trajectory for the final report (eigen visie), with explicit consent.

    `consent` None: not answered; False: chose not to add a view; True: `text` goes into the report. Editable
    until `locked_at` (the final report was sent)."""

    employee_id: int = Field(foreign_key="employee.id", primary_key=True)
    consent: bool | None = None
    text: str | None = Field(default=None, max_length=3000, sa_type=EncryptedText)
    asked_at: datetime | None = None
    answered_at: datetime | None = None
    locked_at: datetime | None = None


class ReportDraft(SQLModel, table=True):
    """A report waiting for the coach's decision before it goes to the employer and the employee: the monthly
    progress report (made on the first working day of the month) or a final report the coach asked to send.

    status: draft | sent | skipped. One draft per employee, kind and period start."""

    __table_args__ = (
        UniqueConstraint("employee_id", "kind", "period_first", name="uq_reportdraft_employee_kind_first"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    kind: str = Field(max_length=10)  # progress | final
    period_first: date
    period_last: date
    status: str = Field(default="draft", max_length=10)
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="coach.id")


class AuditEntry(SQLModel, table=True):
    """Append-only: one read of (or action on) one person's data by someone other than that person. Who (actor
    kind and id), when, what (a key of `bot.core.audit.WHAT`), about whom. Never any content. An update is refused
    by a database trigger; rows go only with the person they are about (retention, erasure)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor_kind: str = Field(max_length=12)  # coach | admin | employer | operator
    actor_id: int | None = None  # the coach's or contact's id; None for an operator at the command line
    what: str = Field(max_length=30)
    employee_id: int | None = Field(default=None, index=True)  # about whom (no foreign key: outlives nothing)
    coach_id: int | None = Field(default=None, index=True)  # an admin action about a coach (deactivate, move)


class KeptReportFact(SQLModel, table=True):
    """What the law keeps of an erased employee: that a report was sent to the employer, and when — never its
    content, never the person's name. `erasure` says which erasure it belongs to (one per erased person)."""

    id: int | None = Field(default=None, primary_key=True)
    erasure: str = Field(max_length=32, index=True)  # a random reference, printed to the operator at erasure
    employer_id: int | None = Field(default=None, foreign_key="employer.id")
    kind: str = Field(max_length=10)  # progress | final
    period_first: date
    period_last: date
    sent_at: datetime
    erased_at: datetime


class RetentionCount(SQLModel, table=True):
    """The anonymous statistic kept of purged trajectories: how many closed in a year, by outcome."""

    id: int | None = Field(default=None, primary_key=True)
    closed_year: int
    outcome: str = Field(default="none", max_length=30)  # placed | too_few_possibilities | none
    trajectories: int = 0
    __table_args__ = (UniqueConstraint("closed_year", "outcome", name="uq_retentioncount_year_outcome"),)


class SuppressedChat(SQLModel, table=True):
    """A chat that must never get a message again (its person was erased): the SHA-256 of the chat id, not the id
    itself. Delivery checks it before every send; a new invite accepted in that chat lifts it."""

    chat_hash: str = Field(max_length=64, primary_key=True)
    since: datetime


class KeyCheck(SQLModel, table=True):
    """One value encrypted when the database first got a key: start-up opens it, so a wrong ENCRYPTION_KEY stops
    the program before it writes anything (`storage.crypto.check_key_sync`). Rewritten by key rotation."""

    id: int = Field(default=1, primary_key=True)
    value: str = Field(sa_type=Text)  # a Fernet token of a fixed text


class SweepLease(SQLModel, table=True):
    """Who runs a scheduled job now, across all instances on one database (`storage.lease_queries`): `owner` holds
    it until `until` (wall-clock time, renewed while the job runs; a dead instance's lease simply runs out), and a
    job starts only when the previous start is at least one interval ago, so it runs once per interval in all."""

    name: str = Field(max_length=40, primary_key=True)
    owner: str | None = Field(default=None, max_length=40)
    until: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


class ChatTurn(SQLModel, table=True):
    """The newest Telegram update handled for a chat. Taking this row first in an update's transaction makes
    updates of one chat wait for each other across processes, and an update that is not newer than the one
    stored (Telegram delivering it again) is handled no second time. Holds no content; erased with the chat."""

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    update_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    handled_at: datetime


class SenderShare(SQLModel, table=True):
    """A delivery sender that is alive (its lease `alive_until`, wall-clock time, renewed every few seconds) and
    whether it has messages to send: the senders that have share Telegram's overall limit between them, so all
    instances together stay under it."""

    name: str = Field(max_length=40, primary_key=True)
    alive_until: datetime
    busy: bool = False


class DashboardLink(SQLModel, table=True):
    """A single-use sign-in link to the coach's dashboard in a browser (`/dashboard` in the chat): valid for 10
    minutes, stored only as the SHA-256 hash of its token. Opening it starts a `DashboardSession`."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class DashboardSession(SQLModel, table=True):
    """A signed-in dashboard: the session cookie holds the token, this row only its SHA-256 hash. Valid for 12
    hours; `/uitloggen` in the chat ends every session of the user (`ended_at`)."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    via: str = Field(max_length=10)  # link | telegram (the Mini App's signed initData)
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None
