"""The ceiling for intake: a bare FastAPI POST with the same request validation and no store."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI

from minyi.intake.entrypoints.schemas import SuggestionIn

app = FastAPI()


@app.post("/v1/suggestions", status_code=201)
async def post(body: SuggestionIn) -> dict[str, str]:
    return {"id": "x", "tracking_code": "x", "status": "filed"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
