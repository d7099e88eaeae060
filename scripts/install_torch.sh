#!/usr/bin/env bash
# Install torch (the optional extra) into a virtual environment, from /opt/wheels when
# it has a wheel, else from a wheelhouse cached under ~/.cache/driftline, filled from
# PyPI on first use (about 3 GB with its CUDA libraries), so later installs are local.
set -euo pipefail
pip="$1"
spec="${TORCH_SPEC:-torch>=2.2}"
wheelhouse="${DRIFTLINE_TORCH_WHEELHOUSE:-$HOME/.cache/driftline/wheels/torch}"

if "$pip" show torch >/dev/null 2>&1; then
  exit 0
fi
if compgen -G "/opt/wheels/torch-*.whl" >/dev/null; then
  "$pip" install --find-links /opt/wheels "$spec"
  exit 0
fi
if ! compgen -G "$wheelhouse/torch-*.whl" >/dev/null; then
  mkdir -p "$wheelhouse"
  echo "downloading torch and its dependencies into $wheelhouse (first time only)"
  "$pip" download --dest "$wheelhouse" "$spec"
fi
"$pip" install --no-index --find-links "$wheelhouse" "$spec"
