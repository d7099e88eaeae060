"""A real Airflow 3 on 127.0.0.1 for the retrain tests, from its own venv.

``scripts/airflow_env.sh`` installs Airflow from PyPI once into
``~/.cache/driftline/airflow-venv``; this module runs ``db migrate`` on SQLite in
a temporary ``AIRFLOW_HOME``, then only the API server and the DAG processor
(no scheduler: the tests count DAG runs, they do not run them), with the simple
auth manager and a generated password, and stops both afterwards.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DAG_FILE = ROOT / "examples" / "airflow" / "model_retraining.py"
USER = "driftline"


@dataclass
class Airflow:
    base_url: str
    password: str
    install_s: float
    start_s: float

    def token(self) -> str:
        body = json.dumps({"username": USER, "password": self.password}).encode()
        request = urllib.request.Request(
            f"{self.base_url}/auth/token",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with _LOCAL.open(request, timeout=10) as reply:
            return json.loads(reply.read())["access_token"]

    def get(self, path: str) -> Any:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            headers={"Authorization": f"Bearer {self.token()}"},
        )
        with _LOCAL.open(request, timeout=10) as reply:
            return json.loads(reply.read())

    def dag_runs(self, dag_id: str = "model_retraining") -> list[dict[str, Any]]:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns")["dag_runs"]


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(home: Path, port: int, password_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(password_file),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": (
                f"http://127.0.0.1:{port}/execution/"
            ),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
            "SCARF_ANALYTICS": "false",
            "DO_NOT_TRACK": "true",
        }
    )
    return env


def _wait(check: Any, what: str, timeout_s: float, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.5)
    tails = "\n".join(p.read_text()[-3000:] for p in logs if p.exists())
    raise RuntimeError(f"Airflow: {what} not ready in {timeout_s:g} s\n{tails}")


def start(home: Path) -> tuple[Airflow, list[subprocess.Popen[bytes]]]:
    """Install (once) and start Airflow in ``home``; return it and its processes."""
    started = time.monotonic()
    python = subprocess.run(
        ["bash", str(ROOT / "scripts" / "airflow_env.sh")],
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    ).stdout.strip()
    airflow_bin = str(Path(python).parent / "airflow")
    install_s = time.monotonic() - started

    started = time.monotonic()
    (home / "dags").mkdir(parents=True)
    shutil.copy(DAG_FILE, home / "dags")
    password = secrets.token_urlsafe(16)
    password_file = home / "passwords.json"
    password_file.write_text(json.dumps({USER: password}))
    port = _free_port()
    env = _environment(home, port, password_file)
    with open(home / "migrate.log", "wb") as log:
        subprocess.run(
            [airflow_bin, "db", "migrate"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=600,
        )

    processes = []
    logs = [home / "api-server.log", home / "dag-processor.log"]
    commands = [
        ["api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        ["dag-processor"],
    ]
    for command, log_path in zip(commands, logs, strict=True):
        with open(log_path, "wb") as log:
            processes.append(
                subprocess.Popen(
                    [airflow_bin, *command],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    airflow = Airflow(f"http://127.0.0.1:{port}", password, install_s, 0.0)
    try:
        _wait(lambda: airflow.token(), "the API server", 300, logs)
        _wait(
            lambda: airflow.get("/api/v2/dags/model_retraining")["dag_id"],
            "the model_retraining DAG",
            300,
            logs,
        )
    except BaseException:
        stop(processes)
        raise
    airflow.start_s = time.monotonic() - started
    return airflow, processes


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each process group started here, SIGKILL what is left after 30 s."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
