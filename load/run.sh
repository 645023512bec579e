#!/usr/bin/env bash
# make load: gunicorn (gunicorn.conf.py) with PostgreSQL on this machine, the seeded data, 20 users
# for a fixed time, then everything stops. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL=postgres://... (the load test needs PostgreSQL)}"
PORT=${LOAD_PORT:-8199}
export DJANGO_DEBUG=0 SECRET_KEY=load-test-only-secret-key-not-for-production-0123456789abcdef \
  ALLOWED_HOSTS=127.0.0.1 SECURE_COOKIES=0 AXES_FAILURE_LIMIT=1000 \
  GUNICORN_BIND=127.0.0.1:$PORT GUNICORN_WORKERS=${GUNICORN_WORKERS:-4} GUNICORN_LOGLEVEL=warning
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py collectstatic --noinput >/dev/null
.venv/bin/python -m load.seed
.venv/bin/gunicorn -c gunicorn.conf.py --access-logfile /dev/null taperapp.wsgi &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
.venv/bin/locust -f load/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  --users 20 --spawn-rate 5 --run-time "${LOAD_SECONDS:-60}s" --stop-timeout 10 --only-summary --loglevel WARNING
