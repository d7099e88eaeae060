"""The ``airflow`` action: one DAG run per decision through Airflow's REST API.

The decision ID is the run's ``dag_run_id``, so a retry after a crash finds the
run already there (409 Conflict) and counts as a success instead of starting a
second run. Airflow 3 (``api_version: v2``) takes a bearer token, given or
obtained from ``/auth/token`` with a username and password and renewed once when
refused with 401; Airflow 2 (``v1``) takes basic auth.
"""

from __future__ import annotations

import base64
import logging
import urllib.parse
from typing import Any

import orjson
from pydantic import SecretStr

from stream_workers.config.retrain import AirflowActionConfig
from stream_workers.messages.models import RetrainRequest
from stream_workers.retrain.http import Attempt, Reply, post

__all__ = ["AirflowAction", "dag_run_conf"]

logger = logging.getLogger(__name__)


def dag_run_conf(request: RetrainRequest) -> dict[str, Any]:
    """The ``conf`` of the DAG run: the decision without its action results."""
    return request.model_dump(
        mode="json", exclude={"actions", "schema_version"}, exclude_none=True
    )


class AirflowAction:
    """Trigger ``dag_id`` on the Airflow at ``base_url``."""

    def __init__(
        self,
        config: AirflowActionConfig,
        *,
        token: SecretStr | None = None,
        password: SecretStr | None = None,
    ) -> None:
        self.config = config
        self.name = config.name
        self.retry = config.retry
        self._base = config.base_url.rstrip("/")
        self._given_token = token
        self._password = password
        self._token: SecretStr | None = token

    @property
    def runs_url(self) -> str:
        dag = urllib.parse.quote(self.config.dag_id, safe="")
        return f"{self._base}/api/{self.config.api_version}/dags/{dag}/dagRuns"

    def once(self, request: RetrainRequest, timeout_s: float) -> Attempt:
        """One try at triggering the run."""
        body: dict[str, Any] = {
            "dag_run_id": request.decision_id,
            "conf": dag_run_conf(request),
        }
        if self.config.api_version == "v2":
            body["logical_date"] = None
        headers, failed = self._auth_headers(timeout_s)
        if failed is not None:
            return failed

        reply = post(self.runs_url, orjson.dumps(body), headers, timeout_s)
        if reply.status == 401 and self._can_renew_token:
            self._token = None
            headers, failed = self._auth_headers(timeout_s)
            if failed is not None:
                return failed
            reply = post(self.runs_url, orjson.dumps(body), headers, timeout_s)
        return self._judge(reply, request.decision_id)

    def _judge(self, reply: Reply, run_id: str) -> Attempt:
        if reply.status in (200, 201):
            return Attempt(True, external_id=run_id)
        if reply.status == 409:
            logger.info(
                "dag run already exists",
                extra={"action": self.name, "decision_id": run_id},
            )
            return Attempt(True, external_id=run_id)
        error = reply.error or f"Airflow answered HTTP {reply.status}"
        return Attempt(False, reply.retriable, error)

    @property
    def _can_renew_token(self) -> bool:
        return self.config.api_version == "v2" and self._password is not None

    def _auth_headers(self, timeout_s: float) -> tuple[dict[str, str], Attempt | None]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.api_version == "v1" and self._password is not None:
            pair = f"{self.config.username}:{self._password.get_secret_value()}"
            headers["Authorization"] = "Basic " + base64.b64encode(
                pair.encode()
            ).decode("ascii")
            return headers, None
        if self._token is None and self._password is not None:
            failed = self._fetch_token(timeout_s)
            if failed is not None:
                return headers, failed
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        return headers, None

    def _fetch_token(self, timeout_s: float) -> Attempt | None:
        assert self._password is not None
        body = orjson.dumps(
            {
                "username": self.config.username,
                "password": self._password.get_secret_value(),
            }
        )
        reply = post(
            f"{self._base}/auth/token",
            body,
            {"Content-Type": "application/json", "Accept": "application/json"},
            timeout_s,
        )
        if reply.status not in (200, 201):
            error = reply.error or f"Airflow refused a token: HTTP {reply.status}"
            return Attempt(False, reply.retriable, error)
        try:
            token = orjson.loads(reply.body)["access_token"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return Attempt(False, False, "Airflow's /auth/token reply has no token")
        self._token = SecretStr(str(token))
        return None
