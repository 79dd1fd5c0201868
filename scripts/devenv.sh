#!/usr/bin/env bash
# Development environment of deal_pipeline: finds the Odoo 19.0 source, keeps a cached virtual
# environment, checks PostgreSQL, then runs Odoo, the tests, the linters or the benchmark.
# Usage: scripts/devenv.sh setup|run|test|uninstall-check|lint|bench|load|shell|i18n
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
DEB_BUILD_PACKAGES=(libpq-dev libldap2-dev libsasl2-dev)

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
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "Installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        die "Missing system packages: ${missing[*]}" "Install them: sudo apt-get install ${missing[*]}"
    fi
}

# --- Python virtual environment ----------------------------------------------------------------
requirements_hash() {
    cat "$ODOO_SRC/requirements.txt" "$REPO_DIR/requirements-dev.txt" "$REPO_DIR/scripts/pip-constraints.txt" \
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
    # Build environments of old sdists too: pip >= 26.2 reads PIP_BUILD_CONSTRAINT for them.
    export PIP_CONSTRAINT="$REPO_DIR/scripts/pip-constraints.txt" PIP_BUILD_CONSTRAINT="$REPO_DIR/scripts/pip-constraints.txt"
    "$VENV_DIR/bin/pip" install --quiet --disable-pip-version-check --upgrade pip wheel "setuptools<70"
    "$VENV_DIR/bin/pip" install --quiet --disable-pip-version-check \
        -r "$ODOO_SRC/requirements.txt" -r "$REPO_DIR/requirements-dev.txt"
    echo "$wanted" >"$stamp"
}

# --- PostgreSQL --------------------------------------------------------------------------------
ensure_postgres() {
    local err
    if ! err=$("$VENV_DIR/bin/python" - <<'PY' 2>&1
import psycopg2
try:
    with psycopg2.connect(dbname="postgres", connect_timeout=5) as cn, cn.cursor() as cr:
        cr.execute("SELECT current_user")
        if cr.fetchone()[0] == "postgres":
            raise SystemExit("Connected as the role 'postgres', which Odoo refuses to use.")
except psycopg2.OperationalError as exc:
    raise SystemExit(str(exc).strip())
PY
    ); then
        die "PostgreSQL is not reachable (server ${PGHOST:-local socket}, port ${PGPORT:-5432}, role ${PGUSER:-$(id -un)})." \
            "$err" \
            "Start the server (e.g. 'pg_ctlcluster 15 main start') or point the libpq variables at it:" \
            "PGHOST, PGPORT, PGUSER, PGPASSWORD. The role must be allowed to create databases, and must not be 'postgres'" \
            "(Odoo refuses it): e.g. 'sudo -u postgres createuser --superuser \$USER'."
    fi
}

# --- Odoo helpers ------------------------------------------------------------------------------
setup() {
    ensure_odoo_source
    ensure_venv
    ensure_postgres
    mkdir -p "$DATA_DIR"
    export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
    export PATH="$VENV_DIR/bin:$PATH"
}

