#!/usr/bin/env bash
# A throwaway PostgreSQL server for the coordinator-store tests.
#
#   export FIELDKIT_TEST_PG_URL="$(bash .ci/postgres.sh)"   # start (idempotent), print the URL
#   bash .ci/postgres.sh stop                               # stop it and delete its data
#
# Installs Debian's postgresql package if no server is installed, runs its own cluster in
# /tmp (port 54329, owned by the postgres user, listening on 127.0.0.1 only; autovacuum off:
# its workers run as the superuser, and a test's DROP DATABASE ... WITH (FORCE) as "fieldkit"
# may not terminate them), creates the
# role "fieldkit" (CREATEDB: each test makes and drops its own database) and the database
# "fieldkit_test". Only the URL goes to stdout; everything else goes to stderr.
set -euo pipefail

PORT="${FIELDKIT_PG_PORT:-54329}"
DATA="/tmp/fieldkit-pg-${PORT}"
URL="postgresql+psycopg://fieldkit:fieldkit@127.0.0.1:${PORT}/fieldkit_test"
log() { echo "postgres.sh: $*" >&2; }

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

PGBIN="$(find_bin)"
if [ -z "${PGBIN}" ] || [ ! -x "${PGBIN}/pg_ctl" ]; then
    log "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    PGBIN="$(find_bin)"
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
as_postgres() { runuser -u postgres -- "$@"; }

if [ "${1:-start}" = "stop" ]; then
    if [ -d "${DATA}" ]; then
        as_postgres "${PGBIN}/pg_ctl" -D "${DATA}" -m immediate stop >&2 || true
        rm -rf "${DATA}"
    fi
    exit 0
fi

if ! as_postgres "${PGBIN}/pg_ctl" -D "${DATA}" status >/dev/null 2>&1; then
    rm -rf "${DATA}"
    install -d -o postgres -g postgres "${DATA}"
    as_postgres "${PGBIN}/initdb" -D "${DATA}" -A trust -U postgres -E UTF8 --no-locale >&2
    as_postgres "${PGBIN}/pg_ctl" -D "${DATA}" -w -l "${DATA}/server.log" \
        -o "-p ${PORT} -c listen_addresses=127.0.0.1 -k /tmp -c fsync=off -c autovacuum=off" \
        start >&2
fi

psql_admin() { as_postgres "${PGBIN}/psql" -h /tmp -p "${PORT}" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'fieldkit'")" != "1" ]; then
    psql_admin -c "CREATE ROLE fieldkit LOGIN CREATEDB PASSWORD 'fieldkit'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'fieldkit_test'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE fieldkit_test OWNER fieldkit" >&2
fi
echo "${URL}"
