# Shared set-up for scripts/run and scripts/test: system packages and a local PostgreSQL cluster.
# Sourced, not executed. Everything here is idempotent: a second call finds the work done.

SMSHUB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SMSHUB_PG_PORT="${SMSHUB_PG_PORT:-54329}"
SMSHUB_PG_DATA="${SMSHUB_PG_DATA:-$SMSHUB_ROOT/.data/pg}"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi
}

# The directory holding initdb/pg_ctl (and pg_basebackup beside them): PATH first, links followed to
# the installation's own directory, then Debian's versioned location.
pg_bindir() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"; return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && echo "$d"
}

# apt packages the build and the local database need, installed only when missing.
ensure_system_packages() {
  local missing=()
  pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
  pkg-config --exists libcrypto 2>/dev/null || missing+=(libssl-dev)
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if [ -z "${DATABASE_URL:-}" ] || [ -n "${SMSHUB_NEED_LOCAL_PG:-}" ]; then
    [ -n "$(pg_bindir)" ] || missing+=(postgresql)
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

# Installs Debian packages. A new machine has no package lists yet, so they are fetched once first.
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# Runs a PostgreSQL server binary as an unprivileged user: the server refuses to run as root.
# The contract check's tools, from PyPI, at the versions it was written against.
ensure_python_tools() {
  if ! python3 -c 'import openapi_spec_validator' 2>/dev/null || ! command -v schemathesis >/dev/null 2>&1 \
     || [ "$(schemathesis --version 2>/dev/null | awk '{print $NF}')" != 4.32.5 ]; then
    log "installing openapi-spec-validator and schemathesis (pip)"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
      'openapi-spec-validator==0.9.0' 'schemathesis==4.32.5' >&2
  fi
}

# Stops the script when something already listens on 127.0.0.1:$1 ($2 names what wanted it).
require_free_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    die "port $1 is in use (is $2 already running? stop it, or set $3)"
  fi
}

# A field of the JSON on stdin: `json '["account"]["id"]'`.
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# Waits up to 60 s for smshub at base URL $1 to answer /readyz; gives up early when process $3 (if
# given) exits. On failure shows the end of log file $2 (if given) and stops the script.
wait_ready() {
  local base=$1 logfile=${2:-} pid=${3:-}
  for _ in $(seq 1 120); do
    curl -sf "$base/readyz" >/dev/null 2>&1 && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.5
  done
  [ -n "$logfile" ] && tail -n 40 "$logfile" >&2
  die "smshub did not become ready at $base"
}

pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Where the cluster goes when the server user cannot reach $SMSHUB_PG_DATA (a checkout under a private
# directory, as CI's fresh clones are): one per checkout and port.
fallback_pg_data() {
  echo "/var/tmp/smshub-pg-$(printf '%s' "$SMSHUB_ROOT" | md5sum | cut -c1-12)-$SMSHUB_PG_PORT"
}

# Creates (first time) and starts a cluster in $SMSHUB_PG_DATA listening on 127.0.0.1:$SMSHUB_PG_PORT.
# The cluster trusts loopback connections: it is a development and test database, never exposed.
# SMSHUB_PG_FAST=1 turns durability off for throwaway test data.
ensure_local_cluster() {
  local bindir; bindir=$(pg_bindir) || true
  [ -n "$bindir" ] || die "PostgreSQL server binaries not found"
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    as_root useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  mkdir -p "$(dirname "$SMSHUB_PG_DATA")"
  if [ "$(id -u)" = 0 ]; then
    # The server user must reach the data directory through every parent; fall back to /var/tmp when it cannot.
    mkdir -p "$SMSHUB_PG_DATA" && chown postgres "$SMSHUB_PG_DATA"
    if ! runuser -u postgres -- test -w "$SMSHUB_PG_DATA"; then
      SMSHUB_PG_DATA=$(fallback_pg_data)
      mkdir -p "$SMSHUB_PG_DATA" && chown postgres "$SMSHUB_PG_DATA"
    fi
    chmod 700 "$SMSHUB_PG_DATA"
  fi
  if [ ! -f "$SMSHUB_PG_DATA/PG_VERSION" ]; then
    log "creating PostgreSQL cluster in $SMSHUB_PG_DATA"
    pg_as_owner "$bindir/initdb" -D "$SMSHUB_PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null \
      || pg_as_owner "$bindir/initdb" -D "$SMSHUB_PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
    cat >> "$SMSHUB_PG_DATA/postgresql.conf" <<CONF
# smshub local cluster
listen_addresses = '127.0.0.1'
port = $SMSHUB_PG_PORT
unix_socket_directories = ''
max_connections = 300
shared_buffers = 256MB
CONF
  fi
  if pg_as_owner "$bindir/pg_ctl" -D "$SMSHUB_PG_DATA" status >/dev/null 2>&1; then
    return
  fi
  # Another checkout's local cluster may already hold the port: share it rather than fail.
  if psql -X -q -At -c 'SELECT 1' "postgresql://postgres@127.0.0.1:$SMSHUB_PG_PORT/postgres" >/dev/null 2>&1; then
    log "using the PostgreSQL already running on 127.0.0.1:$SMSHUB_PG_PORT"
    return
  fi
  local opts=""
  if [ "${SMSHUB_PG_FAST:-}" = 1 ]; then opts="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
  log "starting PostgreSQL on 127.0.0.1:$SMSHUB_PG_PORT"
  pg_as_owner "$bindir/pg_ctl" -D "$SMSHUB_PG_DATA" -l "$SMSHUB_PG_DATA/server.log" -o "$opts" -w -t 60 start >/dev/null \
    || { tail -n 30 "$SMSHUB_PG_DATA/server.log" >&2; die "PostgreSQL did not start"; }
}

SMSHUB_PG_SUPERUSER_URL="postgresql://postgres@127.0.0.1:$SMSHUB_PG_PORT/postgres"

# Roles and the application database in the local cluster (superuser, idempotent).
#   smshub_owner: owns the database and schema, runs migrations (CREATEROLE, to create smshub_admin).
#   smshub_app:   the service's login; owns nothing.
ensure_local_database() {
  psql -X -q -v ON_ERROR_STOP=1 "$SMSHUB_PG_SUPERUSER_URL" <<'SQL'
SELECT 'CREATE ROLE smshub_owner LOGIN CREATEROLE' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'smshub_owner') \gexec
SELECT 'CREATE ROLE smshub_app LOGIN NOINHERIT' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'smshub_app') \gexec
ALTER ROLE smshub_app LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS;
SELECT 'CREATE DATABASE smshub OWNER smshub_owner' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'smshub') \gexec
SQL
}

# Exports DATABASE_URL/MIGRATION_DATABASE_URL for the local cluster unless the caller configured a database.
use_local_database_unless_configured() {
  if [ -n "${DATABASE_URL:-}" ]; then
    export MIGRATION_DATABASE_URL="${MIGRATION_DATABASE_URL:-$DATABASE_URL}"
    return
  fi
  ensure_local_cluster
  ensure_local_database
  export DATABASE_URL="postgresql://smshub_app@127.0.0.1:$SMSHUB_PG_PORT/smshub"
  export MIGRATION_DATABASE_URL="postgresql://smshub_owner@127.0.0.1:$SMSHUB_PG_PORT/smshub"
}
