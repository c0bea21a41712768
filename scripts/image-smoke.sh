#!/usr/bin/env bash
# Builds the service image with Podman and smoke-tests it (issue 16 item 2): /healthz answers 200
# and the demo web chat answers a customer from the image, against the machine's PostgreSQL (a
# fresh database, dropped at the end) and Redis when it runs. .ci/run calls it after the tests.
#
# Every container and build shares the host's network (--network host): Podman's default bridge
# hands out 10.88.x addresses, which nothing here may touch (issue 16 item 2).
set -euo pipefail
cd "$(dirname "$0")/.."

base_image="${KEFU_BASE_IMAGE:-localhost/kefu-base:bookworm-node20}"
image="${KEFU_IMAGE:-localhost/kefu-bridge:smoke}"
port="${KEFU_SMOKE_PORT:-3998}"
pg=(-h 127.0.0.1 -p 5432 -U postgres)
db="kefu_image_smoke_$$"
container="kefu-image-smoke-$$"
prefix="kefu-image-smoke-$$"
base="http://127.0.0.1:$port"
# runc and rlimits that work on these machines, without changing the machine's own configuration.
export CONTAINERS_CONF="$PWD/infra/image/containers.conf"

started=$SECONDS
mark=$SECONDS
step() { echo "image-smoke: [$((SECONDS - started))s] $*"; }
took() { echo "image-smoke:   $1 took $((SECONDS - mark))s"; timings+=("$1 $((SECONDS - mark))s"); mark=$SECONDS; }
fail() { echo "image-smoke: FAILED: $*" >&2; exit 1; }
timings=()

# As .ci/run: the package lists are refreshed only when the install cannot find a package.
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" \
    || { DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; }
}

missing=()
for tool in podman runc mmdebstrap jq; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  step "installing ${missing[*]}"
  # Named together so that podman's crun|runc dependency is met by runc: crun fails here.
  apt_install "${missing[@]}" >/dev/null || fail "could not install ${missing[*]} with apt-get"
fi
took "install"

if podman image exists "$base_image"; then
  step "base image $base_image is present"
else
  step "making base image $base_image"
  infra/image/build-base.sh "$base_image" || fail "could not make the base image $base_image"
fi
took "base image"

# The machine's CA bundle reaches npm ci as a build secret (never a layer): these machines reach
# the npm registry through a TLS-inspecting proxy whose CA only the host trusts.
ca_bundle="${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}"
secret=()
[ -f "$ca_bundle" ] && secret=(--secret "id=ca-certificates,src=$ca_bundle")
step "building $image"
podman build --network host --layers -f infra/Dockerfile --ignorefile infra/Dockerfile.dockerignore \
  "${secret[@]}" --build-arg BASE_IMAGE="$base_image" -t "$image" . || fail "podman build of infra/Dockerfile failed"
took "image build"

cleanup() {
  podman rm --force --volumes "$container" >/dev/null 2>&1 || true
  dropdb "${pg[@]}" --if-exists "$db" >/dev/null 2>&1 || echo "image-smoke: could not drop database $db" >&2
  if [ -n "${redis_url:-}" ]; then
    redis-cli -h 127.0.0.1 -p 6379 --scan --pattern "$prefix:*" | xargs -r redis-cli -h 127.0.0.1 -p 6379 del >/dev/null || true
  fi
}
trap cleanup EXIT

(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && fail "port $port is taken; set KEFU_SMOKE_PORT to a free one"
pg_isready "${pg[@]}" -q || fail "PostgreSQL is not answering on 127.0.0.1:5432"
createdb "${pg[@]}" "$db" || fail "could not create database $db"
redis_url=""
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then redis_url=redis://127.0.0.1:6379; fi
admin_token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"

step "starting $image on $base (PostgreSQL database $db, ${redis_url:-in-process queue})"
podman run --detach --name "$container" --network host \
  -e HOST=127.0.0.1 -e PORT="$port" \
  -e DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" \
  -e REDIS_URL="$redis_url" -e QUEUE_PREFIX="$prefix" \
  -e ADMIN_TOKEN="$admin_token" \
  "$image" >/dev/null || fail "podman run failed"

show_logs() { echo "image-smoke: last lines the container wrote:" >&2; podman logs --tail 40 "$container" >&2 || true; }
status=""
for _ in $(seq 1 120); do
  status="$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" || true)"
  [ "$status" = 200 ] && break
  if [ "$(podman inspect --format '{{.State.Running}}' "$container")" != true ]; then
    show_logs; fail "the container stopped before /healthz answered"
  fi
  sleep 0.5
done
[ "$status" = 200 ] || { show_logs; fail "/healthz answered ${status:-nothing} after 60 s, not 200"; }
took "start to /healthz 200"

channel="$(curl -sf -H "Authorization: Bearer $admin_token" "$base/api/channels" | jq -r '[.items[] | select(.kind == "webchat")][0].id // empty')" \
  || { show_logs; fail "GET /api/channels failed"; }
[ -n "$channel" ] || { show_logs; fail "no demo web chat channel on the fresh database (DEMO seeding)"; }

visitor="imagesmoke$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
step "asking the demo chat 包邮吗 (channel $channel)"
accepted="$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"visitorId\":\"$visitor\",\"text\":\"包邮吗\"}" "$base/webchat/$channel/messages")"
[ "$accepted" = 202 ] || { show_logs; fail "POST /webchat/$channel/messages answered $accepted, not 202"; }

answer=""
for _ in $(seq 1 60); do
  answer="$(curl -sf "$base/webchat/$channel/messages?visitorId=$visitor" | jq -r '[.items[] | select(.from != "visitor")][0].text // empty')"
  [ -n "$answer" ] && break
  sleep 0.5
done
[ -n "$answer" ] || { show_logs; fail "no answer to 包邮吗 within 30 s"; }
# The demo knowledge base's shipping answer (src/demo/demo-kb.jsonl), not a holding or handoff message.
[[ "$answer" == *299* ]] || { show_logs; fail "the answer is not the demo knowledge base's shipping answer: $answer"; }
echo "image-smoke:   answer: $answer"
took "web chat answer"

echo "image-smoke: passed in $((SECONDS - started))s (${timings[*]/%/;})"