write_config() { # $1: config file, $2: database, $3: http port
    cat >"$1" <<EOF
[options]
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$REPO_DIR
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

addon_hash() {
    (cd "$REPO_DIR" && find "${ADDONS[@]}" -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
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
    local db=${TEST_DB:-deal_pipeline_test_$$} port=${TEST_PORT:-8079} conf
    conf=$(mktemp --suffix=.conf)
    write_config "$conf" "$db" "$port"
    # shellcheck disable=SC2064  # expand now: the trap must drop this database
    trap "drop_db '$db'; rm -f '$conf'" EXIT
    drop_db "$db"
    local rc=0
    # first, so that pytest's summary line closes the output
    if [ $# -eq 0 ]; then
        "$REPO_DIR/scripts/devenv.sh" uninstall-check || rc=1
    else
        say "Uninstall check skipped (pytest arguments given); run: scripts/devenv.sh uninstall-check"
    fi
    say "Installing ${ADDONS[*]} without demo data in the throw-away database $db"
    odoo_init -c "$conf" -d "$db" -i "$ADDONS_CSV"
    say "Running the tests (pytest-odoo, browser tours in headless Chromium)"
    cd "$REPO_DIR"
    local addon test_dirs=()
    for addon in "${ADDONS[@]}"; do
        [ -d "$addon/tests" ] && test_dirs+=("$addon/tests")
    done
    pytest -p no:cacheprovider --odoo-config "$conf" --odoo-database "$db" --odoo-http \
        "${test_dirs[@]}" "$@" || rc=$?
    return "$rc"
}

# Installs the addon in its own throw-away database, fills it, uninstalls the addon and checks
# that the sale orders and invoices remain (scripts/check_uninstall.py).
cmd_uninstall_check() {
    setup
    local db=deal_pipeline_uninstall_$$ conf
    conf=$(mktemp --suffix=.conf)
    write_config "$conf" "$db" "${TEST_PORT:-8079}"
    # shellcheck disable=SC2064  # expand now: the trap must drop this database
    trap "drop_db '$db'; rm -f '$conf'" EXIT
    drop_db "$db"
    say "Uninstall check: installing $ADDON in $db, filling it with orders and invoices, uninstalling it"
    odoo_init -c "$conf" -d "$db" -i "$ADDON"
    "$VENV_DIR/bin/python" "$REPO_DIR/scripts/check_uninstall.py" -c "$conf" -d "$db"
}

cmd_lint() {
    ensure_odoo_source
    ensure_venv
    export PATH="$VENV_DIR/bin:$PATH"
    cd "$REPO_DIR"
    "$VENV_DIR/bin/pre-commit" run --all-files --show-diff-on-failure
}

cmd_bench() {
    setup
    cd "$REPO_DIR"
    exec "$VENV_DIR/bin/python" bench/run.py --odoo-src "$ODOO_SRC" --data-dir "$DATA_DIR" --repo "$REPO_DIR" "$@"
}

# Production topology under load: scripts/load.sh (primary + replica, prefork Odoo, Locust).
cmd_load() {
    ensure_odoo_source
    ensure_venv
    DEAL_PIPELINE_CACHE=$CACHE_DIR ODOO_SRC=$ODOO_SRC VENV_DIR=$VENV_DIR exec "$REPO_DIR/scripts/load.sh" "$@"
}

# Regenerates i18n/deal_pipeline.pot and merges it into every i18n/*.po (msgmerge keeps the
# existing translations; new terms arrive untranslated).
cmd_i18n() {
    setup
    ensure_debs gettext
    local db=deal_pipeline_i18n_$$ conf po addon
    conf=$(mktemp --suffix=.conf)
    write_config "$conf" "$db" "${TEST_PORT:-8079}"
    # shellcheck disable=SC2064  # expand now: the trap must drop this database
    trap "drop_db '$db'; rm -f '$conf'" EXIT
    odoo_init -c "$conf" -d "$db" -i "$ADDONS_CSV"
    for addon in "${ADDONS[@]}"; do
        mkdir -p "$REPO_DIR/$addon/i18n"
        odoo_bin i18n export -c "$conf" -d "$db" -o "$REPO_DIR/$addon/i18n/$addon.pot" "$addon"
        for po in "$REPO_DIR/$addon"/i18n/*.po; do
            [ -f "$po" ] && msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$REPO_DIR/$addon/i18n/$addon.pot"
        done
    done
    say "Updated the i18n folders of ${ADDONS[*]}: translate the empty msgstr entries of the .po files"
}

cmd_shell() {
    setup
    local db=${DB:-deal_pipeline_demo}
    local conf="$CACHE_DIR/odoo-run-$db.conf"
    write_config "$conf" "$db" "${PORT:-8069}"
    exec "$VENV_DIR/bin/python" "$ODOO_SRC/odoo-bin" shell -c "$conf" -d "$db"
}

case "${1:-}" in
setup)
    setup
    say "Ready: Odoo source $ODOO_SRC, virtual environment $VENV_DIR"
    ;;
run | test | lint | bench | load | shell | i18n)
    cmd=$1
    shift
    "cmd_$cmd" "$@"
    ;;
uninstall-check) cmd_uninstall_check ;;
*) die "usage: $0 setup|run|test|uninstall-check|lint|bench|load|shell|i18n" ;;
esac
