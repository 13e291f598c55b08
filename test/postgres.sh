#!/usr/bin/env bash
# Throw-away PostgreSQL clusters for the tests, on loopback only, trusting local connections as user "tessera".
#   test/postgres.sh install          install Debian's postgresql when its binaries are missing (needs root)
#   test/postgres.sh start DIR PORT   create the cluster in DIR if needed, and start it on 127.0.0.1:PORT
#   test/postgres.sh stop DIR         stop it (fast shutdown: sessions are cut, as in an outage)
# initdb refuses to run as root, so as root the server runs as Debian's "postgres" user.
set -euo pipefail

bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  install)
    if [ -z "$(bin)" ]; then
      if [ "$(id -u)" -ne 0 ]; then echo "postgres.sh: PostgreSQL is missing and this is not root; install Debian's postgresql" >&2; exit 1; fi
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    ;;
  start)
    dir=$2 port=$3
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
      as_postgres "$(bin)/initdb" -D "$dir" -U tessera --auth=trust --locale=C -E UTF8 >/dev/null
    fi
    as_postgres "$(bin)/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=400 -c shared_buffers=64MB" start >/dev/null
    ;;
  stop)
    as_postgres "$(bin)/pg_ctl" -D "$2" -m fast -w stop >/dev/null
    ;;
  *)
    echo "usage: postgres.sh install | start DIR PORT | stop DIR" >&2; exit 2
    ;;
esac
