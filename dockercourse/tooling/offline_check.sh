#!/usr/bin/env bash
# make offline-check: the workshop bundle, shown to work in a room with no network.
#
#  1. make bundle (the one step that needs the network: PyPI, for the wheels).
#  2. A fresh room machine: the engine forgets the course (its labelled resources, the manifest's
#     images, the course image, the build cache).
#  3. The network is cut: iptables rejects every new connection that would leave through the
#     default route's interface, from this host (OUTPUT) and from containers and builds (FORWARD),
#     IPv4 and IPv6. This machine's own package stores (/opt/wheels, /opt/pypi*: see
#     docs/maintainers/ci.md) are hidden under empty directories, and PIP_FIND_LINKS is unset, so
#     the bundle's wheels are the only packages there are.
#  4. The course is unpacked from the bundle into a new directory; there: make bundle-load,
#     make doctor-workshop, make nbval (the notebook stage of make test).
#  5. At the end, pass or fail: the reject rules' counters say how many packets something tried
#     (and failed) to send out; the rules are removed; the engine gets back the Python image that
#     the room copy replaced.
#
# Needs root (iptables, a mount namespace). Run by .ci/run after make test.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUNDLE=${BUNDLE:-$REPO/build/workshop-bundle}
MARK=dockercourse-offline-check
[ "$(id -u)" = 0 ] || { echo "offline-check: needs root (iptables and a mount namespace): run it as root"; exit 1; }
for tool in iptables ip6tables unshare curl; do
    command -v "$tool" >/dev/null || { echo "offline-check: needs $tool: install it (Debian: apt-get install iptables util-linux curl)"; exit 1; }
done
started=$SECONDS
phase() { echo; echo "offline-check: [$((SECONDS - started)) s] $*"; }

phase "1. make bundle"
make -C "$REPO" --no-print-directory bundle BUNDLE="$BUNDLE"
names=$(cd "$REPO" && python3 -c 'from dockercourse.manifest import image_names
from dockercourse.machine.course_image import course_image_name
print(*image_names(), course_image_name())')
python_image=$(cd "$REPO" && python3 -c 'from dockercourse.manifest import manifest_image; print(manifest_image("python").name)')
python_id=$(docker image inspect --format '{{.Id}}' "$python_image")
images_archive=$(cd "$REPO" && python3 -c 'from dockercourse.machine.bundle import IMAGES_ARCHIVE; print(IMAGES_ARCHIVE)')

phase "2. a fresh room machine: the engine forgets the course"
make -C "$REPO" --no-print-directory clean
# shellcheck disable=SC2086  # one word per image name
docker image rm $names >/dev/null
docker builder prune --all --force >/dev/null
echo "removed: $names, and the build cache"

phase "3. cutting the network"
iface=$(ip route show default | awk '{print $5; exit}')
rules=("OUTPUT -o $iface -m conntrack --ctstate NEW" "FORWARD -o $iface")
restore() {
    echo; echo "offline-check: what tried to reach the network (and was rejected):"
    for ipt in iptables ip6tables; do
        for chain in OUTPUT FORWARD; do
            packets=$($ipt -L "$chain" -v -n -x | awk -v mark="$MARK" '$0 ~ mark {sum += $1} END {print sum + 0}')
            echo "  $ipt $chain: $packets rejected packet(s)"
        done
    done
    for ipt in iptables ip6tables; do
        for rule in "${rules[@]}"; do
            # shellcheck disable=SC2086  # the rule is words
            while $ipt -D $rule -m comment --comment $MARK -j REJECT 2>/dev/null; do :; done
        done
    done
    # The room copy took the Python image's name: give the name back, drop the copy. The classic
    # image store keeps the replaced image as a dangling one; the containerd store deletes it, so
    # then it comes back from the bundle (the same image, the same ID).
    room_id=$(docker image inspect --format '{{.Id}}' "$python_image" 2>/dev/null || true)
    if [ -n "$room_id" ] && [ "$room_id" != "$python_id" ]; then
        if docker image inspect "$python_id" >/dev/null 2>&1; then
            docker tag "$python_id" "$python_image"
        else
            docker load --quiet -i "$BUNDLE/$images_archive" >/dev/null
        fi
        docker image rm "$room_id" >/dev/null || true
    fi
}
trap restore EXIT
for ipt in iptables ip6tables; do
    for rule in "${rules[@]}"; do
        # shellcheck disable=SC2086
        $ipt -I ${rule%% *} 1 ${rule#* } -m comment --comment $MARK -j REJECT
    done
done
if curl -sS --max-time 10 -o /dev/null https://pypi.org/simple/ 2>/tmp/$MARK.curl; then
    echo "offline-check: pypi.org still answers: the network is not cut"; exit 1
fi
echo "network cut on $iface: https://pypi.org → $(tr -d '\n' </tmp/$MARK.curl)"

phase "4. the room: unpack the course, make bundle-load, make doctor-workshop, make nbval"
room=$(mktemp -d /tmp/dockercourse-room.XXXXXX)
tar -xzf "$BUNDLE/course.tar.gz" -C "$room"
# A private mount namespace: this machine's package stores look empty to everything started here.
env -u PIP_FIND_LINKS unshare --mount --propagation private bash -euo pipefail -c '
    for store in /opt/wheels /opt/pypi /opt/pypi-more; do
        if [ -d "$store" ]; then mount -t tmpfs -o ro none "$store"; fi
    done
    cd "$1/dockercourse"
    make --no-print-directory bundle-load BUNDLE="$2"
    .venv/bin/python -m pip config list
    make --no-print-directory doctor-workshop
    make --no-print-directory nbval
' room-check "$room" "$BUNDLE"

rm -rf "$room"
phase "done: the notebooks passed from the bundle alone, with no registry and no package index"
