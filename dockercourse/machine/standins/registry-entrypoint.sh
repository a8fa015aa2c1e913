#!/bin/sh
# Entrypoint of the offline stand-in for the official registry image; behaves like the official one:
# `docker run registry:2.8.3` runs `registry serve /etc/docker/registry/config.yml`.
set -e

case "$1" in
	*.yaml|*.yml) set -- registry serve "$@" ;;
	serve|garbage-collect|help|-*) set -- registry "$@" ;;
esac

exec "$@"
