# The two commands of the README: `make demo` and `make test`. Both set up
# everything they need (virtual environment, Kafka jars, local broker) and can be
# run again at any time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP_FLAGS := --disable-pip-version-check --find-links /opt/wheels

.PHONY: help venv broker broker-stop topics test lint demo clean ops-tools airflow-env

help:
	@echo "make demo   - run the main job end to end (broker, workers, replay, alerts)"
	@echo "make test   - lint and run the whole test suite against a real broker"
	@echo "make broker / broker-stop - start or stop the local Kafka broker"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) -q --upgrade pip
	bash scripts/install_torch.sh $(BIN)/pip
	$(BIN)/pip install $(PIP_FLAGS) -q -e ".[dev,torch]"
	touch $(STAMP)

venv: $(STAMP)

broker: $(STAMP)
	$(BIN)/driftline kafka status >/dev/null 2>&1 || $(BIN)/driftline kafka start

broker-stop:
	test ! -x $(BIN)/driftline || $(BIN)/driftline kafka stop

topics: broker
	$(BIN)/driftline topics create

# Services and tools some tests need: Prometheus, promtool, Chromium, kubeconform,
# schemas (scripts/ops_tools.sh), and a separate Airflow environment.
ops-tools:
	bash scripts/ops_tools.sh

airflow-env:
	bash scripts/airflow_env.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint broker ops-tools airflow-env
	$(BIN)/python -m pytest -q -p no:cacheprovider

demo: $(STAMP)
	$(BIN)/driftline demo

clean: broker-stop
	rm -rf .driftline
