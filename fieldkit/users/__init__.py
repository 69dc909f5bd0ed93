"""Users at HQ (issue 12): a register of names, roles and Argon2id passphrase hashes in the
coordinator store, and what each role may do as the protocol says.

    add_user(store, "amina", "statistician", passphrase, added_by="kofi")
    user = authenticate(store, "amina", passphrase)
    authorize(user, "export", [form.protocol], Profile.INTERNAL)   # FK-USER-003
"""

from fieldkit.users.access import allowed_commands, allowed_profiles, authorize
from fieldkit.users.errors import UserError
from fieldkit.users.register import (
    Cost,
    User,
    add_user,
    authenticate,
    has_users,
    list_users,
)

__all__ = [
    "Cost",
    "User",
    "UserError",
    "add_user",
    "allowed_commands",
    "allowed_profiles",
    "authenticate",
    "authorize",
    "has_users",
    "list_users",
]
