#!/usr/bin/env bash
# Development environment of deal_pipeline: reaches PostgreSQL (or starts the project's own
# cluster), finds the Odoo 19.0 source, keeps a cached virtual environment, then runs Odoo, the
# tests, the linters, the benchmark, the load test or the wheel build.
# Usage: scripts/devenv.sh setup|run|test|test-odoo|uninstall-check|upgrade-check|lint|format|wheels|bench|bench-win-model|check-real-export|load|load-test|shell|i18n|screenshots|stop
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The core addon, and every addon of the repository (a folder with a manifest): the core first,
# then its bridges, which bring in the Odoo modules they depend on (crm, sale_project, ...).
ADDON=deal_pipeline
mapfile -t ADDONS < <(cd "$REPO_DIR" && for manifest in */__manifest__.py; do dirname "$manifest"; done | sort)
ADDONS_CSV=$(IFS=,; echo "${ADDONS[*]}")
CACHE_DIR=${DEAL_PIPELINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/deal_pipeline}
ODOO_SRC=${ODOO_SRC:-$CACHE_DIR/odoo-19.0}
ODOO_GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
ODOO_CLONE_TIMEOUT=${ODOO_CLONE_TIMEOUT:-60}
PYTHON=${PYTHON:-python3}
VENV_DIR=${VENV_DIR:-$CACHE_DIR/venv}
DATA_DIR=${ODOO_DATA_DIR:-$CACHE_DIR/data}
NODE_DIR=$CACHE_DIR/node
# The project's own PostgreSQL cluster, started when no server answers. It listens only on the
# socket in its own folder (no TCP), so its port cannot clash with another server's.
PG_OWN_DIR=$CACHE_DIR/postgresql
PG_OWN_PORT=5433
# The system user owning that cluster when the commands run as root (PostgreSQL refuses root).
PG_OWN_OS_USER=deal_pipeline
DEB_BUILD_PACKAGES=(libpq-dev libldap2-dev libsasl2-dev)

is_root() { [ "$(id -u)" = 0 ]; }
say() { printf '\033[1m[deal_pipeline]\033[0m %s\n' "$*" >&2; }
die() {
    printf '\033[1;31m[deal_pipeline] error:\033[0m %s\n' "$1" >&2
    shift
    for line in "$@"; do printf '    %s\n' "$line" >&2; done
    exit 1
}

# --- Odoo source -------------------------------------------------------------------------------
odoo_version_ok() {
    [ -f "$1/odoo/release.py" ] && grep -qE "^version_info = \(19, 0," "$1/odoo/release.py"
}

ensure_odoo_source() {
    if [ -f "$ODOO_SRC/odoo/release.py" ]; then
        odoo_version_ok "$ODOO_SRC" || die "$ODOO_SRC is not an Odoo 19.0 source tree." \
            "$(grep -E '^version_info' "$ODOO_SRC/odoo/release.py" || true)" \
            "Point ODOO_SRC at an Odoo 19.0 checkout (odoo/, addons/, odoo-bin, requirements.txt)."
        return
    fi
    if [ -e "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC" 2>/dev/null)" ]; then
        die "$ODOO_SRC exists but holds no Odoo source (odoo/release.py is missing)." \
            "Remove it, or set ODOO_SRC to an Odoo 19.0 checkout."
    fi
    say "No Odoo source at $ODOO_SRC: trying a shallow clone of $ODOO_GIT_URL (branch 19.0, ${ODOO_CLONE_TIMEOUT}s at most)"
    mkdir -p "$(dirname "$ODOO_SRC")"
    if ! timeout "$ODOO_CLONE_TIMEOUT" git clone --quiet --depth 1 --branch 19.0 "$ODOO_GIT_URL" "$ODOO_SRC" \
        </dev/null; then
        rm -rf "$ODOO_SRC"
        die "The Odoo 19.0 source is missing and could not be cloned." \
            "Provide it in one of these ways, then run the command again:" \
            "  git clone --depth 1 --branch 19.0 $ODOO_GIT_URL \"$ODOO_SRC\"" \
            "  or: export ODOO_SRC=/path/to/odoo-19.0   (a tree with odoo/, addons/, odoo-bin, requirements.txt)"
    fi
    odoo_version_ok "$ODOO_SRC" || die "The clone at $ODOO_SRC is not Odoo 19.0."
}

