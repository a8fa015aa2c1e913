"""The dev container's reference implementation, @devcontainers/cli from npm, for the stack's tests.

Installed into build/npm/ on first use (machine/npm.py), at the version below.
"""

from ..machine.npm import npm_command

CLI_VERSION = "0.89.0"


def devcontainer_cli() -> str:
    """The `devcontainer` command, installed if need be."""
    return npm_command("@devcontainers/cli", CLI_VERSION, "devcontainer", "the dev container's tests")
