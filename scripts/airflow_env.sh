#!/usr/bin/env bash
# Create the virtual environment that the Airflow integration test runs Airflow from.
#
# Airflow lives in its own environment (its dependency pins would clash with ours),
# created once under ~/.cache/driftline/airflow-venv and reused while the pinned
# version is unchanged. Only PyPI is used; the version is pinned here because the
# official constraints files are not on PyPI.
#
#   scripts/airflow_env.sh            # create or reuse; print the venv's python
#   AIRFLOW_VENV=/path scripts/airflow_env.sh
set -euo pipefail

AIRFLOW_VERSION="${AIRFLOW_VERSION:-3.1.8}"
AIRFLOW_VENV="${AIRFLOW_VENV:-${HOME}/.cache/driftline/airflow-venv}"
PYTHON="${AIRFLOW_PYTHON:-python3}"
STAMP="${AIRFLOW_VENV}/.driftline-airflow-${AIRFLOW_VERSION}"

if [[ -f "${STAMP}" ]]; then
    echo "${AIRFLOW_VENV}/bin/python"
    exit 0
fi

started=$(date +%s)
rm -rf "${AIRFLOW_VENV}"
mkdir -p "$(dirname "${AIRFLOW_VENV}")"
"${PYTHON}" -m venv "${AIRFLOW_VENV}"
"${AIRFLOW_VENV}/bin/pip" install -q --disable-pip-version-check --upgrade pip >&2
"${AIRFLOW_VENV}/bin/pip" install -q --disable-pip-version-check \
    "apache-airflow==${AIRFLOW_VERSION}" >&2
"${AIRFLOW_VENV}/bin/airflow" version >&2
touch "${STAMP}"
echo "airflow ${AIRFLOW_VERSION} installed in $(( $(date +%s) - started ))s" >&2
echo "${AIRFLOW_VENV}/bin/python"
