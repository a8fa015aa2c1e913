#!/bin/sh
# Entrypoint of the offline stand-in for the official redis image; behaves like the official one.
set -e

# `docker run redis --appendonly yes` or `... redis my.conf`: the arguments are redis-server's.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ]; then
	# The official image compiles protected mode off so other containers can connect;
	# Debian's build keeps it on, so the stand-in switches it off here.
	shift
	set -- redis-server --protected-mode no "$@"
	# Like the official image: own /data and drop root before starting the server.
	if [ "$(id -u)" = '0' ]; then
		find . \! -user redis -exec chown redis '{}' +
		exec setpriv --reuid=redis --regid=redis --init-groups "$@"
	fi
fi

exec "$@"
