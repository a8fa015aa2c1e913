#!/usr/bin/env bash
# The offline room, proven with the course stack: `make stack-check`'s second part (CI runs it after the stack's
# dev-container tests). One execution of every chapter proves three things: the workshop bundle carries all the
# room needs, the course stack works (every chapter in its lab against its private engine), and nothing tries the
# network — in a room whose firewall swallows packets (DROP), where any attempt would wait for a timeout.
#
#  1. make bundle (the one step that needs the network: PyPI, for the wheels).
#  2. A fresh room machine: the engine forgets the course (its labelled resources, the manifest's images, the
#     course image, the build cache).
#  3. The network is cut: iptables DROPs every new connection that would leave through the default route's
#     interface, from this host (OUTPUT) and from containers, builds and the stack's engine (FORWARD), IPv4 and
#     IPv6, counting what it drops. This machine's own package stores (/opt/wheels, /opt/pypi*:
#     docs/maintainers/index.md) are hidden under empty directories, and PIP_FIND_LINKS is unset, so the bundle's
#     wheels are the only packages there are.
#  4. The course is unpacked from the bundle into a new directory; there: make bundle-load (this machine's engine
#     gets the images: the stack's engine image and the course image among them), make doctor-workshop.
#  5. The stack, from the bundle (STACK_IMAGES=BUNDLE: the lab loads the images into its private engine and makes
#     the room copy of the Python image), and inside its lab every chapter under nbval, each exercise solved after
#     its hint; the reports are copied out to build/test-results/stack-*.xml.
#  6. Two of the bundle's slide decks (build/slides, which make bundle packs) in Chromium, from file://: no
#     request may leave (tests/site/test_slides.py).
#  7. The counters: a connection that tried to leave (a new one, but a DNS query) is a failure, named by what
#     tcpdump saw of it (a packet dropped in OUTPUT never reaches the interface: an NFLOG rule before each drop
#     hands tcpdump a copy). Every other packet bound out is dropped too and counted apart as a stray: a late FIN
#     of a connection between two of the room's containers (chapter 12's overlay, once torn down), which conntrack
#     calls INVALID and so no NAT rewrites, is routed to the default interface with its private addresses; it
#     opens nothing. DNS queries are counted apart and named, not yet failed: the stack's engine and the
#     chapters' containers still ask for names (issue 27's DROP target, counters at 0, is not met yet; the
#     trace says which names). Then, pass or fail, the rules go, the stack goes, and the engine gets back the
#     Python image the room copy replaced.
#
# Needs root (iptables, a mount namespace, tcpdump). OFFLINE_ACTION=REJECT runs the same with refused packets (to
# compare the chapters' time).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUNDLE=${BUNDLE:-$REPO/build/workshop-bundle}
ACTION=${OFFLINE_ACTION:-DROP}
MARK=dockercourse-offline-check
PROJECT=dockercourse-offline
LAB_PORT=${OFFLINE_LAB_PORT:-8901}
RESULTS=$REPO/build/test-results
TRACE=$REPO/build/offline-trace.txt
NFLOG_GROUP=47
[ "$(id -u)" = 0 ] || { echo "offline-check: needs root (iptables, a mount namespace): run it as root"; exit 1; }
py() { (cd "$REPO" && python3 -c "$1"); }
tools_missing() { for tool in iptables ip6tables unshare curl tcpdump; do command -v "$tool" >/dev/null || return 0; done; return 1; }
if tools_missing && command -v apt-get >/dev/null; then
    echo "offline-check: installing what it needs: iptables util-linux curl tcpdump (Debian's packages) …"
    py 'from dockercourse.machine.apt import apt_install
apt_install(["iptables", "util-linux", "curl", "tcpdump"], "the offline check")'
fi
if tools_missing; then
    echo "offline-check: needs iptables, unshare, curl and tcpdump: install them (Debian: apt-get install iptables util-linux curl tcpdump)"
    exit 1
fi
started=$SECONDS
phase() { echo; echo "offline-check: [$((SECONDS - started)) s] $*"; }

