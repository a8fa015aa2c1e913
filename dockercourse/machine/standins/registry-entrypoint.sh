#!/bin/sh
# Entrypoint of the offline stand-in for the official registry image; behaves like the official one:
# `docker run registry:3.1.1` runs `registry serve /etc/distribution/config.yml`.
set -e

case "$1" in
	*.yaml|*.yml) set -- registry serve "$@" ;;
	serve|garbage-collect|help|-*) set -- registry "$@" ;;
esac

exec "$@"
