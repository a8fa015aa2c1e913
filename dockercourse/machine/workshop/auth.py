"""The hub's logins: the roster's names, each with the password of its card, checked against the stored scrypt
hash; the roster's instructors are the hub's admins.

Used by: hub_config.py (JupyterHub loads it), tests/workshop/.
"""

from jupyterhub.auth import Authenticator
from traitlets import Unicode, default

from . import ACCOUNTS, password_matches, read_accounts


class RosterAuthenticator(Authenticator):
    """Username and password, from the accounts `make workshop-cards` wrote (build/workshop/accounts.json)."""

    accounts_file = Unicode(str(ACCOUNTS), config=True, help="the accounts: {name: {role, password hash}}")

    @default("allowed_users")
    def _allowed(self):
        return set(read_accounts(self._path()))

    @default("admin_users")
    def _admins(self):
        return {name for name, account in read_accounts(self._path()).items() if account["role"] == "instructor"}

    def _path(self):
        from pathlib import Path

        return Path(self.accounts_file)

    async def authenticate(self, handler, data):
        """The login if its password matches, else None (the hub then says: invalid username or password)."""
        name = (data.get("username") or "").strip().lower()
        account = read_accounts(self._path()).get(name)
        if account and password_matches(data.get("password") or "", account["password"]):
            return name
        self.log.warning("failed login for %r", name)
        return None