phase "1. make bundle"
make -C "$REPO" --no-print-directory bundle BUNDLE="$BUNDLE"
names=$(py 'from dockercourse.manifest import image_names
from dockercourse.machine.course_image import course_image_name
print(*image_names(), course_image_name())')
python_image=$(py 'from dockercourse.manifest import manifest_image; print(manifest_image("python").name)')
python_id=$(docker image inspect --format '{{.Id}}' "$python_image")
images_archive=$(py 'from dockercourse.machine.bundle import IMAGES_ARCHIVE; print(IMAGES_ARCHIVE)')

phase "2. a fresh room machine: the engine forgets the course"
make -C "$REPO" --no-print-directory clean
# shellcheck disable=SC2086  # one word per image name
docker image rm $names >/dev/null
docker builder prune --all --force >/dev/null
echo "removed: $names, and the build cache"

phase "3. cutting the network ($ACTION)"
iface=$(ip route show default | awk '{print $5; exit}')
rules=("OUTPUT -o $iface -m conntrack --ctstate NEW" "FORWARD -o $iface -m conntrack --ctstate NEW")
strays=("OUTPUT -o $iface" "FORWARD -o $iface")  # after the rules above: whatever they did not count
room=$(mktemp -d /tmp/dockercourse-room.XXXXXX)
restore() {
    set +e
    echo; echo "offline-check: what tried to reach the network ($ACTION):"
    total=0
    queries=0
    for ipt in iptables ip6tables; do
        for chain in OUTPUT FORWARD; do
            listed=$($ipt -L "$chain" -v -n -x)
            packets=$(awk -v mark="/* $MARK */" 'index($0, mark) {sum += $1} END {print sum + 0}' <<<"$listed")
            dns=$(awk -v mark="/* $MARK-dns */" 'index($0, mark) {sum += $1} END {print sum + 0}' <<<"$listed")
            stray=$(awk -v mark="/* $MARK-stray */" 'index($0, mark) {sum += $1} END {print sum + 0}' <<<"$listed")
            total=$((total + packets)); queries=$((queries + dns))
            echo "  $ipt $chain: $packets packet(s) of connections, $dns DNS quer(y/ies), $stray stray packet(s)"
        done
    done
    for ipt in iptables ip6tables; do
        for rule in "${rules[@]}"; do
            # shellcheck disable=SC2086  # the rule is words
            while $ipt -D $rule -m comment --comment $MARK -j "$ACTION" 2>/dev/null; do :; done
            # shellcheck disable=SC2086
            while $ipt -D $rule -p udp --dport 53 -m comment --comment $MARK-dns -j "$ACTION" 2>/dev/null; do :; done
            # shellcheck disable=SC2086
            while $ipt -D $rule -m comment --comment $MARK-trace -j NFLOG --nflog-group $NFLOG_GROUP 2>/dev/null; do :; done
        done
        for rule in "${strays[@]}"; do
            # shellcheck disable=SC2086
            while $ipt -D $rule -m comment --comment $MARK-stray -j "$ACTION" 2>/dev/null; do :; done
        done
    done
    [ -n "${tracer:-}" ] && kill "$tracer" 2>/dev/null && wait "$tracer" 2>/dev/null
    if [ -s "$TRACE" ]; then
        echo "  the names asked for, as tcpdump saw the queries ($TRACE):"
        grep -oE '(A|AAAA)\? [^ ]+' "$TRACE" | sort | uniq -c | sort -rn | head -n 15 | sed 's/^/    /'
        echo "  the first connections, as tcpdump saw them:"
        grep -vE '\.53: ' "$TRACE" | head -n 10 | sed 's/^/    /'
    fi
    (cd "$room/dockercourse" 2>/dev/null && STACK_NAME=$PROJECT docker compose down --volumes >/dev/null 2>&1)
    # The room copy took the Python image's name: give the name back, drop the copy. The containerd store
    # deletes the replaced image, so then it comes back from the bundle (the same image, the same ID).
    room_id=$(docker image inspect --format '{{.Id}}' "$python_image" 2>/dev/null || true)
    if [ -n "$room_id" ] && [ "$room_id" != "$python_id" ]; then
        if docker image inspect "$python_id" >/dev/null 2>&1; then
            docker tag "$python_id" "$python_image"
        else
            docker load --quiet -i "$BUNDLE/$images_archive" >/dev/null
        fi
        docker image rm "$room_id" >/dev/null
    fi
    rm -rf "$room"
    echo "offline-check: $total packet(s) of connections tried to leave; $queries DNS quer(y/ies) (a known gap: see above)"
    [ "$total" = 0 ] || { echo "offline-check: something in the room tried to connect out: see above"; exit 1; }
}
trap restore EXIT
for ipt in iptables ip6tables; do
    for rule in "${strays[@]}"; do
        # shellcheck disable=SC2086  # first in, so last of the course's rules: the rest of what goes out
        $ipt -I ${rule%% *} 1 ${rule#* } -m comment --comment $MARK-stray -j "$ACTION"
    done
    for rule in "${rules[@]}"; do
        # shellcheck disable=SC2086
        $ipt -I ${rule%% *} 1 ${rule#* } -m comment --comment $MARK -j "$ACTION"
        # shellcheck disable=SC2086  # before it: DNS queries, counted apart
        $ipt -I ${rule%% *} 1 ${rule#* } -p udp --dport 53 -m comment --comment $MARK-dns -j "$ACTION"
        # shellcheck disable=SC2086  # before the drop: a copy of the packet for tcpdump
        $ipt -I ${rule%% *} 1 ${rule#* } -m comment --comment $MARK-trace -j NFLOG --nflog-group $NFLOG_GROUP
    done
done
if curl -sS --max-time 5 -o /dev/null https://pypi.org/simple/ 2>/tmp/$MARK.curl; then
    echo "offline-check: pypi.org still answers: the network is not cut"; exit 1
fi
echo "network cut on $iface: https://pypi.org → $(tr -d '\n' </tmp/$MARK.curl)"
# The check's own probe above is not the room's: the counters start now, and tcpdump names what leaves from here on.
for ipt in iptables ip6tables; do $ipt -Z OUTPUT; $ipt -Z FORWARD; done
tcpdump -i "nflog:$NFLOG_GROUP" -nn -l >"$TRACE" 2>/dev/null &  # not -q: a query's line names the name
tracer=$!

phase "4. the room: unpack the course, make bundle-load, make doctor-workshop"
tar -xzf "$BUNDLE/course.tar.gz" -C "$room"
# A private mount namespace: this machine's package stores look empty to everything started here.
env -u PIP_FIND_LINKS unshare --mount --propagation private bash -euo pipefail -c '
    for store in /opt/wheels /opt/pypi /opt/pypi-more; do
        if [ -d "$store" ]; then mount -t tmpfs -o ro none "$store"; fi
    done
    cd "$1/dockercourse"
    make --no-print-directory bundle-load BUNDLE="$2"
    make --no-print-directory doctor-workshop
' room-check "$room" "$BUNDLE"

phase "5. the course stack from the bundle; every chapter inside its lab"
cd "$room/dockercourse"
export STACK_NAME=$PROJECT LAB_PORT STACK_IMAGES=$BUNDLE
docker compose up --detach --wait --no-build
chapters_started=$SECONDS
set +e
docker compose exec -T lab python -m dockercourse.tooling.harness nbval
verdict=$?
set -e
echo "offline-check: the chapters took $((SECONDS - chapters_started)) s in the stack ($ACTION)"
mkdir -p "$RESULTS"
for report in nbval-alone nbval; do
    docker compose cp "lab:/home/learner/course/build/test-results/$report.xml" "$RESULTS/stack-$report.xml" || true
done
[ "$verdict" = 0 ] || { echo "offline-check: a chapter failed in the stack: read the nbval output above"; exit 1; }

phase "6. the bundle's slide decks in Chromium, from file://"
(cd "$REPO" && DECKS_UNDER_TEST="$room/dockercourse/build/slides" .venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/site/test_slides.py -k "opens_offline and (half-day or 03-architecture)")
phase "done: every chapter passed in the course stack from the bundle alone, with no registry, no package index;
the bundle's decks opened with no request leaving"