# --- System packages ---------------------------------------------------------------------------
missing_debs() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    done
}

ensure_debs() {
    command -v dpkg-query >/dev/null || return 0
    local missing
    mapfile -t missing < <(missing_debs "$@")
    [ ${#missing[@]} -eq 0 ] && return 0
    if is_root && command -v apt-get >/dev/null; then
        say "Installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        die "Missing system packages: ${missing[*]}" "Install them: sudo apt-get install ${missing[*]}"
    fi
}

# --- Python virtual environment ----------------------------------------------------------------
requirements_hash() {
    cat "$ODOO_SRC/requirements.txt" "$REPO_DIR/requirements.txt" "$REPO_DIR/requirements-dev.txt" \
        "$REPO_DIR/scripts/pip-constraints.txt" \
        | sha256sum | cut -c1-16
}

ensure_venv() {
    local wanted stamp
    wanted=$(requirements_hash)
    stamp="$VENV_DIR/.deal_pipeline-requirements"
    if [ -x "$VENV_DIR/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
        return
    fi
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found: Odoo 19 needs Python 3.10 to 3.12 (set PYTHON=...)."
    "$PYTHON" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' \
        || die "$("$PYTHON" --version) is not supported by Odoo 19: use Python 3.10 to 3.12 (set PYTHON=...)."
    ensure_debs "${DEB_BUILD_PACKAGES[@]}"
    # Debian's own python3 creates virtual environments only with python3-venv
    "$PYTHON" -c 'import ensurepip' 2>/dev/null || ensure_debs python3-venv
    say "Building the virtual environment in $VENV_DIR (first time or requirements changed: a few minutes)"
    rm -rf "$VENV_DIR"
    "$PYTHON" -m venv "$VENV_DIR"
    venv_pip install --upgrade pip wheel "setuptools<70"
    venv_pip install -r "$ODOO_SRC/requirements.txt" -r "$REPO_DIR/requirements.txt" -r "$REPO_DIR/requirements-dev.txt"
    echo "$wanted" >"$stamp"
}

# pip of the virtual environment, with the constraints given to that pip alone: exported, they
# would reach later pip calls (`pip wheel --no-build-isolation` refuses PIP_BUILD_CONSTRAINT).
venv_pip() {
    local constraints=$REPO_DIR/scripts/pip-constraints.txt
    # Build environments of old sdists too: pip >= 26.2 reads PIP_BUILD_CONSTRAINT for them.
    PIP_CONSTRAINT=$constraints PIP_BUILD_CONSTRAINT=$constraints \
        "$VENV_DIR/bin/pip" "$1" --quiet --disable-pip-version-check "${@:2}"
}

# --- PostgreSQL --------------------------------------------------------------------------------
# The server named by the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD; by default the local
# socket) is used when it answers. When none answers, the project's own cluster is started in
# $PG_OWN_DIR (created the first time, reused by later calls, stopped by the `stop` command).
pg_where() { echo "server ${PGHOST:-local socket}, port ${PGPORT:-5432}, role ${PGUSER:-$(id -un)}"; }

# The programs folder of the newest installed PostgreSQL server (initdb, pg_ctl, psql, ...).
pg_bindir() {
    local initdb
    initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)
    [ -x "$initdb" ] || initdb=$(command -v initdb || true)
    [ -n "$initdb" ] && dirname "$initdb"
    return 0
}

pg_client() { # $1: a client program (psql, pg_isready), from the server's folder or the PATH
    local program=$1
    shift
    if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/$program" ]; then
        "$PG_BIN/$program" "$@"
    elif command -v "$program" >/dev/null; then
        "$program" "$@"
    else
        die "PostgreSQL is not installed ($program is missing)." \
            "Install it (sudo apt-get install postgresql), or its client (postgresql-client) to use a server elsewhere."
    fi
}

# Runs a server program as the owner of the project's own cluster.
pg_own() {
    local program=$PG_BIN/$1
    shift
    if is_root; then
        (cd / && runuser -u "$PG_OWN_OS_USER" -- "$program" "$@")
    else
        "$program" "$@"
    fi
}

pg_own_running() {
    [ -n "$PG_BIN" ] && [ -f "$PG_OWN_DIR/data/PG_VERSION" ] \
        && pg_own pg_ctl --pgdata="$PG_OWN_DIR/data" status >/dev/null 2>&1
}

# As root, the cluster belongs to an unprivileged system user, which must be able to reach its
# folder: it is given the search right (x, with an ACL) on the parents it cannot pass through
# (e.g. a home folder of mode 700), and nothing else.
prepare_own_cluster_owner() {
    if ! id -u "$PG_OWN_OS_USER" >/dev/null 2>&1; then
        say "Creating the system user $PG_OWN_OS_USER, owner of the project's own PostgreSQL cluster"
        useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin \
            "$PG_OWN_OS_USER"
    fi
    local path="" part parts
    IFS=/ read -ra parts <<<"${PG_OWN_DIR#/}"
    for part in "${parts[@]}"; do
        path+=/$part
        runuser -u "$PG_OWN_OS_USER" -- test -x "$path" && continue
        ensure_debs acl
        setfacl --modify "u:$PG_OWN_OS_USER:x" "$path"
    done
}

start_own_cluster() {
    local data=$PG_OWN_DIR/data socket=$PG_OWN_DIR/socket role
    # the invoking user's name, as libpq assumes; Odoo refuses the role postgres
    role=$(id -un)
    [ "$role" = postgres ] && role=odoo
    [ -n "$PG_BIN" ] || die "No PostgreSQL server answers ($(pg_where)) and no PostgreSQL server is installed here to start one." \
        "Install PostgreSQL (sudo apt-get install postgresql) and run the command again," \
        "or point PGHOST, PGPORT, PGUSER, PGPASSWORD at a running server."
    [ -f "$data/PG_VERSION" ] \
        || say "No PostgreSQL server answers ($(pg_where)): creating the project's own cluster in $data"
    mkdir -p "$PG_OWN_DIR"
    if is_root; then
        prepare_own_cluster_owner
        chown "$PG_OWN_OS_USER:" "$PG_OWN_DIR"
    fi
    chmod 700 "$PG_OWN_DIR"
    # one command at a time creates or starts the cluster; the server must not inherit the lock
    exec 9>"$PG_OWN_DIR/.lock"
    flock 9
    if [ ! -f "$data/PG_VERSION" ]; then
        pg_own initdb --pgdata="$data" --username="$role" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
            >/dev/null 9>&-
        cat >>"$data/postgresql.conf" <<EOF

# The project's own cluster (scripts/devenv.sh): reached only through its socket folder.
listen_addresses = ''
port = $PG_OWN_PORT
unix_socket_directories = '$socket'
EOF
    fi
    if ! pg_own_running; then
        say "Starting the project's own PostgreSQL (data in $data, socket in $socket, port $PG_OWN_PORT; 'make stop' stops it)"
        mkdir -p "$socket"
        is_root && chown "$PG_OWN_OS_USER:" "$socket"
        pg_own pg_ctl --pgdata="$data" --log="$PG_OWN_DIR/server.log" --wait --timeout=60 start >/dev/null 9>&- \
            || die "The project's own PostgreSQL did not start: see $PG_OWN_DIR/server.log"
    fi
    exec 9>&-
    export PGHOST=$socket PGPORT=$PG_OWN_PORT PGUSER=$role
    unset PGHOSTADDR PGPASSWORD PGSERVICE
}

# Run as root against the machine's own server (no libpq variables), as on a fresh machine where
# PostgreSQL was just installed: the role root, which the server lacks, is created as a superuser.
ensure_local_root_role() {
    [ -z "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ] && id -u postgres >/dev/null 2>&1 || return 0
    local exists
    exists=$(cd / && runuser -u postgres -- psql -X -q -A -t -d postgres \
        -c "SELECT 1 FROM pg_roles WHERE rolname = 'root'" 2>/dev/null) || return 0
    [ "$exists" = 1 ] && return 0
    say "Creating the PostgreSQL role root (superuser) on the local server"
    (cd / && runuser -u postgres -- createuser --superuser root)
}

ensure_postgres() {
    PG_BIN=$(pg_bindir)
    if [ -z "$PG_BIN" ] && is_root && command -v apt-get >/dev/null; then
        ensure_debs postgresql
        PG_BIN=$(pg_bindir)
    fi
    # pg_isready: 0 accepting connections, 1 rejecting them (starting up), 2 no answer, 3 bad parameters
    local ready=0 role
    pg_client pg_isready --quiet --timeout=5 || ready=$?
    case $ready in
    0) ;;
    1) die "PostgreSQL answers but does not accept connections yet ($(pg_where)): run the command again in a moment." ;;
    2) start_own_cluster ;;
    *) die "The libpq variables do not name a PostgreSQL server ($(pg_where))." \
        "Check PGHOST, PGPORT, PGUSER, PGPASSWORD, or unset them to use the local server." ;;
    esac
    [ "$ready" = 0 ] && is_root && ensure_local_root_role
    if ! role=$(pg_client psql -X -q -A -t -d postgres \
        -c "SELECT current_user, rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user" 2>&1); then
        die "PostgreSQL answers but refuses the connection ($(pg_where))." \
            "$role" \
            "Point PGUSER/PGPASSWORD at a role allowed to create databases, or create one for your user:" \
            "sudo -u postgres createuser --createdb \$USER   (not the role 'postgres': Odoo refuses it)."
    fi
    [ "${role%%|*}" = postgres ] && die "Connected as the role 'postgres', which Odoo refuses to use." \
        "Set PGUSER to another role allowed to create databases: sudo -u postgres createuser --createdb \$USER"
    [ "${role##*|}" = t ] || die "The role ${role%%|*} may not create databases ($(pg_where))." \
        "Allow it: sudo -u postgres psql -c 'ALTER ROLE \"${role%%|*}\" CREATEDB'"
    return 0
}

