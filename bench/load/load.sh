#!/usr/bin/env bash
# make load: a PostgreSQL primary and its streaming replica, a database seeded like the benchmark,
# Odoo in prefork mode reading from the replica, and Locust's simulated sales people, all on the
# loopback interface, with their data under the cache folder. One worker is killed and the
# replica restarted during the run; the results go to bench/load-<N>.json (bench/load/report.py).
# Everything started here is stopped on exit, also on failure or Ctrl-C.
# Variables: N (deals, 10000), USERS (20), DURATION (seconds, 60), WORKERS (4), KEEP=1 keeps the
# run's folder; ports LOAD_PG_PORT (primary, replica = +1) and LOAD_HTTP_PORT (gevent = +1).
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE_DIR=${DEAL_PIPELINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/deal_pipeline}
ODOO_SRC=${ODOO_SRC:-$CACHE_DIR/odoo-19.0}
VENV_DIR=${VENV_DIR:-$CACHE_DIR/venv}
LOAD_VENV=${LOAD_VENV:-$CACHE_DIR/venv-load}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
N=${N:-10000}
USERS=${USERS:-20}
DURATION=${DURATION:-60}
WORKERS=${WORKERS:-4}
PG_PORT=${LOAD_PG_PORT:-55432}
REPLICA_PORT=$((PG_PORT + 1))
HTTP_PORT=${LOAD_HTTP_PORT:-18000}
GEVENT_PORT=$((HTTP_PORT + 1))
OUTPUT=${OUTPUT:-$REPO_DIR/bench/load-$N.json}
RUN_DIR=$CACHE_DIR/load/run-$$
DB=deal_pipeline_load
PG_USER=deal_load
# per worker: recycled after the request that crosses the soft limit, killed at the hard one
MEMORY_SOFT=$((1024 * 1024 * 1024))
MEMORY_HARD=$((1536 * 1024 * 1024))

say() { printf '\033[1m[load]\033[0m %s\n' "$*" >&2; }
die() {
    printf '\033[1;31m[load] error:\033[0m %s\n' "$*" >&2
    exit 1
}
now() { date +%s.%N; }

# PostgreSQL refuses to run as root. As root, the servers run in a user namespace as the
# unprivileged "nobody": their files stay root's, under the cache folder that only root may
# enter, and nothing of the system changes.
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        unshare --user --map-user="$(id -u nobody)" --map-group="$(id -g nobody)" -- "$@"
    else
        "$@"
    fi
}

# --- Clean-up: everything started here, whatever happens ---------------------------------------
ODOO_PID="" LOCUST_PID="" FAULTS_PID="" STEP_PID=""

# Runs a long command in the background and waits for it: a signal then reaches the trap at once
# instead of after the command.
step() {
    "$@" &
    STEP_PID=$!
    local rc=0
    wait "$STEP_PID" || rc=$?
    STEP_PID=""
    return "$rc"
}

stop_pid() { # $1: pid, $2: seconds to wait after SIGTERM before SIGKILL
    local pid=$1 waited=0
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $(($2 * 10)) ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
}

stop_postgres() { # $1: data directory
    [ -f "$1/postmaster.pid" ] || return 0
    local pid
    pid=$(head -1 "$1/postmaster.pid")
    as_pg "$PG_BIN/pg_ctl" -D "$1" stop -m fast -w -t 30 >/dev/null 2>&1 || stop_pid "$pid" 5
}

