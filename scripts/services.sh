#!/usr/bin/env bash
# Make sure the servers and system packages the test suite needs are there, then print
#
#   export DATABASE_URL=postgres://postgres@127.0.0.1:PORT/emenscr
#   export REDIS_URL=redis://127.0.0.1:6379/15
#
# on stdout for the caller to eval:   exports=$(bash scripts/services.sh) && eval "$exports"
#
# Idempotent and quick when everything already runs. Stdout carries the export lines and nothing
# else; every log goes to stderr. A DATABASE_URL or REDIS_URL already in the environment is kept
# and only checked. Missing packages are installed with apt-get (one `apt-get update` at most, and
# only when something is missing) when we are root; otherwise the script says what to install.
#
# PostgreSQL: the system cluster on 127.0.0.1:5432 if user postgres logs in over TCP without a
# password (trust); otherwise a throwaway trust cluster in /tmp/emenscr-pg on port 54329.
set -euo pipefail

PG_PORT_SYSTEM=5432
PG_FALLBACK_DIR=/tmp/emenscr-pg
PG_FALLBACK_PORT=54329
PG_DB=emenscr
REDIS_PORT=6379
REDIS_DB=15

log() { printf 'services: %s\n' "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# --- probes -----------------------------------------------------------------------------------

# Does user postgres log in on 127.0.0.1:$1 without a password?
pg_login_ok() {
	have psql || return 1
	[ "$(PGCONNECT_TIMEOUT=3 psql -X -w -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atqc 'select 1' 2>/dev/null)" = 1 ]
}

# Does the server of $DATABASE_URL accept connections? (pg_isready: no login, no database needed.)
pg_url_ok() {
	have pg_isready || return 1
	# libpq knows postgres:// and postgresql://; django-environ also accepts pgsql:// and psql://.
	local uri="postgresql://${1#*://}"
	PGCONNECT_TIMEOUT=3 pg_isready -q -d "$uri" -t 3 >/dev/null 2>&1
}

redis_ok() {
	have redis-cli || return 1
	[ "$(timeout 5 redis-cli "$@" ping 2>/dev/null)" = PONG ]
}

pkg_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# Directory holding initdb / pg_ctl: the newest Debian one, else whatever is on PATH.
pg_bindir() {
	local d
	d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then
		echo "$d"
	elif have initdb; then
		dirname "$(command -v initdb)"
	elif have pg_config; then
		pg_config --bindir
	fi
}

# --- packages -----------------------------------------------------------------------------------

APT_UPDATED=0
apt_install() {
	[ $# -gt 0 ] || return 0
	if ! is_root || ! have apt-get; then
		die "missing packages: $* (install them, e.g. sudo apt-get install $*, or run this as root)"
	fi
	export DEBIAN_FRONTEND=noninteractive
	if [ "$APT_UPDATED" = 0 ]; then
		log "apt-get update"
		apt-get update -qq </dev/null
		APT_UPDATED=1
	fi
	log "apt-get install $*"
	apt-get install -y -qq --no-install-recommends "$@" </dev/null
}

# --- starting servers ----------------------------------------------------------------------------
# Daemons are started with stdin from /dev/null and their output in their own log files, so they
# never hold on to the caller's pipes (eval "$(...)" would otherwise wait for them forever).

start_system_postgres() {
	have pg_ctlcluster || return 0
	local line ver name
	# pg_lsclusters -h: "15 main 5432 down postgres /var/lib/postgresql/15/main log-file"
	while read -r line; do
		read -r ver name _ <<<"$line"
		[ -n "$ver" ] || continue
		log "starting PostgreSQL cluster $ver/$name"
		pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start </dev/null >&2 2>&1 ||
			log "pg_ctlcluster $ver $name start failed (or it already runs)"
	done < <(pg_lsclusters -h 2>/dev/null | awk '$4 !~ /^online/')
}

# As the postgres user when we are root (initdb refuses root), else as ourselves.
as_pg_owner() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

start_fallback_postgres() {
	local bin
	bin=$(pg_bindir)
	[ -n "$bin" ] || die "PostgreSQL server programs (initdb, pg_ctl) not found"
	if [ ! -s "$PG_FALLBACK_DIR/PG_VERSION" ]; then
		log "creating a throwaway trust cluster in $PG_FALLBACK_DIR"
		if is_root; then
			install -d -m 700 -o postgres -g postgres "$PG_FALLBACK_DIR"
		else
			install -d -m 700 "$PG_FALLBACK_DIR"
		fi
		as_pg_owner "$bin/initdb" -D "$PG_FALLBACK_DIR" -U postgres --auth=trust -E UTF8 \
			--locale=C.UTF-8 </dev/null >&2 2>&1 ||
			as_pg_owner "$bin/initdb" -D "$PG_FALLBACK_DIR" -U postgres --auth=trust -E UTF8 \
				</dev/null >&2 2>&1
	fi
	log "starting the throwaway cluster on 127.0.0.1:$PG_FALLBACK_PORT"
	as_pg_owner "$bin/pg_ctl" -D "$PG_FALLBACK_DIR" -l "$PG_FALLBACK_DIR/server.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -p $PG_FALLBACK_PORT -k $PG_FALLBACK_DIR" start \
		</dev/null >&2 2>&1 || log "pg_ctl start failed; see $PG_FALLBACK_DIR/server.log"
}

start_redis() {
	log "starting redis-server on 127.0.0.1:$REDIS_PORT"
	# --daemonize points the daemon's stdin/stdout/stderr at /dev/null.
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
		--appendonly no </dev/null >&2 2>&1 || log "redis-server failed to start"
	local _
	for _ in $(seq 1 50); do
		redis_ok -h 127.0.0.1 -p "$REDIS_PORT" && return 0
		sleep 0.1
	done
}

# --- main ------------------------------------------------------------------------------------------

main() {
	local missing=() pg_port="" pg_ok=0 redis_ok_=0 scheme

	# 1. Probe what already answers.
	if [ -n "${DATABASE_URL:-}" ]; then
		scheme=${DATABASE_URL%%://*}
		case "$scheme" in
		postgres | postgresql | pgsql | psql | postgis)
			if pg_url_ok "$DATABASE_URL"; then pg_ok=1; else have pg_isready || missing+=(postgresql-client); fi
			;;
		*)
			log "DATABASE_URL is $scheme://..., not PostgreSQL; not checking it"
			pg_ok=1
			;;
		esac
	elif pg_login_ok "$PG_PORT_SYSTEM"; then
		pg_ok=1 pg_port=$PG_PORT_SYSTEM
	elif pg_login_ok "$PG_FALLBACK_PORT"; then
		pg_ok=1 pg_port=$PG_FALLBACK_PORT
	elif ! have psql || [ -z "$(pg_bindir)" ]; then
		missing+=(postgresql)
	fi

	if [ -n "${REDIS_URL:-}" ]; then
		if redis_ok -u "$REDIS_URL"; then redis_ok_=1; else have redis-cli || missing+=(redis-tools); fi
	elif redis_ok -h 127.0.0.1 -p "$REDIS_PORT"; then
		redis_ok_=1
	elif ! have redis-server || ! have redis-cli; then
		missing+=(redis-server)
	fi

	[ -x /usr/bin/chromium ] || missing+=(chromium)
	if have dpkg-query; then
		pkg_installed fonts-thai-tlwg || missing+=(fonts-thai-tlwg)
		# WeasyPrint (PDF reports) lays out text with Pango.
		pkg_installed libpango-1.0-0 || missing+=(libpango-1.0-0)
		pkg_installed libpangoft2-1.0-0 || missing+=(libpangoft2-1.0-0)
	elif ! fc-list :lang=th 2>/dev/null | grep -q .; then
		log "WARNING: no Thai fonts found (install fonts-thai-tlwg)"
	fi

	# 2. Install what is missing, all in one apt-get run.
	apt_install "${missing[@]}"

	# 3. Start what does not answer yet.
	if [ "$pg_ok" = 0 ]; then
		if [ -n "${DATABASE_URL:-}" ]; then
			pg_url_ok "$DATABASE_URL" || die "the PostgreSQL server of DATABASE_URL does not answer"
		else
			pg_login_ok "$PG_PORT_SYSTEM" || start_system_postgres
			if pg_login_ok "$PG_PORT_SYSTEM"; then
				pg_port=$PG_PORT_SYSTEM
			else
				log "no password-less login as postgres on 127.0.0.1:$PG_PORT_SYSTEM; using a throwaway cluster"
				pg_login_ok "$PG_FALLBACK_PORT" || start_fallback_postgres
				pg_login_ok "$PG_FALLBACK_PORT" ||
					die "PostgreSQL does not answer on 127.0.0.1:$PG_FALLBACK_PORT (see $PG_FALLBACK_DIR/server.log)"
				pg_port=$PG_FALLBACK_PORT
			fi
		fi
	fi

	if [ "$redis_ok_" = 0 ]; then
		if [ -n "${REDIS_URL:-}" ]; then
			redis_ok -u "$REDIS_URL" || die "the Redis server of REDIS_URL does not answer"
		else
			start_redis
			redis_ok -h 127.0.0.1 -p "$REDIS_PORT" || die "Redis does not answer on 127.0.0.1:$REDIS_PORT"
		fi
	fi

	# 4. Our own servers: make sure the database exists (tests use test_emenscr, the app emenscr).
	if [ -n "$pg_port" ]; then
		local psql=(psql -X -w -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -Atq)
		if [ -z "$("${psql[@]}" -c "select 1 from pg_database where datname = '$PG_DB'")" ]; then
			log "creating database $PG_DB"
			"${psql[@]}" -c "create database $PG_DB" >&2 ||
				[ -n "$("${psql[@]}" -c "select 1 from pg_database where datname = '$PG_DB'")" ] ||
				die "could not create database $PG_DB"
		fi
		DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/$PG_DB"
	fi
	if [ -z "${REDIS_URL:-}" ]; then
		REDIS_URL="redis://127.0.0.1:$REDIS_PORT/$REDIS_DB"
	fi
	log "PostgreSQL, Redis, chromium and Thai fonts are ready"
}

# Everything main prints goes to stderr; bash keeps the real stdout in a close-on-exec descriptor,
# so no daemon started by main inherits it.
main >&2
printf 'export DATABASE_URL=%q\n' "$DATABASE_URL"
printf 'export REDIS_URL=%q\n' "$REDIS_URL"
