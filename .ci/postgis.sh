#!/usr/bin/env bash
# Install (when root and missing), start and prepare a local PostGIS for the test suite.
# With --env, prints BEATGRID_TEST_POSTGRES_URL=... on stdout for `source`; all else goes to stderr.
# Without root or apt the suite still runs, and the PostGIS half of it reports itself skipped.
set -uo pipefail
log() { echo "postgis.sh: $*" >&2; }
PGVER=${PGVER:-15}
DB=${BEATGRID_TEST_DB:-beatgrid_test}
PORT=${BEATGRID_TEST_PGPORT:-5432}

if ! command -v pg_ctlcluster >/dev/null || [ ! -d "/usr/share/postgresql/$PGVER/extension" ] \
   || ! ls /usr/share/postgresql/$PGVER/extension/postgis.control >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing postgresql-$PGVER and postgis 3 from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq "postgresql-$PGVER" "postgresql-$PGVER-postgis-3" >&2 \
      || { log "could not install PostGIS"; exit 1; }
  else
    log "PostGIS is not installed and this user cannot install it; PostGIS tests will skip"
    exit 1
  fi
fi

if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$PGVER main$"; then
  pg_createcluster "$PGVER" main -p "$PORT" >&2 || { log "cannot create cluster"; exit 1; }
fi
pg_ctlcluster "$PGVER" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -p "$PORT" && break
  sleep 1
done
pg_isready -q -p "$PORT" || { log "PostgreSQL did not start"; exit 1; }

as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else bash -c "$1"; fi; }
as_pg "psql -p $PORT -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='beatgrid'\" | grep -q 1 \
  || psql -p $PORT -qc \"CREATE ROLE beatgrid LOGIN SUPERUSER PASSWORD 'beatgrid'\"" >&2
as_pg "psql -p $PORT -qtAc \"SELECT 1 FROM pg_database WHERE datname='$DB'\" | grep -q 1 \
  || createdb -p $PORT -O beatgrid $DB" >&2
as_pg "psql -p $PORT -d $DB -qc 'CREATE EXTENSION IF NOT EXISTS postgis'" >&2 \
  || { log "cannot enable the postgis extension"; exit 1; }

# a tablespace on a 4 MB file system, so the tests can fill PostgreSQL's disk for real
FULL=/var/lib/postgresql/bg_full
if [ "$(id -u)" = 0 ] && ! as_pg "psql -p $PORT -qtAc \"SELECT 1 FROM pg_tablespace WHERE spcname='bg_full'\"" | grep -q 1; then
  mkdir -p "$FULL"
  if mountpoint -q "$FULL" || mount -t tmpfs -o size=4m,mode=0700 tmpfs "$FULL"; then
    chown postgres:postgres "$FULL"
    as_pg "psql -p $PORT -qc \"CREATE TABLESPACE bg_full LOCATION '$FULL'\"" >&2 \
      || log "no tablespace bg_full: the PostgreSQL disk-full test will skip"
  else
    log "cannot mount a small tmpfs: the PostgreSQL disk-full test will skip"
  fi
fi

URL="postgresql+psycopg://beatgrid:beatgrid@127.0.0.1:$PORT/$DB"
log "PostGIS ready at $URL"
if [ "${1:-}" = "--env" ]; then echo "BEATGRID_TEST_POSTGRES_URL=$URL"; fi
