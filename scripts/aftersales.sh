#!/usr/bin/env bash
# aftersales_addon: set up, run and test Odoo 11 with the addon.
#
#   scripts/aftersales.sh run    set up, then serve the demo database at http://127.0.0.1:8069
#   scripts/aftersales.sh test   set up, install the addon on a throwaway database, run pytest
#   scripts/aftersales.sh stop   stop the Odoo started by `run` (pid file) and the project's PostgreSQL
#   scripts/aftersales.sh setup  only install what is missing and start PostgreSQL
#   scripts/aftersales.sh backup [DB]                    database + filestore -> .work/backups/DB-DATE.tar.gz
#   scripts/aftersales.sh restore ARCHIVE [DB] [--force] an archive of backup into DB (new, or --force)
#   scripts/aftersales.sh server-args                    the serving options of run, one a line (bench/faults.py)
#
# Everything the project installs lives in .work/ (ignored by git): the Python
# venv, lessc, the PostgreSQL cluster (socket only, no TCP), logs, odoo.conf.
# Every step is idempotent: a second run reuses what is there.
#
# Secrets, generated once and kept in .work/ (mode 600, root only):
#   .work/master_password  Odoo's master password (database manager); odoo.conf
#                          holds its pbkdf2_sha512 hash as admin_passwd
#   .work/pgpass           libpq password file of the PostgreSQL role odoo
#                          (PGPASSFILE for psql/createdb/dropdb, db_password in odoo.conf)
# The cluster only accepts scram-sha-256 password logins on its socket, and the
# socket directory is reachable by postgres (and root) only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK="$ROOT/.work"
VENV="$WORK/venv"
PGDATA="$WORK/pgdata"
PGSOCK="$WORK/pgsock"
PGPORT=54329
PGUSER_DB=odoo
PGPASS_FILE="$WORK/pgpass"
MASTER_PASSWORD_FILE="$WORK/master_password"
ODOO_PIDFILE="$WORK/odoo.pid"
PGBIN=/usr/lib/postgresql/15/bin
DEMO_DB=${AFTERSALES_DEMO_DB:-aftersales_demo}
HTTP_PORT=${AFTERSALES_HTTP_PORT:-8069}
PY_VERSION=3.7.16
APT_PACKAGES="postgresql wkhtmltopdf chromium chromium-driver libldap2-dev libsasl2-dev libpq-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev fonts-wqy-zenhei poppler-utils"
# Modules the addon depends on: installed once into a template database.
BASE_MODULES=$(cd "$ROOT" && python3 - <<'PY'
import ast
m = ast.literal_eval(open('aftersales_addon/__manifest__.py').read())
print(','.join(m['depends']))
PY
)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }

export PATH="$WORK/node/node_modules/.bin:$WORK/bin:$PATH"
export PGHOST="$PGSOCK" PGPORT PGUSER="$PGUSER_DB" PGPASSFILE="$PGPASS_FILE"

ensure_apt() {
  local missing=()
  for p in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  # node/npm may come from elsewhere than Debian (as on this image): only ask
  # apt for them when the commands are missing.
  command -v npm >/dev/null || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    step "Installing Debian packages: ${missing[*]}"
    local SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >"$WORK/apt.log" 2>&1 \
      || { tail -20 "$WORK/apt.log"; exit 1; }
  fi
}

ensure_venv() {
  local stamp="$VENV/.requirements.sha" want
  want=$(cat "$ROOT/requirements.txt" "$ROOT/requirements-odoo.txt" | sha1sum | cut -c1-40)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  step "Creating the Python $PY_VERSION venv with Odoo 11 (a few minutes)"
  local py
  if command -v pyenv >/dev/null && py=$(pyenv prefix "$PY_VERSION" 2>/dev/null); then py="$py/bin/python"
  elif [ -x "$HOME/.pyenv/versions/$PY_VERSION/bin/python" ]; then py="$HOME/.pyenv/versions/$PY_VERSION/bin/python"
  else echo "Python $PY_VERSION (pyenv) not found" >&2; exit 1; fi
  [ -x "$VENV/bin/python" ] || "$py" -m venv "$VENV"
  local pip="$VENV/bin/pip"
  "$pip" install -q "setuptools<58" wheel 2>&1 | grep -v "is ignored" || true
  info "Odoo 11 and OCA helpdesk_mgmt, web_responsive (no deps)"
  "$pip" install -q --no-deps -r "$ROOT/requirements-odoo.txt" 2>&1 | grep -v "is ignored" || true
  info "Python libraries"
  "$pip" install -q -r "$ROOT/requirements.txt" 2>&1 | grep -v -e "is ignored" -e "dependency resolver" -e "which is not installed" || true
  "$pip" install -q --no-build-isolation "vatnumber==1.2" 2>&1 | grep -v "is ignored" || true
  "$VENV/bin/python" -c "import odoo, psycopg2, lxml, selenium, pytest_odoo, os; assert all(os.path.isfile(os.path.join(os.path.dirname(odoo.__file__), 'addons', m, '__manifest__.py')) for m in ('helpdesk_mgmt', 'web_responsive'))" \
    || { echo "venv check failed" >&2; exit 1; }
  echo "$want" >"$stamp"
}

ensure_lint_venv() {
  local lvenv="$WORK/lintvenv" stamp="$WORK/lintvenv/.requirements.sha" want py
  want=$(sha1sum <"$ROOT/requirements-lint.txt" | cut -c1-40)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  step "Creating the lint venv (flake8, pylint-odoo; OCA configuration)"
  if command -v pyenv >/dev/null && py=$(pyenv prefix "$PY_VERSION" 2>/dev/null); then py="$py/bin/python"
  else py="$HOME/.pyenv/versions/$PY_VERSION/bin/python"; fi
  [ -x "$lvenv/bin/python" ] || "$py" -m venv "$lvenv"
  "$lvenv/bin/pip" install -q -r "$ROOT/requirements-lint.txt" 2>&1 | grep -v "is ignored" || true
  "$lvenv/bin/python" -c "import pylint_odoo, flake8" || { echo "lint venv check failed" >&2; exit 1; }
  echo "$want" >"$stamp"
}

# run_lint: flake8 and pylint-odoo with OCA's configuration (.flake8,
# .pylintrc at the repository's root); any message fails the test command.
run_lint() {
  ensure_lint_venv
  step "Lint: flake8 and pylint-odoo (OCA configuration)"
  local rc=0 untracked
  # what git tracks (a clean clone, as CI sees it): files a person is still
  # writing, not yet added, are left out
  untracked=$(cd "$ROOT" && git ls-files --others --exclude-standard -- aftersales_addon bench scripts 2>/dev/null \
    | { grep '\.py$' || true; } | xargs -r -n1 basename | paste -sd, -)
  (cd "$ROOT" && "$WORK/lintvenv/bin/flake8" ${untracked:+--extend-exclude="$untracked"} aftersales_addon bench scripts) || rc=1
  (cd "$ROOT" && "$WORK/lintvenv/bin/pylint" --rcfile=.pylintrc --output-format=text ${untracked:+--ignore="$untracked"} aftersales_addon) || rc=1
  if [ "$rc" = 0 ]; then info "lint: clean"; fi
  return "$rc"
}

