"""The user register's errors: one class, stable codes.

FK-USER-001  no such user, or the passphrase does not match
FK-USER-002  the user's role may not run this command
FK-USER-003  the user's role may not release this profile
FK-USER-004  a user that cannot be added (name taken or malformed, no passphrase, a first
             user whose role cannot manage users)
FK-USER-005  a role no protocol of the project defines
"""

from __future__ import annotations

from fieldkit.errors import PrivacyError

__all__ = ["UserError"]


class UserError(PrivacyError):
    default_code = "FK-USER-000"
