#!/usr/bin/env bash
# `make container`: build the bento into an image with podman and smoke-test it on 127.0.0.1.
#
# Machines without a container registry (like our CI) have no base image to pull, so this builds
# one with debootstrap from the Debian mirror apt already uses, and builds the bento against it
# with a generated bentofile (the committed bentofile.yaml stays right for Docker + internet).
# Needs root for apt-get/debootstrap. Idempotent: the base image is built once.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" BENTOML_DO_NOT_TRACK=true
BASE=localhost/debian-python:bookworm
IMAGE=scorecast:latest
PORT=${CONTAINER_PORT:-3917}
step() { printf '%(%H:%M:%S)T %s\n' -1 "$*"; }

if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null; then
  step "installing podman, debootstrap, runc"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman debootstrap runc >/dev/null
fi
if ! grep -qs default_ulimits /etc/containers/containers.conf; then
  mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = ["nofile=16384:16384", "nproc=32768:32768"]\n' >>/etc/containers/containers.conf
fi
if ! grep -qs '^runtime' /etc/containers/containers.conf; then
  # runc, which this script installs: crun (which a plain `apt-get install podman` brings) refuses the hybrid
  # cgroup v1/v2 mounts these machines have ("cgroups in hybrid mode not supported")
  printf '[engine]\nruntime = "runc"\n' >>/etc/containers/containers.conf
fi

if ! podman image exists "$BASE"; then
  step "building the base image $BASE with debootstrap"
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  debootstrap --variant=minbase --include=python3,python3-pip,ca-certificates bookworm "$rootfs" "$mirror" >/dev/null
  cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/" 2>/dev/null || true
  chroot "$rootfs" update-ca-certificates >/dev/null
  tar -C "$rootfs" -c . | podman import --change 'ENV PIP_BREAK_SYSTEM_PACKAGES=1' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' - "$BASE" >/dev/null
fi

step "bentoml build (base image $BASE)"
bentofile=$(mktemp --suffix=.yaml)
python - "$bentofile" <<'PY'
import sys
import yaml

spec = yaml.safe_load(open("bentofile.yaml"))
spec["docker"] = {**spec.get("docker", {}), "base_image": "localhost/debian-python:bookworm", "python_version": "3.11"}
spec["docker"].pop("distro", None)
yaml.safe_dump(spec, open(sys.argv[1], "w"), sort_keys=False)
PY
tag=$(bentoml build -f "$bentofile" --output tag | tail -n1 | sed 's/^__tag__://')
rm -f "$bentofile"
step "bentoml containerize $tag"
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
bentoml containerize "$tag" --backend podman -t "$IMAGE" >/dev/null
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  # the image this tag named before is untagged now: remove it, or every run leaves one behind
  podman rmi "$previous" >/dev/null 2>&1 && step "removed the superseded image ${previous:0:12}" || true
fi

step "smoke test on 127.0.0.1:$PORT"
cid=$(podman run -d --rm -p "127.0.0.1:$PORT:3000" "$IMAGE")
trap 'podman stop -t 5 "$cid" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 60); do
  curl -sf -m 2 "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 1
done
user=$(podman exec "$cid" id -u)
[ "$user" != 0 ] || { echo "container runs as root" >&2; exit 1; }
record=$(curl -sf -m 5 "http://127.0.0.1:$PORT/metadata" | python -c '
import json, sys
schema = json.load(sys.stdin)["schema"]
print(json.dumps({f["name"]: f["categories"][0] if "categories" in f else f.get("min", 0) for f in schema["features"]}))')
answer=$(curl -sf -m 10 -X POST "http://127.0.0.1:$PORT/predict" -H 'content-type: application/json' -d "$record")
echo "$answer" | python -c 'import json, sys; p = json.load(sys.stdin)["predictions"]; assert isinstance(p[0], float), p'
step "ok: container (uid $user) answered $answer"