# --- Odoo helpers ------------------------------------------------------------------------------
setup() {
    ensure_postgres
    ensure_odoo_source
    ensure_venv
    mkdir -p "$DATA_DIR"
    export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
    export PATH="$VENV_DIR/bin:$PATH"
}

write_config() { # $1: config file, $2: database, $3: http port, $4: the addons' folder (the repository)
    cat >"$1" <<EOF
[options]
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,${4:-$REPO_DIR}
data_dir = $DATA_DIR
db_name = $2
dbfilter = ^$2\$
list_db = False
http_interface = 127.0.0.1
http_port = $3
EOF
    [ -n "${PGHOST:-}" ] && echo "db_host = $PGHOST" >>"$1"
    [ -n "${PGPORT:-}" ] && echo "db_port = $PGPORT" >>"$1"
    [ -n "${PGUSER:-}" ] && echo "db_user = $PGUSER" >>"$1"
    [ -n "${PGPASSWORD:-}" ] && echo "db_password = $PGPASSWORD" >>"$1"
    return 0
}

odoo_bin() { "$VENV_DIR/bin/python" "$ODOO_SRC/odoo-bin" "$@"; }

# Runs odoo-bin with --stop-after-init and fails when it logs an error (a failed data file or
# import is only logged by Odoo, not reported in its exit code).
odoo_init() {
    local log rc=0
    log=$(mktemp)
    odoo_bin "$@" --stop-after-init --log-level=warn 2>&1 | tee "$log" >&2 || rc=$?
    if [ "$rc" != 0 ] || grep -qE " (ERROR|CRITICAL) " "$log"; then
        rm -f "$log"
        die "odoo-bin $* failed (see the log above)."
    fi
    rm -f "$log"
}