ensure_lessc() {
  if [ -x "$WORK/node/node_modules/.bin/lessc" ]; then return; fi
  step "Installing lessc 3 (npm less@3.13.1)"
  mkdir -p "$WORK/node"
  npm install --silent --no-audit --no-fund --prefix "$WORK/node" less@3.13.1 >/dev/null
}

new_secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }

# write_private FILE: stdin -> FILE, mode 600, replaced atomically.
write_private() {
  local tmp
  tmp=$(umask 077; mktemp "$1.XXXXXX")
  cat >"$tmp"
  chmod 600 "$tmp"
  mv -f "$tmp" "$1"
}

ensure_secrets() {
  # Generated once, reused afterwards. token_urlsafe: [A-Za-z0-9_-] only, so
  # safe in a libpq password file, in SQL quotes and in odoo.conf.
  if [ ! -s "$MASTER_PASSWORD_FILE" ]; then
    step "Generating Odoo's master password into .work/master_password"
    new_secret | write_private "$MASTER_PASSWORD_FILE"
  fi
  if [ ! -s "$PGPASS_FILE" ]; then
    if [ -f "$PGDATA/PG_VERSION" ] && ! pg_hba_has_trust; then
      echo "The cluster in .work/pgdata requires a password but .work/pgpass is missing." >&2
      echo "Restore .work/pgpass, or remove .work/pgdata and .work/filestore (their databases are lost) to rebuild." >&2
      exit 1
    fi
    step "Generating the PostgreSQL password of role $PGUSER_DB into .work/pgpass"
    echo "*:*:*:$PGUSER_DB:$(new_secret)" | write_private "$PGPASS_FILE"
  fi
  chmod 600 "$MASTER_PASSWORD_FILE" "$PGPASS_FILE"
}

pg_password() { cut -d: -f5- "$PGPASS_FILE"; }

ensure_launcher() {
  mkdir -p "$WORK/bin"
  cat >"$WORK/bin/odoo" <<LAUNCH
#!$VENV/bin/python
import odoo
odoo.cli.main()
LAUNCH
  chmod +x "$WORK/bin/odoo"
  # Odoo 11 (odoo/tools/config.py verify_admin_password) checks admin_passwd
  # with passlib's CryptContext(['pbkdf2_sha512', 'plaintext']): store the hash.
  local admin_hash
  admin_hash=$("$VENV/bin/python" -c 'import sys; from passlib.context import CryptContext; print(CryptContext(["pbkdf2_sha512"]).hash(sys.stdin.readline().strip()))' <"$MASTER_PASSWORD_FILE")
  write_private "$WORK/odoo.conf" <<CONF
[options]
addons_path = $VENV/lib/python3.7/site-packages/odoo/addons,$ROOT
data_dir = $WORK/filestore
admin_passwd = $admin_hash
db_host = $PGSOCK
db_port = $PGPORT
db_user = $PGUSER_DB
db_password = $(pg_password)
http_interface = 127.0.0.1
http_port = $HTTP_PORT
list_db = False
without_demo = False
CONF
}

as_postgres() { runuser -u postgres -- "$@"; }

