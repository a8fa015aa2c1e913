"""What a notebook cell captures from a shell command, for the checker tests."""

import subprocess


def captured(*command: str) -> list[str]:
    """What `answer = !command` gives a notebook: the output's lines, stderr included."""
    result = subprocess.run(command, capture_output=True, text=True)
    return (result.stdout + result.stderr).splitlines()
