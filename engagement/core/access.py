"""Roles, permissions and scope: the one table that decides who may do what, where.

Pure Python, no database: the org service builds an ``Actor`` from the database (the
grants and the materialised paths of their units), and every service asks this module.

Scope kinds:
- ``ORG``: the whole organisation.
- ``UNITS``: the unit of the grant and every unit below it (materialised path prefix).
- ``BRANCH``: the members of one union / youth-union branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from engagement.core.errors import NotAllowed
from engagement.core.i18n import N_, Msg


class Role(StrEnum):
    """The roles an account can hold. Every account is staff."""

    STAFF = "staff"
    UNIT_HEAD = "unit_head"
    EMULATION_OFFICER = "emulation_officer"
    UNION_OFFICER = "union_officer"
    COUNCIL_MEMBER = "council_member"
    SYSTEM_ADMIN = "system_admin"


#: Each role's name, as a message (render it in the reader's language: ``role_label``).
ROLE_NAMES: dict[Role, Msg] = {
    Role.STAFF: N_("Staff"),
    Role.UNIT_HEAD: N_("Unit head"),
    Role.EMULATION_OFFICER: N_("Emulation officer"),
    Role.UNION_OFFICER: N_("Union officer"),
    Role.COUNCIL_MEMBER: N_("Council member"),
    Role.SYSTEM_ADMIN: N_("System admin"),
}
#: The role names as message ids (English); ``i18n.render(ROLE_LABELS[role])`` or ``role_label(role)``
#: gives the reader's text.
ROLE_LABELS: dict[Role, str] = {role: name.msgid for role, name in ROLE_NAMES.items()}


def role_label(role: Role | str) -> str:
    """A role's name in the current language (the reader's, inside ``i18n.using``)."""
    return ROLE_NAMES[Role(role)].render()


#: Which roles need a unit or a branch when granted.
ROLE_NEEDS_UNIT = frozenset({Role.UNIT_HEAD})
ROLE_NEEDS_BRANCH = frozenset({Role.UNION_OFFICER})


class Scope(StrEnum):
    """How far a permission reaches."""

    ORG = "org"
    UNITS = "units"
    BRANCH = "branch"


class Perm(StrEnum):
    """Everything that is checked. Feature issues add their own rows."""

    VIEW_ORG = "org.view"
    MANAGE_UNITS = "units.manage"
    MANAGE_GROUPS = "groups.manage"
    VIEW_PEOPLE = "people.view"
    MANAGE_PEOPLE = "people.manage"
    IMPORT_PEOPLE = "people.import"
    MANAGE_ACCOUNTS = "accounts.manage"
    VIEW_AUDIT = "audit.view"
    MANAGE_COMMITMENTS = "commitments.manage"
    VIEW_COMMITMENT_PROGRESS = "commitments.progress"
    RECORD_COMMITMENT_EXCEPTION = "commitments.exception"
    GIVE_RECOGNITION = "recognition.give"
    REVOKE_RECOGNITION = "recognition.revoke"
    MANAGE_VALUES = "recognition.values"
    MODERATE_THANKS = "thanks.moderate"
    VIEW_FAIRNESS = "recognition.fairness"
    VIEW_SCORES = "scores.view"
    MANAGE_SCORING = "scoring.manage"
    LOG_GREEN = "green.log"
    MANAGE_GREEN = "green.manage"
    VERIFY_GREEN = "green.verify"
    ASSESS_OFFICE = "green.assess"
    MANAGE_NOTIFICATIONS = "notify.manage"
    SIGN_COMMITMENT = "commitments.sign"
    MANAGE_TITLES = "commendations.titles"
    RATE_PEOPLE = "commendations.rate"
    VIEW_PERSONNEL = "commendations.personnel"
    RECORD_DISCIPLINE = "commendations.discipline"
    MANAGE_HOLDS = "commendations.holds"
    VIEW_ELIGIBILITY = "commendations.eligibility"
    REGISTER_EMULATION = "commendations.register"
    NOMINATE = "commendations.nominate"
    PROCESS_NOMINATIONS = "commendations.process"
    VOTE = "commendations.vote"
    ISSUE_DECISIONS = "commendations.decide"
    PROPOSE_MODEL = "models.propose"
    RECOGNISE_MODEL = "models.recognise"
    VIEW_REVIEW = "review.view"
    MANAGE_SUPERVISION = "supervision.manage"
    INSPECT = "supervision.inspect"
    FOLLOW_SUPERVISION = "supervision.follow"


_ADMIN_AND_OFFICER = {Role.SYSTEM_ADMIN: Scope.ORG, Role.EMULATION_OFFICER: Scope.ORG}

#: THE permission table. A role missing from a row has no access for that permission.
PERMISSIONS: dict[Perm, dict[Role, Scope]] = {
    Perm.VIEW_ORG: {role: Scope.ORG for role in Role},
    Perm.MANAGE_UNITS: dict(_ADMIN_AND_OFFICER),
    Perm.MANAGE_GROUPS: dict(_ADMIN_AND_OFFICER),
    Perm.VIEW_PEOPLE: {
        **_ADMIN_AND_OFFICER,
        Role.UNIT_HEAD: Scope.UNITS,
        Role.UNION_OFFICER: Scope.BRANCH,
    },
    Perm.MANAGE_PEOPLE: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    Perm.IMPORT_PEOPLE: dict(_ADMIN_AND_OFFICER),
    Perm.MANAGE_ACCOUNTS: {Role.SYSTEM_ADMIN: Scope.ORG},
    Perm.VIEW_AUDIT: {Role.SYSTEM_ADMIN: Scope.ORG},
    # Commitments: officers run campaigns (templates, paper signatures, chain check); unit
    # heads follow their units and record leave / illness exceptions there.
    Perm.MANAGE_COMMITMENTS: dict(_ADMIN_AND_OFFICER),
    Perm.VIEW_COMMITMENT_PROGRESS: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    Perm.RECORD_COMMITMENT_EXCEPTION: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    Perm.GIVE_RECOGNITION: {role: Scope.ORG for role in Role},
    Perm.REVOKE_RECOGNITION: dict(_ADMIN_AND_OFFICER),
    Perm.MANAGE_VALUES: dict(_ADMIN_AND_OFFICER),
    # Citizens' thanks links, QR sheets and note moderation: a unit head for their units.
    Perm.MODERATE_THANKS: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    Perm.VIEW_FAIRNESS: dict(_ADMIN_AND_OFFICER),
    # Leaderboards are public inside the organisation; the detail of someone else's
    # entries follows VIEW_PEOPLE (officers, their unit heads).
    Perm.VIEW_SCORES: {role: Scope.ORG for role in Role},
    Perm.MANAGE_SCORING: dict(_ADMIN_AND_OFFICER),
    # Green office: everyone logs; union officers verify (and keep rosters) for their branch.
    Perm.LOG_GREEN: {role: Scope.ORG for role in Role},
    Perm.MANAGE_GREEN: dict(_ADMIN_AND_OFFICER),
    Perm.VERIFY_GREEN: {**_ADMIN_AND_OFFICER, Role.UNION_OFFICER: Scope.BRANCH},
    Perm.ASSESS_OFFICE: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    # The outbox holds people's addresses and message text; the scheduler page runs jobs.
    Perm.MANAGE_NOTIFICATIONS: {Role.SYSTEM_ADMIN: Scope.ORG},
    # Everyone signs their own commitment (who is in a campaign's audience is checked there).
    Perm.SIGN_COMMITMENT: {role: Scope.ORG for role in Role},
    # Commendations: officers keep the catalogue, the year's settings, holds and the register
    # of titles; unit heads rate, register and record initiatives and discipline for their
    # units. Ratings, discipline and holds are personnel data: the person, their unit heads and
    # officers see them (council members while a nomination is before them: part 2).
    Perm.MANAGE_TITLES: dict(_ADMIN_AND_OFFICER),
    Perm.RATE_PEOPLE: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    Perm.VIEW_PERSONNEL: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    Perm.RECORD_DISCIPLINE: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    Perm.MANAGE_HOLDS: dict(_ADMIN_AND_OFFICER),
    Perm.VIEW_ELIGIBILITY: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    Perm.REGISTER_EMULATION: {role: Scope.ORG for role in Role},
    # Part 2: unit heads propose for their units; officers receive, appraise, publish, schedule and
    # record decisions (on the issuer's behalf); council members vote in the sessions they sit in.
    Perm.NOMINATE: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    Perm.PROCESS_NOMINATIONS: dict(_ADMIN_AND_OFFICER),
    # A vote also needs a seat in the session (checked there); the admin row keeps "admin has all".
    Perm.VOTE: {Role.SYSTEM_ADMIN: Scope.ORG, Role.COUNCIL_MEMBER: Scope.ORG},
    Perm.ISSUE_DECISIONS: dict(_ADMIN_AND_OFFICER),
    # Good models (issue 20): a unit head proposes, adopts and reports for their units (officers for
    # any unit); officers recognise, return and publish; everyone logged in browses the register.
    Perm.PROPOSE_MODEL: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
    Perm.RECOGNISE_MODEL: dict(_ADMIN_AND_OFFICER),
    # The movement's review report reads every feature of the whole organisation: officers only.
    Perm.VIEW_REVIEW: dict(_ADMIN_AND_OFFICER),
    # Spot checks (issue 20): officers keep checklists and plans and name the teams; a team
    # member records the visits of their plans (a unit head only in the units they head, a
    # union officer wherever named); unit heads follow and close the corrective actions of
    # their units. Each person sees their own findings (no permission needed).
    Perm.MANAGE_SUPERVISION: dict(_ADMIN_AND_OFFICER),
    Perm.INSPECT: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS, Role.UNION_OFFICER: Scope.ORG},
    Perm.FOLLOW_SUPERVISION: {**_ADMIN_AND_OFFICER, Role.UNIT_HEAD: Scope.UNITS},
}

#: What each permission lets a person do, for refusals ("Only ... can <action>.").
ACTION_NAMES: dict[Perm, Msg] = {
    Perm.VIEW_ORG: N_("see the organisation"),
    Perm.MANAGE_UNITS: N_("change the unit tree"),
    Perm.MANAGE_GROUPS: N_("change unit groups"),
    Perm.VIEW_PEOPLE: N_("see this list of people"),
    Perm.MANAGE_PEOPLE: N_("change people's records"),
    Perm.IMPORT_PEOPLE: N_("import staff"),
    Perm.MANAGE_ACCOUNTS: N_("manage logins and roles"),
    Perm.VIEW_AUDIT: N_("read the audit log"),
    Perm.MANAGE_COMMITMENTS: N_("run commitment campaigns and templates"),
    Perm.VIEW_COMMITMENT_PROGRESS: N_("follow commitment completion"),
    Perm.RECORD_COMMITMENT_EXCEPTION: N_("record due-date exceptions"),
    Perm.GIVE_RECOGNITION: N_("give recognition"),
    Perm.REVOKE_RECOGNITION: N_("revoke a recognition"),
    Perm.MANAGE_VALUES: N_("manage the values catalogue"),
    Perm.MODERATE_THANKS: N_("manage citizens' thanks"),
    Perm.VIEW_FAIRNESS: N_("see the fairness signals"),
    Perm.VIEW_SCORES: N_("see the leaderboards"),
    Perm.MANAGE_SCORING: N_("change the scoring settings"),
    Perm.LOG_GREEN: N_("log green-office activities"),
    Perm.MANAGE_GREEN: N_("manage green-office campaigns"),
    Perm.VERIFY_GREEN: N_("verify green-office activities"),
    Perm.ASSESS_OFFICE: N_("assess an office"),
    Perm.MANAGE_NOTIFICATIONS: N_("manage messages and scheduled jobs"),
    Perm.SIGN_COMMITMENT: N_("sign a commitment"),
    Perm.MANAGE_TITLES: N_("manage the titles catalogue and the register of titles"),
    Perm.RATE_PEOPLE: N_("rate people and units and record their initiatives"),
    Perm.VIEW_PERSONNEL: N_("see ratings, discipline records and holds"),
    Perm.RECORD_DISCIPLINE: N_("record discipline"),
    Perm.MANAGE_HOLDS: N_("place or lift a hold on commendations"),
    Perm.VIEW_ELIGIBILITY: N_("see who is eligible for a title"),
    Perm.REGISTER_EMULATION: N_("register for emulation"),
    Perm.NOMINATE: N_("propose people and units for commendation"),
    Perm.PROCESS_NOMINATIONS: N_("receive, appraise and publish nominations and schedule the council"),
    Perm.VOTE: N_("vote in the emulation and commendation council"),
    Perm.ISSUE_DECISIONS: N_("record commendation decisions and revocations"),
    Perm.PROPOSE_MODEL: N_("propose, adopt and report good models for a unit"),
    Perm.RECOGNISE_MODEL: N_("recognise, return and publish good models"),
    Perm.VIEW_REVIEW: N_("download the movement's review report"),
    Perm.MANAGE_SUPERVISION: N_("manage spot-check checklists, plans and teams"),
    Perm.INSPECT: N_("record spot-check visits"),
    Perm.FOLLOW_SUPERVISION: N_("follow and close corrective actions"),
}
#: The same as message ids (English).
ACTIONS: dict[Perm, str] = {perm: action.msgid for perm, action in ACTION_NAMES.items()}

#: Role names as a refusal lists them.
ROLE_PLURAL_NAMES: dict[Role, Msg] = {
    Role.STAFF: N_("staff members"),
    Role.UNIT_HEAD: N_("unit heads"),
    Role.EMULATION_OFFICER: N_("emulation officers"),
    Role.UNION_OFFICER: N_("union officers"),
    Role.COUNCIL_MEMBER: N_("council members"),
    Role.SYSTEM_ADMIN: N_("system administrators"),
}
#: The same as message ids (English).
ROLE_PLURALS: dict[Role, str] = {role: name.msgid for role, name in ROLE_PLURAL_NAMES.items()}


@dataclass(frozen=True)
class Grant:
    """One role held by an account, with its scope anchor when the role needs one."""

    role: Role
    unit_id: int | None = None
    unit_path: str | None = None
    branch_id: int | None = None


@dataclass(frozen=True)
class Actor:
    """The logged-in person making a request, as the server knows them."""

    account_id: int
    person_id: int
    username: str
    full_name: str
    unit_id: int
    unit_path: str
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    must_change_password: bool = False
    #: The person's interface language ("" = the organisation's default).
    language: str = ""

    @property
    def roles(self) -> frozenset[Role]:
        """Every role held (staff always)."""
        return frozenset({Role.STAFF, *(g.role for g in self.grants)})


@dataclass(frozen=True)
class Reach:
    """Where a permission reaches, for filtering queries."""

    org: bool = False
    unit_paths: tuple[str, ...] = ()
    branch_ids: tuple[int, ...] = ()

    @property
    def nothing(self) -> bool:
        """True when the permission reaches no record at all."""
        return not (self.org or self.unit_paths or self.branch_ids)


def _grants_with_staff(actor: Actor) -> tuple[Grant, ...]:
    return (Grant(Role.STAFF), *actor.grants)


def reach(actor: Actor | None, perm: Perm) -> Reach:
    """Where ``perm`` reaches for ``actor`` (nothing for an anonymous caller)."""
    if actor is None:
        return Reach()
    row = PERMISSIONS[perm]
    paths: list[str] = []
    branches: list[int] = []
    for grant in _grants_with_staff(actor):
        scope = row.get(grant.role)
        if scope is Scope.ORG:
            return Reach(org=True)
        if scope is Scope.UNITS and grant.unit_path:
            paths.append(grant.unit_path)
        elif scope is Scope.BRANCH and grant.branch_id is not None:
            branches.append(grant.branch_id)
    return Reach(unit_paths=tuple(sorted(set(paths))), branch_ids=tuple(sorted(set(branches))))


def path_within(path: str, ancestor: str) -> bool:
    """Whether the unit at ``path`` is ``ancestor`` or below it (paths look like ``/1/4/``)."""
    return path.startswith(ancestor)


def can(
    actor: Actor | None,
    perm: Perm,
    *,
    unit_path: str | None = None,
    branch_id: int | None = None,
) -> bool:
    """Whether ``actor`` may use ``perm``; on a given unit or branch when one is named.

    With no target, answers "may use this at all" (for instance, to show a menu entry).
    """
    where = reach(actor, perm)
    if where.org:
        return True
    if unit_path is None and branch_id is None:
        return not where.nothing
    if unit_path is not None and any(path_within(unit_path, p) for p in where.unit_paths):
        return True
    return branch_id is not None and branch_id in where.branch_ids


SESSION_ENDED = N_("Your session has ended. Please log in again.")


def require_login(actor: Actor | None) -> Actor:
    """Return the actor, or raise ``NotAllowed`` for an anonymous caller (one's own records).

    Raises:
        NotAllowed: nobody is logged in (or the session ended).
    """
    if actor is None:
        raise NotAllowed(SESSION_ENDED)
    return actor


def _listed(names: list[Msg]) -> Msg:
    """Names as one list in the reader's language: "a, b and c"."""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return N_("{first} and {last}", first=names[0], last=names[1])
    return N_("{first}, {rest}", first=names[0], rest=_listed(names[1:]))


def refusal(actor: Actor, perm: Perm) -> Msg:
    """The message that tells ``actor`` why ``perm`` is refused, naming the action.

    Someone who holds a role of the permission, but whose scope does not reach the record,
    is told the record is outside their units (or branch); anyone else is told who can do it.
    The roles and the action are messages too, so the whole sentence reads in the reader's language.
    """
    action = ACTION_NAMES[perm]
    row = PERMISSIONS[perm]
    scopes = {row[g.role] for g in _grants_with_staff(actor) if g.role in row}
    if scopes == {Scope.BRANCH}:
        return N_("You can {action} only within the branch your role covers, and this one is outside them.",
                  action=action)
    if scopes:
        return N_("You can {action} only within the units your role covers, and this one is outside them.",
                  action=action)
    holders = [r for r in Role if r in row]
    if holders == [Role.SYSTEM_ADMIN]:
        return N_("Only system administrators can {action}.", action=action)
    who = _listed([ROLE_PLURAL_NAMES[r] for r in holders])
    if len(holders) == 1:
        return N_("Only {roles} can {action}. Ask a system administrator if you need this role.",
                  roles=who, action=action)
    return N_("Only {roles} can {action}. Ask a system administrator if you need one of these roles.",
              roles=who, action=action)


def require(
    actor: Actor | None,
    perm: Perm,
    *,
    unit_path: str | None = None,
    branch_id: int | None = None,
) -> Actor:
    """Return the actor when allowed, else raise ``NotAllowed`` naming the action refused.

    Raises:
        NotAllowed: anonymous caller, or the permission does not reach the target.
    """
    actor = require_login(actor)
    if not can(actor, perm, unit_path=unit_path, branch_id=branch_id):
        raise NotAllowed(refusal(actor, perm))
    return actor
