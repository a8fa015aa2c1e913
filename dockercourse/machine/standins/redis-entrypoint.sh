#!/bin/sh
# Entrypoint of the offline stand-in for the official redis image; behaves like the official one.
set -e

# `docker run redis --appendonly yes` or `... redis my.conf`: the arguments are redis-server's.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ]; then
	# The official image compiles protected mode off so other containers can connect;
	# Debian's build keeps it on, so the stand-in switches it off here — after the config file,
	# which redis-server requires as its first argument (`redis-server /etc/redis.conf --port …`).
	shift
	if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
		config="$1"
		shift
		set -- redis-server "$config" --protected-mode no "$@"
	else
		set -- redis-server --protected-mode no "$@"
	fi
	# Like the official image: own /data and drop root before starting the server.
	if [ "$(id -u)" = '0' ]; then
		find . \! -user redis -exec chown redis '{}' +
		exec setpriv --reuid=redis --regid=redis --init-groups "$@"
	fi
fi

exec "$@"