db_exists() {
    "$VENV_DIR/bin/python" - "$1" <<'PY'
import sys, psycopg2
with psycopg2.connect(dbname="postgres") as cn, cn.cursor() as cr:
    cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [sys.argv[1]])
    sys.exit(0 if cr.fetchone() else 1)
PY
}

drop_db() {
    "$VENV_DIR/bin/python" - "$1" <<'PY' || true
import sys, psycopg2
cn = psycopg2.connect(dbname="postgres")
cn.autocommit = True
cn.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % sys.argv[1])
PY
    rm -rf "${DATA_DIR:?}/filestore/$1"
}

# A throw-away database named $1 (dropped now and when the script exits, also on failure) and its
# Odoo configuration file, in THROWAWAY_CONF, with the HTTP port $2; both in the folder
# THROWAWAY_DIR, removed with the database.
throwaway_db() {
    THROWAWAY_DIR=$(mktemp -d)
    THROWAWAY_CONF=$THROWAWAY_DIR/odoo.conf
    write_config "$THROWAWAY_CONF" "$1" "$2"
    # shellcheck disable=SC2064  # expand now: the trap must drop this database
    trap "drop_db '$1'; rm -rf '$THROWAWAY_DIR'" EXIT
    drop_db "$1"
}

# The addons' files that the database depends on: not the Apps page's (static/description/, where
# `make screenshots` writes), so that new screenshots do not upgrade the demo database.
addon_hash() {
    (cd "$REPO_DIR" && find "${ADDONS[@]}" -type f ! -name '*.pyc' ! -path '*/static/description/*' -print0 \
        | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# --- Commands ----------------------------------------------------------------------------------
cmd_run() {
    setup
    local db=${DB:-deal_pipeline_demo} port=${PORT:-8069}
    local conf="$CACHE_DIR/odoo-run-$db.conf" stamp="$DATA_DIR/.addon-hash-$db" current
    write_config "$conf" "$db" "$port"
    current=$(addon_hash)
    if ! db_exists "$db"; then
        say "Creating database $db with ${ADDONS[*]} and their demo data"
        odoo_init -c "$conf" -d "$db" -i "$ADDONS_CSV" --with-demo
        echo "$current" >"$stamp"
    elif [ "$(cat "$stamp" 2>/dev/null)" != "$current" ]; then
        say "The addons changed: upgrading ${ADDONS[*]} in $db"
        odoo_init -c "$conf" -d "$db" -i "$ADDONS_CSV" -u "$ADDONS_CSV"
        echo "$current" >"$stamp"
    fi
    say "Odoo is starting on http://127.0.0.1:$port  (database $db, login: admin / password: admin)"
    exec "$VENV_DIR/bin/python" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$db"
}

cmd_test() {
    setup
    ensure_debs chromium
    local db=${TEST_DB:-deal_pipeline_test_$$} rc=0
    throwaway_db "$db" "${TEST_PORT:-8079}"
    # first, so that pytest's summary line closes the output
    if [ $# -eq 0 ]; then
        "$REPO_DIR/scripts/devenv.sh" uninstall-check || rc=1
    else
        say "Uninstall check skipped (pytest arguments given); run: scripts/devenv.sh uninstall-check"
    fi
    say "Installing ${ADDONS[*]} without demo data in the throw-away database $db"
    odoo_init -c "$THROWAWAY_CONF" -d "$db" -i "$ADDONS_CSV"
    say "Running the tests (pytest-odoo, browser tours in headless Chromium)"
    cd "$REPO_DIR"
    # the repository's own tests (tests/: the wheels, the README, the setup script; not the load
    # script's, `load-test`), then every addon's
    local addon test_dirs=(tests)
    for addon in "${ADDONS[@]}"; do
        [ -d "$addon/tests" ] && test_dirs+=("$addon/tests")
    done
    # the repository is the root (else the first addon with a pyproject.toml would be)
    pytest -p no:cacheprovider --rootdir "$REPO_DIR" --odoo-config "$THROWAWAY_CONF" --odoo-database "$db" --odoo-http \
        --ignore tests/test_load.py "${test_dirs[@]}" "$@" || rc=$?
    return "$rc"
}

# The addons' suites run by Odoo's own test runner, as OCA's CI and integrators run them: installed
# with --test-enable in a throw-away database, each addon's tests selected by --test-tags
# (/deal_pipeline,/deal_pipeline_project,...; other tags given as the arguments).
cmd_test_odoo() {
    setup
    ensure_debs chromium
    local db=${TEST_DB:-deal_pipeline_test_$$} tags
    tags=${1:-$(printf '/%s,' "${ADDONS[@]}")}
    throwaway_db "$db" "${TEST_PORT:-8079}"
    say "Installing ${ADDONS[*]} in $db and running their tests with odoo-bin --test-tags ${tags%,}"
    odoo_bin -c "$THROWAWAY_CONF" -d "$db" -i "$ADDONS_CSV" --test-enable --test-tags "${tags%,}" \
        --stop-after-init --log-level=test
}

# Installs the addons in their own throw-away database, fills it, uninstalls the bridges one by
# one and then the core, and checks that the orders, invoices, projects and opportunities remain
# (tests/check_uninstall.py).
cmd_uninstall_check() {
    setup
    local db=deal_pipeline_uninstall_$$
    throwaway_db "$db" "${TEST_PORT:-8079}"
    say "Uninstall check: installing $ADDONS_CSV in $db, filling it, uninstalling the bridges, then $ADDON"
    odoo_init -c "$THROWAWAY_CONF" -d "$db" -i "$ADDONS_CSV"
    "$VENV_DIR/bin/python" "$REPO_DIR/tests/check_uninstall.py" -c "$THROWAWAY_CONF" -d "$db"
}

# The previous release: the newest commit (following first parents from HEAD) where an addon's
# manifest has another version than in the working tree; UPGRADE_FROM (a tag, a commit) instead.
previous_release() {
    if [ -n "${UPGRADE_FROM:-}" ]; then
        git -C "$REPO_DIR" rev-parse --verify --quiet "$UPGRADE_FROM^{commit}" \
            || die "UPGRADE_FROM=$UPGRADE_FROM names no commit of this repository."
        return
    fi
    local commit addon old
    declare -A current
    for addon in "${ADDONS[@]}"; do
        current[$addon]=$(manifest_version <"$REPO_DIR/$addon/__manifest__.py")
    done
    while read -r commit; do
        for addon in "${ADDONS[@]}"; do
            old=$(git -C "$REPO_DIR" show "$commit:$addon/__manifest__.py" 2>/dev/null | manifest_version) || continue
            [ "$old" = "${current[$addon]}" ] || {
                echo "$commit"
                return
            }
        done
    done < <(git -C "$REPO_DIR" rev-list --first-parent HEAD)
    [ "$(git -C "$REPO_DIR" rev-parse --is-shallow-repository)" = true ] \
        && die "This clone is shallow and none of its commits has other addon versions than the working tree." \
            "Fetch the whole history (git fetch --unshallow), or name the release: UPGRADE_FROM=<tag or commit>."
    die "No commit has other addon versions than the working tree: there is no previous release to upgrade from." \
        "Name one: UPGRADE_FROM=<tag or commit>."
}

manifest_version() { # the version of the manifest read on stdin
    sed -nE "s/^ *['\"]version['\"]: *['\"]([^'\"]+)['\"].*/\1/p"
}

# Installs the addons of the previous release (read from git) in a throw-away database, fills
# it, upgrades it to the working tree and checks that every record and figure is kept, or changed
# only as the migrations say (tests/check_upgrade.py).
cmd_upgrade_check() {
    setup
    local db=deal_pipeline_upgrade_$$ release previous previous_conf addons=()
    release=$(previous_release)
    throwaway_db "$db" "${TEST_PORT:-8079}"
    previous=$THROWAWAY_DIR/previous
    mkdir "$previous"
    mapfile -t addons < <(git -C "$REPO_DIR" ls-tree --name-only "$release" -- "${ADDONS[@]}")
    git -C "$REPO_DIR" archive "$release" -- "${addons[@]}" | tar -x -C "$previous"
    previous_conf=$THROWAWAY_DIR/previous.conf
    write_config "$previous_conf" "$db" "${TEST_PORT:-8079}" "$previous"
    say "Upgrade check: installing ${addons[*]} as of $(git -C "$REPO_DIR" log -1 --format='%h (%s)' "$release") in $db"
    odoo_init -c "$previous_conf" -d "$db" -i "$(IFS=,; echo "${addons[*]}")"
    "$VENV_DIR/bin/python" "$REPO_DIR/tests/check_upgrade.py" fill -c "$previous_conf" -d "$db" \
        --state "$THROWAWAY_DIR/state.json"
    say "Upgrade check: upgrading $db to the working tree"
    odoo_init -c "$THROWAWAY_CONF" -d "$db" -i "$ADDONS_CSV" -u "$ADDONS_CSV"
    "$VENV_DIR/bin/python" "$REPO_DIR/tests/check_upgrade.py" check -c "$THROWAWAY_CONF" -d "$db" \
        --state "$THROWAWAY_DIR/state.json"
}

# --- Node tools of the linters ------------------------------------------------------------------
# Prettier (with its XML plugin) and ESLint, at the versions of scripts/lint/package-lock.json,
# installed into $NODE_DIR; reinstalled only when that file changes.
ensure_node_tools() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        if is_root && command -v apt-get >/dev/null; then
            ensure_debs nodejs npm
        else
            die "Node.js and npm are missing: the XML and JavaScript linters need them." \
                "Install them: sudo apt-get install nodejs npm"
        fi
    fi
    local wanted stamp=$NODE_DIR/.deal_pipeline-lock
    wanted=$(sha256sum <"$REPO_DIR/scripts/lint/package-lock.json" | cut -c1-16)
    if [ ! -x "$NODE_DIR/node_modules/.bin/prettier" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        say "Installing the XML and JavaScript linters into $NODE_DIR (npm ci)"
        rm -rf "$NODE_DIR"
        mkdir -p "$NODE_DIR"
        cp "$REPO_DIR/scripts/lint/package.json" "$REPO_DIR/scripts/lint/package-lock.json" "$NODE_DIR/"
        (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
        echo "$wanted" >"$stamp"
    fi
    # prettier.config.cjs and eslint.config.cjs find their plugins through NODE_PATH
    export NODE_PATH=$NODE_DIR/node_modules PATH="$NODE_DIR/node_modules/.bin:$PATH"
}

lint_setup() {
    ensure_odoo_source
    ensure_venv
    ensure_node_tools
    export PATH="$VENV_DIR/bin:$PATH"
    cd "$REPO_DIR"
}

# The hooks of .pre-commit-config.yaml over every file, offline: Python (ruff, pylint-odoo),
# XML and JavaScript (prettier, eslint), and the addons' pyproject.toml (whool init).
cmd_lint() {
    lint_setup
    pre-commit run --all-files --show-diff-on-failure
}

# Rewrites the files the way `lint` wants them: Python with ruff, XML and JavaScript with prettier.
cmd_format() {
    lint_setup
    ruff format .
    ruff check --fix --exit-zero --quiet .
    git ls-files -z -- '*.xml' '*.js' '*.cjs' | xargs -0 prettier --write --log-level=warn
}

# The addons' wheels (OCA style: odoo-addon-<addon>, version from the manifest, built by whool
# from the files git tracks) into dist/, offline.
cmd_wheels() {
    ensure_odoo_source
    ensure_venv
    cd "$REPO_DIR"
    local addon
    for addon in "${ADDONS[@]}"; do
        [ -f "$addon/pyproject.toml" ] || die "$addon has no pyproject.toml: run 'make lint' (its whool-init hook adds it)."
    done
    "$VENV_DIR/bin/pip" wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation \
        --wheel-dir dist "${ADDONS[@]/#/./}"
    say "Built into dist/: $(cd dist && ls -- *.whl | tr '\n' ' ')"
}

# Stops the project's own PostgreSQL cluster (started by run/test when no server answers).
cmd_stop() {
    PG_BIN=$(pg_bindir)
    if pg_own_running; then
        pg_own pg_ctl --pgdata="$PG_OWN_DIR/data" --wait stop --mode=fast >/dev/null
        say "Stopped the project's own PostgreSQL ($PG_OWN_DIR)"
    else
        say "The project's own PostgreSQL is not running"
    fi
}

cmd_bench() {
    setup
    cd "$REPO_DIR"
    exec "$VENV_DIR/bin/python" bench/run.py --odoo-src "$ODOO_SRC" --data-dir "$DATA_DIR" --repo "$REPO_DIR" "$@"
}

# The win probability model's training at N deals of 10 stays each: bench/win_model.py.
cmd_bench_win_model() {
    setup
    cd "$REPO_DIR"
    exec "$VENV_DIR/bin/python" bench/win_model.py --odoo-src "$ODOO_SRC" --data-dir "$DATA_DIR" --repo "$REPO_DIR" "$@"
}

# The reports checked against a real CRM export imported through Odoo's import:
# bench/real_export.py --csv FILE (Maven Analytics' sales_pipeline.csv, not in the repository).
cmd_check_real_export() {
    setup
    cd "$REPO_DIR"
    exec "$VENV_DIR/bin/python" bench/real_export.py --odoo-src "$ODOO_SRC" --data-dir "$DATA_DIR" --repo "$REPO_DIR" "$@"
}

# Production topology under load: bench/load/load.sh (primary + replica, prefork Odoo, Locust).
cmd_load() {
    ensure_odoo_source
    ensure_venv
    DEAL_PIPELINE_CACHE=$CACHE_DIR ODOO_SRC=$ODOO_SRC VENV_DIR=$VENV_DIR exec "$REPO_DIR/bench/load/load.sh" "$@"
}

# The load script's own test (tests/test_load.py): a tiny run of `load`, checked; 15 minutes.
cmd_load_test() {
    ensure_odoo_source
    ensure_venv
    cd "$REPO_DIR"
    DEAL_PIPELINE_CACHE=$CACHE_DIR ODOO_SRC=$ODOO_SRC VENV_DIR=$VENV_DIR \
        "$VENV_DIR/bin/pytest" -p no:odoo -p no:cacheprovider --rootdir "$REPO_DIR" tests/test_load.py
}

# Regenerates i18n/deal_pipeline.pot and merges it into every i18n/*.po (msgmerge keeps the
# existing translations; new terms arrive untranslated).
cmd_i18n() {
    setup
    ensure_debs gettext
    local db=deal_pipeline_i18n_$$ po addon
    throwaway_db "$db" "${TEST_PORT:-8079}"
    # Each addon is exported as soon as it is installed, the core first: the fields that the
    # bridges' dependencies add to deals (ratings, calendar events) stay out of the core's terms.
    # With demo data, as Odoo exports its own: the demo pipeline, stages and tags are translated.
    for addon in "${ADDONS[@]}"; do
        odoo_init -c "$THROWAWAY_CONF" -d "$db" -i "$addon" --with-demo
        mkdir -p "$REPO_DIR/$addon/i18n"
        odoo_bin i18n export -c "$THROWAWAY_CONF" -d "$db" -o "$REPO_DIR/$addon/i18n/$addon.pot" "$addon"
        for po in "$REPO_DIR/$addon"/i18n/*.po; do
            [ -f "$po" ] && msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$REPO_DIR/$addon/i18n/$addon.pot"
        done
    done
    say "Updated the i18n folders of ${ADDONS[*]}: translate the empty msgstr entries of the .po files"
}

# The screenshots of every addon's static/description/ (scripts/screenshots.py), taken on the demo
# database: on the server of `make run` when it answers on $PORT, else on one started for the run.
cmd_screenshots() {
    setup
    ensure_debs chromium
    local db=${DB:-deal_pipeline_demo} port=${PORT:-8069} server waited=0
    local url=http://127.0.0.1:$port
    if ! server_answers "$url"; then
        say "Starting the demo server of 'make run' on $url for the screenshots"
        # in a process group of its own, stopped as a whole at the end
        DB=$db PORT=$port setsid "$REPO_DIR/scripts/devenv.sh" run &
        server=$!
        # shellcheck disable=SC2064  # expand now: the trap must stop this server
        trap "kill -- -$server 2>/dev/null || true" EXIT
        until server_answers "$url"; do
            kill -0 "$server" 2>/dev/null || die "The demo server stopped before answering (see the log above)."
            [ $((waited += 2)) -lt 1800 ] || die "The demo server did not answer on $url in 30 minutes."
            sleep 2
        done
    fi
    "$VENV_DIR/bin/python" "$REPO_DIR/scripts/screenshots.py" --url "$url" --db "$db" "$@"
}

server_answers() {
    "$VENV_DIR/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/web/health", timeout=5)' \
        "$1" 2>/dev/null
}

cmd_shell() {
    setup
    local db=${DB:-deal_pipeline_demo}
    local conf="$CACHE_DIR/odoo-run-$db.conf"
    write_config "$conf" "$db" "${PORT:-8069}"
    exec "$VENV_DIR/bin/python" "$ODOO_SRC/odoo-bin" shell -c "$conf" -d "$db"
}

main() {
    case "${1:-}" in
    setup)
        setup
        say "Ready: PostgreSQL $(pg_where), Odoo source $ODOO_SRC, virtual environment $VENV_DIR"
        ;;
    run | test | lint | format | wheels | bench | load | shell | i18n | screenshots | stop)
        cmd=$1
        shift
        "cmd_$cmd" "$@"
        ;;
    test-odoo)
        shift
        cmd_test_odoo "$@"
        ;;
    bench-win-model)
        shift
        cmd_bench_win_model "$@"
        ;;
    check-real-export)
        shift
        cmd_check_real_export "$@"
        ;;
    uninstall-check) cmd_uninstall_check ;;
    upgrade-check) cmd_upgrade_check ;;
    load-test) cmd_load_test ;;
    *) die "usage: $0 setup|run|test|test-odoo|uninstall-check|upgrade-check|lint|format|wheels|bench|bench-win-model|check-real-export|load|load-test|shell|i18n|screenshots|stop" ;;
    esac
}

# Sourced (by tests/test_devenv.py), it only defines its functions.
[ "${BASH_SOURCE[0]}" != "$0" ] || main "$@"