cleanup() {
    local rc=$? children=()
    trap - EXIT INT TERM
    if [ -n "$FAULTS_PID" ]; then
        mapfile -t children < <(pgrep -P "$FAULTS_PID" || true)
        stop_pid "$FAULTS_PID" 1
        for pid in "${children[@]}"; do stop_pid "$pid" 1; done
    fi
    [ -n "$STEP_PID" ] && stop_pid "$STEP_PID" 10
    [ -n "$LOCUST_PID" ] && stop_pid "$LOCUST_PID" 10
    if [ -n "$ODOO_PID" ]; then
        mapfile -t children < <(pgrep -P "$ODOO_PID" || true)
        stop_pid "$ODOO_PID" 10
        for pid in "${children[@]}"; do stop_pid "$pid" 5; done
    fi
    stop_postgres "$RUN_DIR/replica"
    stop_postgres "$RUN_DIR/primary"
    if [ "${KEEP:-0}" = 1 ]; then
        say "Kept $RUN_DIR (logs, data directories)"
    else
        rm -rf "$RUN_DIR"
    fi
    say "Stopped everything this run started"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Preparation -------------------------------------------------------------------------------
ensure_load_venv() {
    local wanted stamp="$LOAD_VENV/.deal_pipeline-requirements"
    wanted=$(sha256sum "$REPO_DIR/bench/load/requirements.txt" | cut -c1-16)
    if [ -x "$LOAD_VENV/bin/locust" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
        return
    fi
    say "Building Locust's own virtual environment in $LOAD_VENV (its gevent differs from Odoo's)"
    rm -rf "$LOAD_VENV"
    "${PYTHON:-python3}" -m venv "$LOAD_VENV"
    "$LOAD_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REPO_DIR/bench/load/requirements.txt"
    echo "$wanted" >"$stamp"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- PostgreSQL primary and replica ------------------------------------------------------------
start_primary() {
    local data=$RUN_DIR/primary
    say "PostgreSQL primary on 127.0.0.1:$PG_PORT ($data)"
    as_pg "$PG_BIN/initdb" --pgdata="$data" --username="$PG_USER" --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 --no-sync >/dev/null
    cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
max_connections = 200
shared_buffers = 256MB
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 10000
wal_level = replica
hot_standby_feedback = on
EOF
    cat >"$data/pg_hba.conf" <<EOF
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
EOF
    as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$RUN_DIR/primary.log" -w -t 60 start >/dev/null
}

start_replica() {
    local data=$RUN_DIR/replica
    say "PostgreSQL streaming replica on 127.0.0.1:$REPLICA_PORT (pg_basebackup -R of the primary)"
    step as_pg "$PG_BIN/pg_basebackup" --host=127.0.0.1 --port="$PG_PORT" --username="$PG_USER" \
        --pgdata="$data" --write-recovery-conf --wal-method=stream --checkpoint=fast
    echo "port = $REPLICA_PORT" >>"$data/postgresql.conf"
    as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$RUN_DIR/replica.log" -w -t 60 start >/dev/null
    wait_postgres "$REPLICA_PORT"
}

wait_postgres() {
    for _ in $(seq 60); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" && return 0
        sleep 0.5
    done
    die "PostgreSQL on port $1 did not accept connections"
}

# --- Odoo --------------------------------------------------------------------------------------
write_config() {
    cat >"$RUN_DIR/odoo.conf" <<EOF
[options]
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$REPO_DIR
data_dir = $RUN_DIR/data
db_host = 127.0.0.1
db_port = $PG_PORT
db_user = $PG_USER
db_name = $DB
dbfilter = ^$DB\$
list_db = False
http_interface = 127.0.0.1
http_port = $HTTP_PORT
gevent_port = $GEVENT_PORT
EOF
}

install_and_seed() {
    say "Installing deal_pipeline and crm in $DB, then seeding $N deals like the benchmark"
    local log=$RUN_DIR/install.log
    if ! step "$VENV_DIR/bin/python" "$ODOO_SRC/odoo-bin" -c "$RUN_DIR/odoo.conf" -d "$DB" -i deal_pipeline,crm \
        --stop-after-init --log-level=warn --logfile="$log" || grep -qE " (ERROR|CRITICAL) " "$log"; then
        cat "$log" >&2
        die "installing the addons failed"
    fi
    step env PYTHONPATH="$ODOO_SRC" "$VENV_DIR/bin/python" "$REPO_DIR/bench/load/seed.py" \
        -c "$RUN_DIR/odoo.conf" -d "$DB" --n "$N" --plan "$RUN_DIR/plan.json"
}

start_odoo() {
    say "Odoo on http://127.0.0.1:$HTTP_PORT: $WORKERS workers, reads on the replica, log $RUN_DIR/odoo.log"
    "$VENV_DIR/bin/python" "$ODOO_SRC/odoo-bin" -c "$RUN_DIR/odoo.conf" \
        --workers="$WORKERS" --max-cron-threads=1 \
        --db_replica_host=127.0.0.1 --db_replica_port="$REPLICA_PORT" \
        --limit-memory-soft="$MEMORY_SOFT" --limit-memory-hard="$MEMORY_HARD" \
        --limit-time-cpu=60 --limit-time-real=120 --db_maxconn=16 \
        --logfile="$RUN_DIR/odoo.log" --log-handler=werkzeug:WARNING 2>"$RUN_DIR/odoo.stderr" &
    ODOO_PID=$!
    for _ in $(seq 120); do
        curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/web/health" && break
        kill -0 "$ODOO_PID" 2>/dev/null || die "Odoo stopped; see $RUN_DIR/odoo.log"
        sleep 1
    done
    curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/web/health" || die "Odoo did not answer on port $HTTP_PORT"
    # A worker's first request builds its routing map and templates: every worker serves one
    # before the measure, as on a server that has been running for a while.
    local pids=() pid
    for _ in $(seq "$((WORKERS * 3))"); do
        curl -s -o /dev/null --max-time 120 "http://127.0.0.1:$HTTP_PORT/web/login" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
}

http_workers() { # the WorkerHTTP processes of the master that are alive now
    local pid
    grep -oP 'Worker WorkerHTTP \(\K[0-9]+(?=\) alive)' "$RUN_DIR/odoo.log" | while read -r pid; do
        [ "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$ODOO_PID" ] && echo "$pid"
    done
    return 0
}

snapshot() { # $1: primary|replica, $2: moment
    local port=$PG_PORT
    [ "$1" = replica ] && port=$REPLICA_PORT
    "$VENV_DIR/bin/python" "$REPO_DIR/bench/load/report.py" snapshot --port "$port" --db "$DB" \
        --out "$RUN_DIR/snapshots/$1-$2.json"
}

record_fault() { # $1: name, $2: start, $3: end
    printf '{"fault": "%s", "start": %s, "end": %s}\n' "$1" "$2" "$3" >>"$RUN_DIR/faults.jsonl"
}

# --- Faults: a worker killed, then the replica restarted ---------------------------------------
# A fault window lasts from the fault until the service is back (a new worker alive, the replica
# accepting connections) plus one second; requests may fail only inside it.
kill_worker() {
    local victim started before
    victim=$(http_workers | head -1)
    [ -n "$victim" ] || die "no HTTP worker found to kill"
    before=$(grep -c "Worker WorkerHTTP" "$RUN_DIR/odoo.log" || true)
    started=$(now)
    say "Fault: kill -9 of the HTTP worker $victim"
    kill -KILL "$victim"
    for _ in $(seq 300); do
        [ "$(grep -c "Worker WorkerHTTP" "$RUN_DIR/odoo.log" || true)" -gt "$before" ] && break
        sleep 0.1
    done
    sleep 1
    record_fault "worker killed (kill -9)" "$started" "$(now)"
}

restart_replica() {
    local started
    snapshot replica before-restart
    started=$(now)
    say "Fault: restart of the replica"
    as_pg "$PG_BIN/pg_ctl" -D "$RUN_DIR/replica" -l "$RUN_DIR/replica.log" restart -m fast -w -t 60 >/dev/null
    wait_postgres "$REPLICA_PORT"
    sleep 1
    record_fault "replica restarted" "$started" "$(now)"
    snapshot replica after-restart
}

inject_faults() { # at 30% and 60% of the measured period, which starts once everyone logged in
    trap - EXIT INT TERM
    until [ -s "$RUN_DIR/started" ]; do sleep 0.2; done
    sleep "$((DURATION * 30 / 100))"
    kill_worker
    sleep "$((DURATION * 30 / 100))"
    restart_replica
}

# --- Main --------------------------------------------------------------------------------------
[ -x "$PG_BIN/initdb" ] || die "PostgreSQL server binaries not found in $PG_BIN (Debian: apt-get install postgresql-15)"
for port in "$PG_PORT" "$REPLICA_PORT" "$HTTP_PORT" "$GEVENT_PORT"; do
    port_free "$port" || die "port $port is in use (set LOAD_PG_PORT / LOAD_HTTP_PORT)"
done
ensure_load_venv
mkdir -p "$RUN_DIR/snapshots"
start_primary
write_config
install_and_seed
start_replica
start_odoo
snapshot primary start
snapshot replica start

say "Locust: $USERS simulated sales people for $DURATION s"
: >"$RUN_DIR/faults.jsonl"
inject_faults &
FAULTS_PID=$!
# bounded: the logins before the measured period take a few seconds each on a busy machine
LOAD_PLAN=$RUN_DIR/plan.json LOAD_REQUESTS=$RUN_DIR/requests.jsonl LOAD_WRITES=$RUN_DIR/writes.jsonl \
    LOAD_STARTED=$RUN_DIR/started LOAD_USERS=$USERS LOAD_DURATION=$DURATION \
    timeout "$((DURATION + 900))" "$LOAD_VENV/bin/locust" \
    -f "$REPO_DIR/bench/load/locustfile.py" --headless --only-summary --loglevel WARNING \
    --users "$USERS" --spawn-rate "$(((USERS + 4) / 5))" --stop-timeout 10 \
    --host "http://127.0.0.1:$HTTP_PORT" >"$RUN_DIR/locust.log" 2>&1 &
LOCUST_PID=$!
wait "$LOCUST_PID" || true # Locust exits with 1 when a request failed: the report tells
LOCUST_PID=""
[ -s "$RUN_DIR/started" ] || die "the simulated users did not start; see $RUN_DIR/locust.log"
wait "$FAULTS_PID" || die "a fault could not be injected"
FAULTS_PID=""
snapshot primary end
snapshot replica end
# the largest peak resident memory of the HTTP workers alive now, in MiB
PEAK_RSS=0
for pid in $(http_workers); do
    rss=$(awk '/^VmHWM:/ {print int($2 / 1024)}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$PEAK_RSS" ] && PEAK_RSS=$rss
done

PYTHONPATH="$ODOO_SRC" "$VENV_DIR/bin/python" "$REPO_DIR/bench/load/report.py" report --n "$N" --users "$USERS" \
    --duration "$DURATION" --requests "$RUN_DIR/requests.jsonl" --writes "$RUN_DIR/writes.jsonl" \
    --faults "$RUN_DIR/faults.jsonl" --snapshots "$RUN_DIR/snapshots" --odoo-log "$RUN_DIR/odoo.log" \
    --db "$DB" --primary-port "$PG_PORT" --output "$OUTPUT" \
    --settings "{\"workers\": $WORKERS, \"limit_memory_soft\": $MEMORY_SOFT, \"limit_memory_hard\": $MEMORY_HARD, \"worker_peak_rss_mib\": $PEAK_RSS, \"load_average\": [$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ',')]}"
say "Results written to $OUTPUT"
