"""Write schemas/<message>.v1.json from the pydantic models (run after a change)."""

from __future__ import annotations

import json
from pathlib import Path

from stream_workers.messages.schema import MESSAGES, json_schema_for, schema_file_name

ROOT = Path(__file__).resolve().parent.parent / "schemas"

if __name__ == "__main__":
    for name in MESSAGES:
        path = ROOT / schema_file_name(name)
        path.write_text(json.dumps(json_schema_for(name), indent=2) + "\n")
        print(path)