pg_running() { [ -f "$PGDATA/postmaster.pid" ] && as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

# pg_hba.conf: password (scram-sha-256) logins on the socket, for every role
# and database, and nothing else. No host lines: there is no TCP listener.
pg_hba_content() {
  echo "# Written by scripts/aftersales.sh: password logins on the unix socket only."
  echo "local all all scram-sha-256"
}

pg_hba_has_trust() { grep -Eq '^[[:space:]]*(local|host)[^#]*[[:space:]]trust([[:space:]]|$)' "$PGDATA/pg_hba.conf"; }

write_pg_hba() {
  pg_hba_content | write_private "$PGDATA/pg_hba.conf"
  chown postgres:postgres "$PGDATA/pg_hba.conf"
}

# pg_conf_ensure KEY VALUE: append "KEY = VALUE" to postgresql.conf unless KEY is set.
pg_conf_ensure() {
  grep -Eq "^[[:space:]]*$1[[:space:]]*=" "$PGDATA/postgresql.conf" \
    || echo "$1 = $2" >>"$PGDATA/postgresql.conf"
}

# Durability (issue 24): the cluster keeps PostgreSQL's defaults, fsync,
# synchronous_commit and full_page_writes on, so that what Odoo answered as
# saved survives a crash of PostgreSQL or of the machine. Only the test command
# relaxes them, for a cluster it starts itself (PG_RELAX_DURABILITY=1): as
# command-line options of that postmaster, never in the configuration files.
# SHOW fsync then reports "command line" as its source (pg_settings).
DURABILITY_SETTINGS="fsync synchronous_commit full_page_writes"

start_postgres() {
  local opts=()
  if [ "${PG_RELAX_DURABILITY:-0}" = 1 ]; then
    opts=(-o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    step "Starting PostgreSQL (socket $PGSOCK), for this test run only without fsync (throwaway data)"
  else
    step "Starting PostgreSQL (socket $PGSOCK)"
  fi
  touch "$WORK/postgresql.log"; chown postgres "$WORK/postgresql.log"
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgresql.log" -w -t 60 "${opts[@]}" start >/dev/null
  echo started >"$WORK/.pg_started_by_us"
  PG_STARTED_HERE=1
}

ensure_postgres() {
  # The cluster is the project's own: data in .work/pgdata, socket in .work/pgsock,
  # no TCP listener. The system cluster (running or not) is left alone.
  mkdir -p "$PGSOCK"
  # postgres must be able to reach .work: open the path for traversal only.
  local d="$WORK"
  while [ "$d" != "/" ]; do
    if ! as_postgres test -x "$d"; then chmod o+x "$d"; fi
    d=$(dirname "$d")
  done
  # The socket directory: postgres only (root, which runs Odoo, still connects).
  chown postgres "$PGSOCK"; chmod 700 "$PGSOCK"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    step "Creating the project's PostgreSQL cluster in .work/pgdata (password logins only)"
    mkdir -p "$PGDATA"; chown postgres "$PGDATA"; chmod 700 "$PGDATA"
    local pwfile="$WORK/.initdb_pwfile"
    pg_password | write_private "$pwfile"; chown postgres "$pwfile"
    as_postgres "$PGBIN/initdb" -D "$PGDATA" -U "$PGUSER_DB" --auth=scram-sha-256 --pwfile="$pwfile" \
      -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 \
      || { rm -f "$pwfile"; cat "$WORK/initdb.log"; exit 1; }
    rm -f "$pwfile"
    write_pg_hba
    cat >>"$PGDATA/postgresql.conf" <<PGCONF
listen_addresses = ''
unix_socket_directories = '$PGSOCK'
unix_socket_permissions = 0700
password_encryption = scram-sha-256
port = $PGPORT
shared_buffers = 256MB
max_connections = 200
PGCONF
  fi
  local corrected=0
  ensure_durable_conf || corrected=1
  if ! pg_running; then
    start_postgres
  elif [ "$corrected" = 1 ]; then
    # fsync, full_page_writes (sighup) and synchronous_commit (user) need no restart
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" reload >/dev/null
  fi
  migrate_pg_auth
  check_durable
}

# ensure_durable_conf: a cluster made by an earlier version of this script has
# fsync, synchronous_commit and full_page_writes off in postgresql.conf (and
# an ALTER SYSTEM could have put them in postgresql.auto.conf): remove those
# lines, so the defaults (on) apply. Returns 1 when a file was corrected.
ensure_durable_conf() {
  local f rc=0 re
  re="^[[:space:]]*($(echo "$DURABILITY_SETTINGS" | tr ' ' '|'))[[:space:]]*="
  for f in "$PGDATA/postgresql.conf" "$PGDATA/postgresql.auto.conf"; do
    [ -f "$f" ] || continue
    if grep -Eq "$re" "$f"; then
      [ "$rc" = 1 ] || step "Making the project's PostgreSQL durable: fsync, synchronous_commit, full_page_writes back to on"
      info "removed from $(basename "$f"): $(grep -E "$re" "$f" | tr -s ' ' | paste -sd';' -)"
      as_postgres sed -E -i "/$re/d" "$f"
      rc=1
    fi
  done
  return "$rc"
}

# check_durable: the running cluster's settings (a reload applies them
# asynchronously: retried for a few seconds). Off while the test command's own
# cluster runs (its command-line options): said, not an error.
check_durable() {
  local name value source bad i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    bad=""
    while IFS='|' read -r name value source; do
      [ "$value" = on ] && continue
      if [ "$source" = "command line" ]; then
        [ "${PG_RELAX_DURABILITY:-0}" = 1 ] && continue
        info "warning: PostgreSQL runs with $name = $value, started so by a test run (scripts/aftersales.sh test):"
        info "         durable again once that run ends (it stops the cluster it started)"
        return 0
      fi
      bad="$bad $name = $value ($source)"
    done < <(psql -X -w -d postgres -tA -F'|' -c \
      "SELECT name, setting, source FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')")
    [ -z "$bad" ] && return 0
    sleep 0.5
  done
  echo "PostgreSQL is not durable:$bad" >&2
  exit 1
}

migrate_pg_auth() {
  # A cluster made by an earlier version of this script trusts every local
  # user: give role odoo the password of .work/pgpass (while trust still lets
  # us in), then allow password logins only. Nothing to do the second time.
  pg_conf_ensure password_encryption scram-sha-256
  pg_conf_ensure unix_socket_permissions 0700
  if [ "$(cat "$PGDATA/pg_hba.conf")" = "$(pg_hba_content)" ]; then return; fi
  step "Switching the project's PostgreSQL to password (scram-sha-256) logins"
  if pg_hba_has_trust; then
    # Through stdin, so the password is not on a command line.
    psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL
SET password_encryption = 'scram-sha-256';
ALTER ROLE "$PGUSER_DB" PASSWORD '$(pg_password)';
SQL
  fi
  write_pg_hba
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" reload >/dev/null
  # Checked with the password file only (a reload is asynchronous: retry a bit).
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    if psql -X -w -d postgres -tAc "SELECT 1" >/dev/null 2>&1 \
       && ! PGPASSFILE=/dev/null psql -X -w -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
      break
    fi
    [ "$i" = 10 ] && { echo "PostgreSQL does not require the password after the reload" >&2; exit 1; }
    sleep 0.5
  done
  if [ "${PG_STARTED_HERE:-0}" = 1 ]; then
    info "restarting PostgreSQL for unix_socket_permissions = 0700"
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgresql.log" -m fast -w -t 60 restart >/dev/null
  else
    info "unix_socket_permissions = 0700 applies at PostgreSQL's next start (the socket directory is 0700 already)"
  fi
}

stop_postgres() {
  if pg_running; then
    step "Stopping PostgreSQL"
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true
  fi
}

# The pid in .work/odoo.pid if that process is this project's Odoo (its command
# line runs .work/bin/odoo), else nothing: a stale file or a reused pid.
odoo_pid() {
  local pid
  [ -f "$ODOO_PIDFILE" ] || return 1
  pid=$(tr -dc 0-9 <"$ODOO_PIDFILE")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" | grep -Fxq "$WORK/bin/odoo" || return 1
  echo "$pid"
}

# process_tree PID: PID and its descendants (the prefork server's HTTP
# workers, its cron worker, the long-polling process, their wkhtmltopdf)
process_tree() {
  local level=$1 all=$1 kids
  while kids=$(ps -o pid= --ppid "${level// /,}" 2>/dev/null | xargs) && [ -n "$kids" ]; do
    all="$all $kids"
    level=$kids
  done
  echo "$all"
}

# proc_ids PID...: "pid:start-time" of those still running, zombies left
# out (a pid reused by another process since is then not taken for ours)
proc_ids() {
  local pid stat
  for pid in "$@"; do
    stat=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    [ -n "$stat" ] && [ "${stat%% *}" != Z ] || continue
    echo "$pid:$(echo "$stat" | cut -d' ' -f20)"
  done
}

# running PID: the process runs (a zombie does not)
running() { [ -n "$(proc_ids "$1")" ]; }

# alive_ids ID...: those of the "pid:start-time" still running
alive_ids() {
  local id
  for id in "$@"; do
    [ "$(proc_ids "${id%%:*}")" = "$id" ] && echo "$id"
  done
}

# Graceful first: SIGTERM to the master, which stops its workers (SIGINT:
# each finishes its request) and kills the long-polling process. After
# AFTERSALES_STOP_TIMEOUT seconds (15) SIGKILL to the master and every
# process it started; whatever of them is left once the master is gone (a
# worker still busy, the cron worker, the long-polling process, a
# wkhtmltopdf) is killed too: an orphaned worker keeps the HTTP port open
# and the next start could not serve.
STOP_TIMEOUT=${AFTERSALES_STOP_TIMEOUT:-15}
stop_odoo() {
  local pid i ids left
  if pid=$(odoo_pid); then
    step "Stopping Odoo (pid $pid)"
    mapfile -t ids < <(proc_ids $(process_tree "$pid"))
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 $((STOP_TIMEOUT * 2))); do
      running "$pid" || break
      # workers respawned or reports started meanwhile
      mapfile -t ids < <(printf '%s\n' "${ids[@]}" $(proc_ids $(process_tree "$pid")) | sort -u)
      sleep 0.5
    done
    if running "$pid"; then
      info "still running after $STOP_TIMEOUT s: SIGKILL to it and its processes"
      mapfile -t ids < <(printf '%s\n' "${ids[@]}" $(proc_ids $(process_tree "$pid")) | sort -u)
    fi
    for i in $(seq 1 20); do
      mapfile -t left < <(alive_ids "${ids[@]}")
      [ "${#left[@]}" -gt 0 ] && [ -n "${left[0]}" ] || break
      [ "$i" = 1 ] && ! running "$pid" && \
        info "left by the master: ${left[*]%%:*}: SIGKILL"
      kill -KILL "${left[@]%%:*}" 2>/dev/null || true
      sleep 0.25
    done
  elif [ -f "$ODOO_PIDFILE" ]; then
    info "$ODOO_PIDFILE does not name a running .work/bin/odoo: removed"
  fi
  rm -f "$ODOO_PIDFILE"
}

odoo_cmd() { "$WORK/bin/odoo" -c "$WORK/odoo.conf" "$@"; }

clone_db() {
  # A database copy needs its filestore too (attachments, web assets).
  createdb -T "$1" "$2"
  if [ -d "$WORK/filestore/filestore/$1" ]; then
    rm -rf "$WORK/filestore/filestore/$2"
    cp -a "$WORK/filestore/filestore/$1" "$WORK/filestore/filestore/$2"
  fi
}

drop_db() {
  dropdb --if-exists "$1"
  rm -rf "$WORK/filestore/filestore/$1"
}

db_exists() { psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = \$\$$1\$\$" | grep -q 1; }

template_db() {
  # Dependencies installed with demo data, keyed by the manifest's depends and
  # the requirements, so a new machine or a changed dependency rebuilds it.
  local key
  key=$( (echo "$BASE_MODULES"; cat "$ROOT/requirements.txt" "$ROOT/requirements-odoo.txt") | sha1sum | cut -c1-10)
  TEMPLATE="aftersales_tpl_$key"
  if ! db_exists "$TEMPLATE"; then
    step "Building template database $TEMPLATE: $BASE_MODULES with demo data (about 5 minutes, once)"
    drop_db "${TEMPLATE}_tmp"
    odoo_cmd -d "${TEMPLATE}_tmp" -i "$BASE_MODULES" --stop-after-init --log-level=warn \
      --logfile="$WORK/template.log" || { tail -40 "$WORK/template.log"; exit 1; }
    psql -d postgres -qc "ALTER DATABASE \"${TEMPLATE}_tmp\" RENAME TO \"$TEMPLATE\""
    mv "$WORK/filestore/filestore/${TEMPLATE}_tmp" "$WORK/filestore/filestore/$TEMPLATE"
  fi
}

setup() {
  mkdir -p "$WORK"
  ensure_apt
  ensure_venv
  ensure_lessc
  ensure_secrets
  ensure_launcher
  ensure_postgres
  template_db
}

# Serving (issue 24): Odoo in prefork mode, as in production. Each setting
# can be overridden from the environment:
#   AFTERSALES_WORKERS       HTTP worker processes; 0 = Odoo's threaded server
#                            (one process; the bus is live without a proxy).
#                            Default from the cores: cores+1 on 1-2 cores (the
#                            load bench saturates 2 cores with 3 workers, more
#                            only queue on the CPU and cost memory), else
#                            2*cores+1 up to 17, and never more than the memory
#                            allows (512 MiB per process: the bench's workers
#                            peak at about 120 MiB resident, 165 MiB virtual;
#                            1 GiB kept aside for PostgreSQL and the system)
#   AFTERSALES_MEMORY_SOFT   MiB of virtual memory after which a worker is
#   AFTERSALES_MEMORY_HARD   recycled once its request is done (soft, 2048) or
#                            killed at once (hard, 2560: wkhtmltopdf inherits it)
#   AFTERSALES_TIME_CPU      seconds of CPU / wall time per request (600/1200:
#   AFTERSALES_TIME_REAL     long PDF reports and imports still finish)
#   AFTERSALES_CRON_THREADS  scheduled jobs run here (1); 0 on every other node
#                            of a multi-node deployment (readme/DEPLOYMENT.md)
#   AFTERSALES_PROXY_MODE=1  behind a reverse proxy (X-Forwarded-* honoured);
#                            only then: without a proxy those headers are forged
#   AFTERSALES_LONGPOLLING_PORT  the gevent long-polling server (8072); the
#                            proxy routes /longpolling/ to it
run_workers() {
  local cores mem_mb workers by_mem
  if [ -n "${AFTERSALES_WORKERS:-}" ]; then echo "$AFTERSALES_WORKERS"; return; fi
  cores=$(nproc 2>/dev/null || echo 1)
  if [ "$cores" -le 2 ]; then workers=$((cores + 1)); else workers=$((2 * cores + 1)); fi
  [ "$workers" -le 17 ] || workers=17
  mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo 2>/dev/null || echo 0)
  if [ "$mem_mb" -gt 0 ]; then
    # the workers, the cron worker and the long-polling process
    by_mem=$(( (mem_mb - 1024) / 512 - 2 ))
    [ "$by_mem" -ge 1 ] || by_mem=1
    [ "$workers" -le "$by_mem" ] || workers=$by_mem
  fi
  echo "$workers"
}

# run_server_args: the serving options of `run` (one per line)
run_server_args() {
  local soft=${AFTERSALES_MEMORY_SOFT:-2048} hard=${AFTERSALES_MEMORY_HARD:-2560} workers
  workers=$(run_workers)
  echo "--workers=$workers"
  echo "--max-cron-threads=${AFTERSALES_CRON_THREADS:-1}"
  if [ "$workers" -gt 0 ]; then
    echo "--limit-memory-soft=$((soft * 1024 * 1024))"
    echo "--limit-memory-hard=$((hard * 1024 * 1024))"
    echo "--limit-time-cpu=${AFTERSALES_TIME_CPU:-600}"
    echo "--limit-time-real=${AFTERSALES_TIME_REAL:-1200}"
    echo "--longpolling-port=${AFTERSALES_LONGPOLLING_PORT:-8072}"
  fi
  if [ "${AFTERSALES_PROXY_MODE:-0}" = 1 ]; then echo "--proxy-mode"; fi
  # the addon's server-wide patch (sessions kept through a database
  # restart) loaded at start, before the first request (issue 24)
  echo "--load=base,web,aftersales_addon"
}

# run_bus_note WORKERS: how the web client's bus (chat, live notifications)
# reaches Odoo with these options
run_bus_note() {
  if [ "$1" = 0 ]; then
    echo "Threaded server (AFTERSALES_WORKERS=0): the bus is served in-process."
  elif ! "$VENV/bin/python" -c 'import gevent' 2>/dev/null; then
    echo "gevent is not in the venv: no long-polling server; live notifications appear when a page is reloaded."
  elif [ "${AFTERSALES_PROXY_MODE:-0}" = 1 ]; then
    echo "Long polling on 127.0.0.1:${AFTERSALES_LONGPOLLING_PORT:-8072}: the proxy routes /longpolling/ there."
  else
    echo "Long polling on 127.0.0.1:${AFTERSALES_LONGPOLLING_PORT:-8072}; without a proxy routing /longpolling/ there,"
    echo "    the workers answer the web client's polls from the bus table: notifications within about 30 s."
  fi
}

cmd_run() {
  local pid server_args workers
  if pid=$(odoo_pid); then
    echo "Odoo is already running (pid $pid, $ODOO_PIDFILE): scripts/aftersales.sh stop first." >&2
    exit 1
  fi
  if [ -n "$BACKUP_DAILY" ] && ! valid_hhmm "$BACKUP_DAILY"; then
    echo "AFTERSALES_BACKUP_DAILY=$BACKUP_DAILY: expected HH:MM (00:00 to 23:59)." >&2
    exit 2
  fi
  BACKUP_LOOP_PID=""
  trap 'kill_group "$BACKUP_LOOP_PID"; rm -f "$ODOO_PIDFILE"; stop_postgres' EXIT
  trap 'exit 130' INT TERM
  setup
  # Demo data is loaded once (noupdate): a demo database made from another
  # template (the addon's dependencies changed) is made again, so that it
  # shows the current demo. Its data is throwaway by definition.
  local stamp="$WORK/$DEMO_DB.template"
  if db_exists "$DEMO_DB" && [ "$(cat "$stamp" 2>/dev/null)" != "$TEMPLATE" ]; then
    step "The demo database $DEMO_DB was made from another template: making it again"
    drop_db "$DEMO_DB"
  fi
  if ! db_exists "$DEMO_DB"; then
    step "Creating the demo database $DEMO_DB with aftersales_addon"
    clone_db "$TEMPLATE" "$DEMO_DB"
    odoo_cmd -d "$DEMO_DB" -i aftersales_addon --load-language=zh_CN --stop-after-init --log-level=warn \
      --logfile="$WORK/demo-install.log" || { tail -40 "$WORK/demo-install.log"; drop_db "$DEMO_DB"; exit 1; }
    echo "$TEMPLATE" >"$stamp"
  else
    step "Updating aftersales_addon in $DEMO_DB"
    odoo_cmd -d "$DEMO_DB" -u aftersales_addon --stop-after-init --log-level=warn \
      --logfile="$WORK/demo-install.log" || { tail -40 "$WORK/demo-install.log"; exit 1; }
  fi
  cat <<MSG

  Odoo with aftersales_addon: http://127.0.0.1:$HTTP_PORT   (database $DEMO_DB)
  Demo logins (password = login):
    admin       administrator              as_manager  After-sales Manager
    cs          Customer Service           tech1, tech2  Technicians
    warehouse   Warehouse                  purchasing  Purchasing
    finance     Finance                    technical   Technical department
    quality     Quality department         office      Administration
  Database manager: disabled (list_db = False). Master password (generated once):
    in $MASTER_PASSWORD_FILE   (cat it to see it)
  Ctrl-C (or scripts/aftersales.sh stop) stops Odoo and PostgreSQL.

MSG
  mapfile -t server_args < <(run_server_args)
  workers=${server_args[0]#--workers=}
  info "Serving: ${server_args[*]}"
  info "$(run_bus_note "$workers")"
  if [ -n "$BACKUP_DAILY" ]; then
    backup_daily_loop "$BACKUP_DAILY" "$DEMO_DB" &
    BACKUP_LOOP_PID=$!
    info "Daily backup of $DEMO_DB at $BACKUP_DAILY (AFTERSALES_BACKUP_DAILY), $BACKUP_KEEP kept in $BACKUP_DIR; log .work/backup-daily.log"
  fi
  echo
  odoo_cmd -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" --pidfile="$ODOO_PIDFILE" --log-level=info "${server_args[@]}"
}

# Odoo's own tests of the host modules the addon extends (issue 11). They run
# at the same time as the addon's suite, on a copy of the throwaway database
# made right after the install ("addon installed with demo data"). A failure that
# is not in HOST_EXPECTED_FAILURES (tests that already fail WITHOUT the addon)
# fails the run. AFTERSALES_HOST_TEST_MODULES="mod ..." runs fewer modules
# (stock's tests are about two thirds of the step's time).
HOST_TEST_MODULES=${AFTERSALES_HOST_TEST_MODULES:-mrp_repair stock sale_stock purchase helpdesk_mgmt account hr_payroll}
HOST_ADDONS="$VENV/lib/python3.7/site-packages/odoo/addons"
HOST_EXPECTED_FAILURES="$ROOT/scripts/host_tests_expected_failures.txt"
HOST_JUNIT="$WORK/host-tests.xml"

# The files Odoo itself runs for each module: the test_* submodules that its
# tests/__init__.py imports (as odoo.modules.module.get_test_modules does).
# Plain pytest would also collect files Odoo never runs (account's phantomjs
# tour test_bank_stmt_reconciliation_widget_ui.py).
host_test_files() {
  "$VENV/bin/python" - "$HOST_ADDONS" $HOST_TEST_MODULES <<'PY'
import ast, os, sys
addons = sys.argv[1]
for module in sys.argv[2:]:
    tests = os.path.join(addons, module, 'tests')
    with open(os.path.join(tests, '__init__.py')) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module:
            for alias in node.names:
                if alias.name.startswith('test_'):
                    print(os.path.join(tests, alias.name + '.py'))
PY
}

# host_tests_pytest DB JUNIT [pytest args]: one pytest over the host modules'
# tests. -c /dev/null and --rootdir: not the repo's pytest.ini (pytest would
# find it above the venv), and node ids relative to odoo/addons, e.g.
# stock/tests/test_move.py::StockMove::test_in_1. xunit1 keeps the file of
# each test in the JUnit XML.
host_tests_pytest() {
  local db=$1 junit=$2 files
  shift 2
  files=$(host_test_files) || return 3
  # shellcheck disable=SC2086  # the paths have no spaces
  ODOO_RC="$WORK/odoo.conf" "$VENV/bin/python" -m pytest -p no:cacheprovider -c /dev/null --rootdir="$HOST_ADDONS" \
    -W ignore::DeprecationWarning -W ignore::PendingDeprecationWarning -o junit_family=xunit1 \
    --junitxml="$junit" --odoo-database="$db" "$@" $files
}

# host_tests_compare JUNIT PYTEST_RC SECONDS: the table, the unexpected
# failures, and as last line "N passed, N failed, N xfailed, N skipped"
# (failed = failures and errors not in HOST_EXPECTED_FAILURES, xfailed = the
# listed ones). Exit status 1 when a test not listed fails or errors, or when
# pytest did not run the tests (interrupted, internal error, nothing collected).
host_tests_compare() {
  "$VENV/bin/python" - "$1" "$HOST_EXPECTED_FAILURES" "$2" "$3" $HOST_TEST_MODULES <<'PY'
import collections, os, sys
import xml.etree.ElementTree as ET

junit, expected_file, pytest_rc, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
modules = sys.argv[5:]

# "<node id>  # reason" per line; blank lines and comment lines ignored.
expected = {}
with open(expected_file) as f:
    for line in f:
        node = line.split('#', 1)[0].strip()
        if node:
            expected[node] = line.split('#', 1)[1].strip() if '#' in line else ''

if not os.path.isfile(junit):
    print('    no JUnit XML from pytest (exit status %d): the host tests did not run' % pytest_rc)
    print('0 passed, 1 failed (Odoo\'s own tests of the host modules did not run)')
    sys.exit(1)

RANK = {'passed': 0, 'skipped': 1, 'failed': 2, 'error': 3}

def first_error_line(el):
    """The first "E ..." line of the last exception in the traceback (the
    one raised last in a chain), else the element's message."""
    blocks, previous = [], False
    for line in (el.text or '').splitlines():
        is_e = line.startswith('E ')
        if is_e and not previous:
            blocks.append(line[1:].strip())
        previous = is_e
    if blocks:
        return blocks[-1]
    return ((el.get('message') or '').strip().splitlines() or [''])[0]

results = {}                      # node id -> [status, first error line, seconds]
for tc in ET.parse(junit).getroot().iter('testcase'):
    path, cls, name = tc.get('file') or '', tc.get('classname') or '', tc.get('name') or ''
    dotted = path[:-3].replace('/', '.') if path.endswith('.py') else None
    if dotted and cls.startswith(dotted + '.'):
        node = '%s::%s::%s' % (path, cls[len(dotted) + 1:].replace('.', '::'), name)
    elif dotted and cls == dotted:
        node = '%s::%s' % (path, name)
    else:                         # a collection error: the file itself
        node = path or '%s.%s' % (cls, name)
    status, message = 'passed', ''
    for kind, st in (('skipped', 'skipped'), ('failure', 'failed'), ('error', 'error')):
        for el in tc.findall(kind):
            if RANK[st] >= RANK[status]:
                status, message = st, first_error_line(el)
    res = results.setdefault(node, ['passed', '', 0.0])
    if RANK[status] >= RANK[res[0]]:
        res[0], res[1] = status, message
    res[2] += float(tc.get('time') or 0)

def module_of(node):
    return node.split('/', 1)[0]

rows = collections.OrderedDict((m, collections.Counter()) for m in modules)
unexpected, xfailed = [], []
for node, (status, message, secs) in sorted(results.items()):
    c = rows.setdefault(module_of(node), collections.Counter())
    c['collected'] += 1
    c['seconds'] += secs
    c[status] += 1
    if status in ('failed', 'error'):
        if node in expected:
            c['expected'] += 1
            xfailed.append(node)
        else:
            unexpected.append((node, status, message))

fmt = '    %-14s %9s %7s %7s %7s %9s %8s %8s'
print(fmt % ('module', 'collected', 'passed', 'failed', 'errors', 'expected', 'skipped', 'seconds'))
total = collections.Counter()
for m, c in rows.items():
    total.update(c)
    print(fmt % (m, c['collected'], c['passed'], c['failed'], c['error'], c['expected'], c['skipped'], '%.0f' % c['seconds']))
print(fmt % ('total', total['collected'], total['passed'], total['failed'], total['error'], total['expected'], total['skipped'], '%.0f' % total['seconds']))
print('    ("expected": failures and errors listed in scripts/host_tests_expected_failures.txt)')

stale = sorted(n for n in expected if n in results and results[n][0] in ('passed', 'skipped'))
missing = sorted(n for n in expected if n not in results and n.split('/', 1)[0] in modules)
for n in stale:
    print('    note: listed as an expected failure but %s now: %s' % (results[n][0], n))
for n in missing:
    print('    note: listed as an expected failure but not run: %s' % n)
ok = True
if unexpected:
    ok = False
    print('\n    %d host test(s) fail that pass without the addon (not in scripts/host_tests_expected_failures.txt):' % len(unexpected))
    for node, status, message in unexpected:
        print('      %s %s' % ('ERROR ' if status == 'error' else 'FAILED', node))
        if message:
            print('          %s' % message[:300])
    print('    (full tracebacks: .work/host-tests.xml)')
empty = [m for m in modules if not rows[m]['collected']]
if pytest_rc not in (0, 1) or empty:
    ok = False
    print('\n    pytest exited with status %d; modules without any test run: %s' % (
        pytest_rc, ', '.join(empty) or 'none'))
print('%d passed, %d failed, %d xfailed, %d skipped in %ss (Odoo\'s own tests of the host modules)' % (
    total['passed'], len(unexpected), len(xfailed), total['skipped'], seconds))
sys.exit(0 if ok else 1)
PY
}

run_host_tests() {
  local db=$1 start rc=0 status=0 junit="$WORK/host-tests-$1.xml"
  rm -f "$junit"
  start=$SECONDS
  host_tests_pytest "$db" "$junit" -q --tb=no || rc=$?
  # The JUnit XML (full tracebacks) of the last run is kept as .work/host-tests.xml.
  host_tests_compare "$junit" "$rc" $((SECONDS - start)) || status=$?
  if [ -f "$junit" ]; then mv -f "$junit" "$HOST_JUNIT"; fi
  return "$status"
}

# The browser tests (a real Chromium against their own Odoo server), the
# tests that call that server over XML-RPC, and the printed documents
# (wkhtmltopdf; they balance the groups: the three processes end together,
# no core idles at the end): a group of their own, run in a second pytest
# process on its own copy of the database.
BROWSER_TEST_GLOBS=(aftersales_addon/tests/test_browser*.py aftersales_addon/tests/test_rpc_attacks.py
                    aftersales_addon/tests/test_reports.py)

# untracked_test_args: --ignore for the test files git does not track (CI
# sees a clean clone: a test file still being written is left out)
untracked_test_args() {
  local file
  while IFS= read -r file; do
    [ -n "$file" ] && echo "--ignore=$file" && info "not in git, left out: $file" >&2
  done < <(git -C "$ROOT" ls-files --others --exclude-standard -- 'aftersales_addon/tests/*.py' 2>/dev/null)
}

addon_pytest() {
  local db=$1
  shift
  ODOO_RC="$WORK/odoo.conf" "$VENV/bin/python" -m pytest -p no:cacheprovider --odoo-database="$db" "$@"
}

# kill_group PID: a background step and the processes it started
kill_group() {
  [ -n "$1" ] || return 0
  pkill -TERM -P "$1" 2>/dev/null || true
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

cmd_test() {
  PG_STARTED_HERE=0
  # a cluster this run starts itself runs without fsync (throwaway databases)
  PG_RELAX_DURABILITY=1
  setup
  local db="aftersales_test_$$" host_db="aftersales_host_$$" browser_db="aftersales_browser_$$"
  local host_log="$WORK/host-tests.log" browser_log="$WORK/browser-tests.log" lint_log="$WORK/lint.log"
  HOST_PID="" BROWSER_PID="" LINT_PID=""
  # Quiet: the last line of the output stays the host tests' count line.
  trap 'kill_group "$LINT_PID"; kill_group "$BROWSER_PID"; kill_group "$HOST_PID"
        drop_db "'"$db"'" >/dev/null 2>&1 || true; drop_db "'"$host_db"'" >/dev/null 2>&1 || true
        drop_db "'"$browser_db"'" >/dev/null 2>&1 || true
        [ "$PG_STARTED_HERE" = 1 ] && stop_postgres >/dev/null' EXIT
  cd "$ROOT"
  # Three things at once on two cores (issue 11): lint runs while the addon
  # installs; then Odoo's own tests of the host modules, the browser group and
  # the rest of the addon's suite each run on their own copy of the database.
  ensure_lint_venv
  step "Lint (flake8, pylint-odoo; OCA configuration), in the background; output kept in .work/lint.log"
  run_lint >"$lint_log" 2>&1 &
  LINT_PID=$!
  step "Installing aftersales_addon with demo data on throwaway database $db"
  clone_db "$TEMPLATE" "$db"
  # Odoo appends to its log file: start from an empty one, so that the check
  # below reads this install only
  : >"$WORK/test-install.log"
  odoo_cmd -d "$db" -i aftersales_addon --stop-after-init --log-level=warn --logfile="$WORK/test-install.log" \
    || { tail -40 "$WORK/test-install.log"; exit 1; }
  if grep -E "ERROR|CRITICAL" "$WORK/test-install.log"; then echo "errors while installing the addon" >&2; exit 1; fi
  local rc=0 host_rc=0 browser_rc=0 lint_rc=0 host_skip="" ignore=()
  mapfile -t ignore < <(untracked_test_args)
  if [ $# -gt 0 ]; then
    # Extra arguments select a subset of the addon's tests: one process, no
    # host tests then.
    host_skip="extra pytest arguments: $*"
    step "Running the selected tests (pytest-odoo)"
    addon_pytest "$db" "${ignore[@]}" aftersales_addon/tests "$@" || rc=$?
  else
    if [ "${AFTERSALES_SKIP_HOST_TESTS:-0}" = 1 ]; then
      host_skip="AFTERSALES_SKIP_HOST_TESTS=1"
    else
      step "Starting Odoo's own tests of the host modules on $host_db, in the background ($HOST_TEST_MODULES)"
      clone_db "$db" "$host_db"
      run_host_tests "$host_db" >"$host_log" 2>&1 &
      HOST_PID=$!
    fi
    local browser_files=() not_browser=() file
    for file in "${BROWSER_TEST_GLOBS[@]}"; do
      [ -f "$file" ] || continue
      if git ls-files --error-unmatch "$file" >/dev/null 2>&1; then browser_files+=("$file"); fi
      not_browser+=("--ignore=$file")
    done
    step "Starting the browser tests on $browser_db, in the background (${#browser_files[@]} files)"
    clone_db "$db" "$browser_db"
    addon_pytest "$browser_db" "${browser_files[@]}" >"$browser_log" 2>&1 &
    BROWSER_PID=$!
    step "Running the test suite (pytest-odoo), browser tests apart"
    addon_pytest "$db" "${ignore[@]}" "${not_browser[@]}" aftersales_addon/tests || rc=$?
    step "The browser tests (output kept in .work/browser-tests.log)"
    wait "$BROWSER_PID" || browser_rc=$?
    BROWSER_PID=""
    cat "$browser_log"
  fi
  wait "$LINT_PID" || lint_rc=$?
  LINT_PID=""
  step "Lint"
  cat "$lint_log"
  if [ -n "$host_skip" ]; then
    step "Odoo's own tests of the host modules: skipped ($host_skip)"
  else
    step "Odoo's own tests of the host modules, with the addon installed (output kept in .work/host-tests.log)"
    wait "$HOST_PID" || host_rc=$?
    HOST_PID=""
    cat "$host_log"
  fi
  if [ "$rc" != 0 ]; then return "$rc"; fi
  if [ "$browser_rc" != 0 ]; then echo "browser tests failed (above)" >&2; return "$browser_rc"; fi
  if [ "$lint_rc" != 0 ]; then echo "lint reported problems (above)" >&2; return "$lint_rc"; fi
  return "$host_rc"
}

# ---------------------------------------------------------------------------
# Backups (issue 24). One archive per backup, .work/backups/DB-YYYYmmdd-HHMMSS.tar.gz
# (mode 600: it holds the users' password hashes), containing
#   db.dump        pg_dump -Fc of the database
#   filestore/     the database's filestore (attachments: documents, photos, PDFs)
#   manifest.txt   database, date, addon version, PostgreSQL version
# Consistent while Odoo serves: pg_dump reads the whole database in one
# snapshot; the filestore is copied after the dump has finished. A file of
# the filestore is named by its content's checksum, written before the row
# that names it is committed and never changed afterwards; files are deleted
# only by the garbage collection of Odoo's daily autovacuum cron, and only
# when no row names them any more. So every attachment of the dump finds its
# file in the archive, unless it was deleted and garbage collected during the
# seconds of the copy; files added meanwhile are extra, unused, harmless.
BACKUP_DIR=${AFTERSALES_BACKUP_DIR:-$WORK/backups}
BACKUP_KEEP=${AFTERSALES_BACKUP_KEEP:-14}

# Daily backup by `run` (issue 24): AFTERSALES_BACKUP_DAILY=HH:MM (local
# time) makes `run` start a small loop beside Odoo that backs the served
# database up every day at that time (the archives kept as above, by
# AFTERSALES_BACKUP_KEEP), logging to .work/backup-daily.log; it ends with
# `run`. Unset: no backup unless a cron job or a timer does it (README).
BACKUP_DAILY=${AFTERSALES_BACKUP_DAILY:-}

# valid_hhmm HH:MM: a time of day, 00:00 to 23:59
valid_hhmm() { [[ "$1" =~ ^([01][0-9]|2[0-3]):[0-5][0-9]$ ]]; }

# seconds_until HH:MM: seconds from now to the next HH:MM, local time (1 to
# 86400: at HH:MM exactly, the next day's)
seconds_until() {
  local now target
  now=$(date +%s)
  target=$(date -d "today $1" +%s)
  [ "$target" -gt "$now" ] || target=$(date -d "tomorrow $1" +%s)
  echo $((target - now))
}

# backup_daily_loop HH:MM DB: back DB up every day at HH:MM (a failed
# backup is logged and tried again the next day)
backup_daily_loop() {
  local at=$1 db=$2 log="$WORK/backup-daily.log"
  while true; do
    sleep "$(seconds_until "$at")"
    echo "== $(date -Is) daily backup of $db" >>"$log"
    "$ROOT/scripts/aftersales.sh" backup "$db" >>"$log" 2>&1 \
      || echo "== $(date -Is) daily backup of $db FAILED (status $?)" >>"$log"
    sleep 1   # past HH:MM:00: the next wait is a day
  done
}

# filestores_dir: where Odoo keeps the filestores, DATA_DIR/filestore, with
# data_dir from .work/odoo.conf (the script writes $WORK/filestore there)
filestores_dir() {
  local data_dir
  data_dir=$(sed -n 's/^data_dir[[:space:]]*=[[:space:]]*//p' "$WORK/odoo.conf" 2>/dev/null | tail -1)
  echo "${data_dir:-$WORK/filestore}/filestore"
}

# need_postgres: the cluster answers; started (and stopped on exit) when it
# is not running, as the test command does.
need_postgres() {
  if psql -X -w -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then return; fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    echo "No PostgreSQL cluster in $PGDATA: scripts/aftersales.sh setup (or run) first." >&2
    exit 1
  fi
  start_postgres
  trap '[ "${PG_STARTED_HERE:-0}" = 1 ] && stop_postgres >/dev/null; rm -rf "${STAGE:-}"' EXIT
}

cmd_backup() {
  local db=${1:-$DEMO_DB} stamp archive version filestores
  filestores=$(filestores_dir)
  need_postgres
  db_exists "$db" || { echo "No database $db." >&2; exit 1; }
  mkdir -p "$BACKUP_DIR"; chmod 700 "$BACKUP_DIR"
  stamp=$(date +%Y%m%d-%H%M%S)
  archive="$BACKUP_DIR/$db-$stamp.tar.gz"
  STAGE=$(mktemp -d "$BACKUP_DIR/.stage.XXXXXX")
  trap '[ "${PG_STARTED_HERE:-0}" = 1 ] && stop_postgres >/dev/null; rm -rf "$STAGE"' EXIT
  step "Backing up database $db (pg_dump, one snapshot), then its filestore"
  "$PGBIN/pg_dump" -Fc -Z 6 -f "$STAGE/db.dump" "$db"
  mkdir "$STAGE/filestore"
  if [ -d "$filestores/$db" ]; then
    # after the dump: every file its attachments name is there (see above)
    cp -a "$filestores/$db/." "$STAGE/filestore/"
  fi
  version=$(psql -X -w -d "$db" -tAc "SELECT latest_version FROM ir_module_module WHERE name = 'aftersales_addon'" 2>/dev/null || true)
  {
    echo "database=$db"
    echo "date=$(date -Is)"
    echo "aftersales_addon=$version"
    echo "postgresql=$(psql -X -w -d postgres -tAc 'SHOW server_version')"
  } >"$STAGE/manifest.txt"
  (umask 077; tar -czf "$STAGE/archive.tar.gz" -C "$STAGE" manifest.txt db.dump filestore)
  chmod 600 "$STAGE/archive.tar.gz"
  mv -f "$STAGE/archive.tar.gz" "$archive"
  info "$archive ($(du -h "$archive" | cut -f1))"
  # Retention: the newest AFTERSALES_BACKUP_KEEP archives of this database (0: all)
  if [ "$BACKUP_KEEP" -gt 0 ] 2>/dev/null; then
    local old
    old=$(find "$BACKUP_DIR" -maxdepth 1 -name "$db-[0-9]*-[0-9]*.tar.gz" -printf '%f\n' | sort -r | tail -n +$((BACKUP_KEEP + 1)))
    for f in $old; do rm -f "$BACKUP_DIR/$f"; info "removed (AFTERSALES_BACKUP_KEEP=$BACKUP_KEEP): $f"; done
  fi
}

# restore ARCHIVE [DB] [--force]: into DB (default: the database the archive
# was made from). An existing DB is left alone unless --force (then it is
# dropped first: stop the Odoo that serves it).
cmd_restore() {
  local archive="" db="" force=0 arg filestores
  filestores=$(filestores_dir)
  for arg in "$@"; do
    case "$arg" in
      --force) force=1 ;;
      *) if [ -z "$archive" ]; then archive=$arg; elif [ -z "$db" ]; then db=$arg
         else echo "usage: $0 restore ARCHIVE [DB] [--force]" >&2; exit 2; fi ;;
    esac
  done
  [ -n "$archive" ] || { echo "usage: $0 restore ARCHIVE [DB] [--force]" >&2; exit 2; }
  [ -f "$archive" ] || { echo "No archive $archive." >&2; exit 1; }
  archive=$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")
  need_postgres
  mkdir -p "$filestores"
  STAGE=$(mktemp -d "$WORK/.restore.XXXXXX")
  trap '[ "${PG_STARTED_HERE:-0}" = 1 ] && stop_postgres >/dev/null; rm -rf "$STAGE"' EXIT
  tar -xzf "$archive" -C "$STAGE"
  [ -f "$STAGE/db.dump" ] && [ -d "$STAGE/filestore" ] || { echo "$archive is not a backup of this script." >&2; exit 1; }
  [ -n "$db" ] || db=$(sed -n 's/^database=//p' "$STAGE/manifest.txt")
  if db_exists "$db" || [ -e "$filestores/$db" ]; then
    if [ "$force" != 1 ]; then
      echo "Database $db (or its filestore) exists: not overwritten. Restore under another name" >&2
      echo "(restore ARCHIVE NEWDB), or add --force to replace it." >&2
      exit 1
    fi
    step "Dropping the existing database $db and its filestore (--force)"
    dropdb --force --if-exists "$db"
    rm -rf "$filestores/$db"
  fi
  step "Restoring $(basename "$archive") into database $db"
  createdb "$db"
  if ! "$PGBIN/pg_restore" --no-owner --exit-on-error -d "$db" "$STAGE/db.dump"; then
    dropdb --if-exists "$db"
    echo "pg_restore failed: database $db not created." >&2
    exit 1
  fi
  mv "$STAGE/filestore" "$filestores/$db"
  info "database $db and its filestore ($filestores/$db) restored"
}

# sourced (the tests call its functions): define only
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  server-args) run_server_args ;;
  test) shift; cmd_test "$@" ;;
  setup) setup ;;
  stop) stop_odoo; stop_postgres ;;
  backup) shift; cmd_backup "$@" ;;
  restore) shift; cmd_restore "$@" ;;
  *) echo "usage: $0 run|test|setup|stop|backup [DB]|restore ARCHIVE [DB] [--force]|server-args" >&2; exit 2 ;;
esac
