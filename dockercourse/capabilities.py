"""Linux capabilities: which ones a mask from /proc/PID/status (CapEff, CapBnd, …) holds.

Used by: chapter 10 (security), which reads the masks inside containers with
`docker run … cat /proc/1/status` and decodes them here.
"""

#: Capability names by bit number, as in linux/capability.h (0 … 40, CAP_CHECKPOINT_RESTORE, Linux 5.9).
NAMES = (
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
    "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
    "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
    "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
    "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
    "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
)


def decode(mask: str) -> list[str]:
    """The capability names set in a hexadecimal mask such as '00000000a80425fb' (unknown bits as CAP_<n>)."""
    value = int(mask, 16)
    return [NAMES[bit] if bit < len(NAMES) else f"CAP_{bit}" for bit in range(value.bit_length()) if value >> bit & 1]


def status_fields(status: str | list[str]) -> dict[str, str]:
    """The `Key:<tab>value` lines of a /proc/PID/status text (or its lines), as a dict."""
    lines = status.splitlines() if isinstance(status, str) else status
    return {key.strip(): value.strip() for key, sep, value in (line.partition(":") for line in lines) if sep}


def capabilities(status: str | list[str], which: str = "CapEff") -> list[str]:
    """The capabilities of one set (CapEff by default) in a /proc/PID/status text."""
    return decode(status_fields(status)[which])
