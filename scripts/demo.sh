#!/usr/bin/env bash
# Quick start 1: the demo on http://127.0.0.1:8000 (PORT=8080 bash scripts/demo.sh for another port).
#
# Embedded defaults, no server needed: SQLite in var/ and a Celery broker on the file system in
# var/celery/ (a DATABASE_URL / REDIS_URL already in the environment is used instead). Migrates,
# collects static files, loads the strategy hierarchy with demo agencies and users (printing
# their passwords), starts a Celery worker with embedded beat in the background (log in var/log/)
# and gunicorn in the foreground. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/venv.sh requirements.txt

PORT=${PORT:-8000}
LOG_DIR=var/log
mkdir -p "$LOG_DIR"

# A key of its own for this checkout instead of the embedded one, kept in var/ between runs.
if [ -z "${SECRET_KEY:-}" ]; then
	if [ ! -s var/demo-secret-key ]; then
		(umask 077 && python -c 'import secrets; print(secrets.token_urlsafe(50))' >var/demo-secret-key)
	fi
	SECRET_KEY=$(cat var/demo-secret-key)
	export SECRET_KEY
fi

python manage.py migrate --noinput
python manage.py collectstatic --noinput --verbosity 0
python manage.py load_demo

echo "Celery worker + beat: log in $LOG_DIR/celery.log" >&2
celery -A emenscr worker -B --loglevel=info --concurrency=2 \
	--schedule var/celerybeat-schedule >>"$LOG_DIR/celery.log" 2>&1 </dev/null &
worker_pid=$!

stop_worker() {
	if kill -0 "$worker_pid" 2>/dev/null; then
		echo "stopping the Celery worker ($worker_pid)" >&2
		kill -TERM "$worker_pid" 2>/dev/null || true
		wait "$worker_pid" 2>/dev/null || true
	fi
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo
echo "เปิด http://127.0.0.1:${PORT}  (open it in a browser; Ctrl-C to stop)"
echo
gunicorn emenscr.wsgi:application --bind "127.0.0.1:${PORT}" --workers 2 \
	--access-logfile - --error-logfile -
