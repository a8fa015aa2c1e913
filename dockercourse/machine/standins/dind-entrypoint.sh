#!/bin/sh
# Entrypoint of the offline stand-in for Docker's official docker-in-docker image (docker:NN-dind), run as
# the official one is: `docker run --privileged docker:28.5.2-dind`. It starts dockerd the way the official
# image does with TLS switched off (-e DOCKER_TLS_CERTDIR=''): on the local socket and on plain TCP 2375.
# Whoever reaches port 2375 is root on the host: publish it on 127.0.0.1 only (-p 127.0.0.1:PORT:2375).
set -e

# `docker run … docker:28.5.2-dind --debug`: the arguments are dockerd's.
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2375 --tls=false "$@"
fi

if [ "$1" = 'dockerd' ]; then
	# A container stopped and started again keeps its /run: a stale pid file would stop dockerd from
	# starting ("process with PID 1 is still running"), so it goes, as in the official entrypoint.
	find /run /var/run -iname 'docker*.pid' -delete 2>/dev/null || :
	# What Docker's hack/dind script does before dockerd starts in a container (the official image runs it).
	# AppArmor's profiles are loaded through securityfs.
	if [ -d /sys/kernel/security ] && ! mountpoint -q /sys/kernel/security; then
		mount -t securityfs none /sys/kernel/security || echo "dind: could not mount securityfs (AppArmor stays off)" >&2
	fi
	# cgroup v2: move this container's processes out of its root cgroup, so dockerd can hand the
	# controllers on to the containers it starts (on cgroup v1 there is nothing to do).
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		mkdir -p /sys/fs/cgroup/init
		xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs || :
		sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control
	fi
fi

exec "$@"
