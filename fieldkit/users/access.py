"""What each role may do at HQ, as the protocol's ``roles:`` say.

A role lists the commands and release profiles it may use (``commands:``, ``profiles:``);
when it does not, its access decides:

- identities through custodians (a coordinator): every command, every profile;
- all answers, no identities (a statistician, a supervisor): reading and releasing data
  (``export``, ``tables``, ``recode``, ``estimate``, the conflict and quarantine lists, the
  monitoring report, approving and rejecting interviews) as
  ``restricted`` or ``public``: never ``reveal``, key or user management, merging, or an
  ``internal`` release;
- its own answers only (an enumerator): nothing at HQ.

A project may hold several protocols: a role may do what every protocol defining it allows.
"""

from __future__ import annotations

from collections.abc import Iterable

from fieldkit.protocol.model import Protocol
from fieldkit.protocol.schema import AccessLevel, IdentityAccess, Profile, RoleModel
from fieldkit.users.errors import UserError
from fieldkit.users.register import User

__all__ = ["ANALYST_COMMANDS", "allowed_commands", "allowed_profiles", "authorize"]

ANALYST_COMMANDS = frozenset(
    {"export", "tables", "recode", "estimate", "conflicts", "quarantine", "users list"}
    # field monitoring and supervisor review (issue 16): a role that reads all answers
    | {"monitor", "review approve", "review reject", "backcheck draw", "backcheck compare"}
)
EVERYTHING = "*"


def allowed_commands(role: RoleModel) -> frozenset[str]:
    if role.commands is not None:
        return frozenset(role.commands)
    if role.identities is not IdentityAccess.NONE:
        return frozenset({EVERYTHING})
    if role.answers is AccessLevel.ALL:
        return ANALYST_COMMANDS
    return frozenset()


def allowed_profiles(role: RoleModel) -> frozenset[Profile]:
    if role.profiles is not None:
        return frozenset(role.profiles)
    if role.identities is not IdentityAccess.NONE:
        return frozenset(Profile)
    if role.answers is AccessLevel.ALL:
        return frozenset({Profile.RESTRICTED, Profile.PUBLIC})
    return frozenset()


def authorize(
    user: User, command: str, protocols: Iterable[Protocol], profile: Profile | None = None
) -> None:
    """Refuse (FK-USER-002/003/005) what ``user``'s role may not do under ``protocols``."""
    roles = [p.roles[user.role] for p in protocols if user.role in p.roles]
    if not roles:
        raise UserError(
            f"role '{user.role}' of user '{user.name}' is defined by no protocol here",
            code="FK-USER-005",
            hint="give the user a role the protocol's roles: block defines",
        )
    for role in roles:
        commands = allowed_commands(role)
        if EVERYTHING not in commands and command not in commands:
            raise UserError(
                f"user '{user.name}' ({user.role}) may not run '{command}'",
                code="FK-USER-002",
                hint="may run: " + (", ".join(sorted(commands)) or "nothing at HQ"),
            )
        if profile is not None and profile not in allowed_profiles(role):
            allowed = sorted(p.value for p in allowed_profiles(role))
            raise UserError(
                f"user '{user.name}' ({user.role}) may not release '{profile.value}' data",
                code="FK-USER-003",
                hint="profiles for this role: " + (", ".join(allowed) or "none"),
            )
