"""An Airflow DAG that driftline's ``airflow`` retrain action triggers.

Driftline starts a run with the decision ID as its ``dag_run_id`` and the decision
in ``conf``: ``model_id``, ``model_version``, ``reason``, ``rule``, ``alert_ids``,
``decision_id`` and ``requested_by``. The DAG has no schedule; it runs only when
triggered. Replace ``retrain`` with the model's training job.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, get_current_context, task


@dag(
    dag_id="model_retraining",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["driftline"],
)
def model_retraining() -> None:
    @task
    def retrain() -> dict[str, object]:
        conf = get_current_context()["dag_run"].conf or {}
        return {"model_id": conf.get("model_id"), "reason": conf.get("reason")}

    retrain()


model_retraining()
