#!/usr/bin/env bash
# A throwaway PostgreSQL for the audit-store contract suite, shared by the whole test run.
#
#   eval "$(.ci/postgres.sh start)"   # prints: export COUNTERSIGN_TEST_POSTGRES_URL=postgres://…
#   npm test
#   .ci/postgres.sh stop
#   .ci/postgres.sh pause; .ci/postgres.sh resume   # stop and start again on the same data (a restart)
#
# In GitHub Actions, `start` also appends the URL to $GITHUB_ENV for later steps.
# Settings (environment): COUNTERSIGN_PG_DIR (default ${TMPDIR:-/tmp}/countersign-pg),
# COUNTERSIGN_PG_PORT (default 54329), COUNTERSIGN_PG_BIN (default: newest /usr/lib/postgresql/*/bin,
# else `pg_config --bindir`, else initdb on PATH). As root, the server runs as the `postgres` user.
# Only the export line goes to stdout; progress and errors go to stderr.
set -euo pipefail

DIR="${COUNTERSIGN_PG_DIR:-${TMPDIR:-/tmp}/countersign-pg}"
PORT="${COUNTERSIGN_PG_PORT:-54329}"
DATA="$DIR/data"
SOCKETS="$DIR/run"
LOG="$DIR/postgres.log"
TIMEOUT="${COUNTERSIGN_PG_TIMEOUT:-60}"

say() { echo "postgres.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

find_bin() {
  if [[ -n "${COUNTERSIGN_PG_BIN:-}" ]]; then
    [[ -x "$COUNTERSIGN_PG_BIN/initdb" ]] || die "COUNTERSIGN_PG_BIN=$COUNTERSIGN_PG_BIN has no initdb"
    echo "$COUNTERSIGN_PG_BIN"; return
  fi
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n | tail -n1 || true)"
  if [[ -n "$newest" && -x "$newest/initdb" ]]; then echo "$newest"; return; fi
  if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then pg_config --bindir; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  die "no PostgreSQL server binaries found (install postgresql, or set COUNTERSIGN_PG_BIN)"
}

BIN="$(find_bin)"

# initdb and postgres refuse to run as root: run them as the postgres user then.
as_pg() {
  if [[ "$(id -u)" == 0 ]]; then
    id -u postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user"
    if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"
    else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

url() { echo "postgres://postgres@127.0.0.1:$PORT/postgres"; }

pg_start() {
  say "starting on 127.0.0.1:$PORT"
  local opts="-p $PORT -k $SOCKETS -c listen_addresses=127.0.0.1"
  opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
  if ! (cd "$DIR" && as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t "$TIMEOUT" -o "$opts" start >&2); then
    tail -n 30 "$LOG" >&2 || true
    die "pg_ctl start failed (is port $PORT free? set COUNTERSIGN_PG_PORT)"
  fi
}

wait_ready() {
  local deadline=$((SECONDS + TIMEOUT))
  until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres; do
    (( SECONDS < deadline )) || { tail -n 30 "$LOG" >&2 || true; die "not ready after ${TIMEOUT}s"; }
    sleep 0.2
  done
  say "ready"
}

start() {
  if [[ -f "$DATA/postmaster.pid" ]] && (cd / && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1); then
    say "already running in $DIR"
  else
    rm -rf "$DIR"
    mkdir -p "$DIR" "$SOCKETS"
    if [[ "$(id -u)" == 0 ]]; then
      chown -R postgres:postgres "$DIR"
      chmod 700 "$DIR"
    fi
    say "initdb $DATA ($BIN)"
    (cd "$DIR" && as_pg "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null) \
      || die "initdb failed"
    pg_start
  fi
  wait_ready
  if [[ -n "${GITHUB_ENV:-}" ]]; then echo "COUNTERSIGN_TEST_POSTGRES_URL=$(url)" >>"$GITHUB_ENV"; fi
  echo "export COUNTERSIGN_TEST_POSTGRES_URL=$(url)"
}

stop() {
  if [[ -d "$DATA" ]]; then
    (cd / && as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w -t "$TIMEOUT" stop >&2) || say "pg_ctl stop failed (not running?)"
  fi
  rm -rf "$DIR"
  say "stopped and removed $DIR"
}

# pause/resume: stop the server and start it again on the same data (a database restart, for the
# fault bench); the data directory is kept, unlike `stop`.
pause() {
  [[ -d "$DATA" ]] || die "no server in $DIR"
  (cd / && as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w -t "$TIMEOUT" stop >&2) || die "pg_ctl stop failed"
}

resume() {
  [[ -d "$DATA" ]] || die "no server in $DIR"
  pg_start
  wait_ready
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  pause) pause ;;
  resume) resume ;;
  url) url ;;
  *) echo "usage: $0 start|stop|pause|resume|url" >&2; exit 2 ;;
esac
