#!/usr/bin/env bash
# How long from `git clone` to chapter 00 on a fresh machine: `make lab`, timed step by step.
#
#   FRESH_MACHINE=yes bash dockercourse/tooling/first_cell_bench.sh
#
# It makes this machine fresh first — DESTRUCTIVE, for a disposable machine only: it stops the engine, purges
# Debian's engine packages and the course's apt source, deletes /var/lib/docker, /var/lib/containerd, the stand-ins'
# cache and pip's cache — then clones the course into a new folder and runs `make lab` there, printing each line
# with the seconds since the clone, until JupyterLab serves chapter 00. The engine it installs and the images it
# prepared stay (the rest are prepared in the background). Root, Debian or Ubuntu.
set -euo pipefail
[ "${FRESH_MACHINE:-}" = yes ] || { echo "first-cell bench: it wipes this machine's Docker engine and caches: run it with FRESH_MACHINE=yes on a disposable machine"; exit 2; }
[ "$(id -u)" = 0 ] || { echo "first-cell bench: needs root (it reinstalls the engine)"; exit 1; }
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WHERE=${FIRST_CELL_DIR:-/tmp/dockercourse-fresh}
LOG=$REPO/build/first-cell.log
mkdir -p "$REPO/build"

echo "first-cell bench: making this machine fresh …"
pkill -x dockerd 2>/dev/null || true; pkill -x containerd 2>/dev/null || true; sleep 3
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q docker.io docker-cli docker-buildx docker-compose containerd \
    >/dev/null 2>&1 || true
rm -f /etc/apt/sources.list.d/dockercourse-testing.list /etc/apt/preferences.d/dockercourse-testing
# The engine's network namespaces are mounts, and /var/lib/docker may be a disk of its own (it is on the course's
# CI machines): unmount the first, empty the second without removing its mount point.
umount /run/docker/netns/* 2>/dev/null || true
for state in /var/lib/docker /var/lib/containerd; do
    [ -d "$state" ] && find "$state" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
done
rm -rf /run/docker* /etc/docker "$HOME/.cache/dockercourse" "$HOME/.cache/pip" "$WHERE"
apt-get update -q >/dev/null 2>&1 || true

started=$(date +%s.%N)
stamp() {
    while IFS= read -r line; do
        printf '%6.1f s  %s\n' "$(awk -v now="$(date +%s.%N)" -v then="$started" 'BEGIN {print now - then}')" "$line"
    done
}
{
    git clone -q "$REPO" "$WHERE" && echo "cloned"
    cd "$WHERE"
    make lab 2>&1 &
    lab=$!
    url=""
    until [ -n "$url" ]; do sleep 1; url=$(grep -o 'http://[^ ]*token=[0-9a-f]*' "$LOG.raw" 2>/dev/null | head -n 1 || true); done
    base=${url%%/lab/*}; token=${url##*token=}
    until curl -sf -o /dev/null "$base/api/contents/notebooks/00-preflight.ipynb?content=0&token=$token"; do sleep 0.5; done
    echo "JupyterLab serves chapter 00: $base"
    pkill -f "jupyter.*lab.*root_dir=$WHERE" 2>/dev/null || true; wait "$lab" 2>/dev/null || true
} 2>&1 | tee "$LOG.raw" | stamp | tee "$LOG"
echo "first-cell bench: the timed lines are in $LOG"
