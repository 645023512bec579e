#!/usr/bin/env bash
# make load-cluster: two gunicorn app servers on two ports and one task worker, sharing one
# PostgreSQL server started here in a temporary directory; 20 users spread over both servers for a
# fixed time; then a plan saved on one server has its document made by the worker and downloaded
# from the other. Loopback only; everything stops at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

pg_bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1)")
pg_dir=$(mktemp -d)
pg_port=$(free_port)
pg_user=$(id -un)
run_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then  # PostgreSQL refuses to run as root
  pg_user=postgres
  chown postgres "$pg_dir"
  run_pg() { runuser -u postgres -- "$@"; }
fi
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U "$pg_user" --auth=trust -E UTF8 >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=100" start >/dev/null \
  || { cat "$pg_dir/server.log"; exit 1; }

export DATABASE_URL="postgres://$pg_user@127.0.0.1:$pg_port/postgres"
export DJANGO_DEBUG=0 SECRET_KEY=load-test-only-secret-key-not-for-production-0123456789abcdef \
  ALLOWED_HOSTS=127.0.0.1 SECURE_COOKIES=0 AXES_FAILURE_LIMIT=1000 \
  GUNICORN_WORKERS=${GUNICORN_WORKERS:-2} GUNICORN_LOGLEVEL=warning
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py collectstatic --noinput >/dev/null
.venv/bin/python -m load.seed

hosts=()
for _ in 1 2; do
  port=$(free_port)
  GUNICORN_BIND=127.0.0.1:$port .venv/bin/gunicorn -c gunicorn.conf.py --access-logfile /dev/null taperapp.wsgi &
  pids+=($!)
  hosts+=("http://127.0.0.1:$port")
done
.venv/bin/python manage.py db_worker --no-startup-delay &
pids+=($!)
for host in "${hosts[@]}"; do
  for _ in $(seq 100); do curl -fs "$host/healthz" >/dev/null && break; sleep 0.2; done
done
echo "App servers: ${hosts[*]}; one task worker; PostgreSQL on 127.0.0.1:$pg_port"

status=0
LOAD_HOSTS="${hosts[*]}" .venv/bin/python -m locust -f load/locustfile.py --headless --host "${hosts[0]}" \
  --users 20 --spawn-rate 5 --run-time "${LOAD_SECONDS:-60}s" --stop-timeout 10 --only-summary --loglevel WARNING \
  || status=$?
.venv/bin/python -m load.handoff "${hosts[0]}" "${hosts[1]}" || status=$?
exit "$status"
