"""The baseline of the API load bench: FastAPI's hello world, served like ``temir serve``.

Run: ``python -m bench._hello --port P --workers N`` — uvicorn with the options ``temir
serve`` gives it, several workers each on a socket of its own (:mod:`temir.serving`), so the
baseline and the product share the way connections reach the workers.
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn
from fastapi import FastAPI

from temir import serving
from temir.kit.settings import KEEP_ALIVE_SECONDS

app = FastAPI()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    options: dict[str, Any] = dict(
        port=args.port,
        workers=args.workers,
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_worker_healthcheck=30,
    )
    if args.workers > 1 and serving.shares_port():
        serving.run_workers(uvicorn.Config("bench._hello:app", **options))
    else:
        uvicorn.run("bench._hello:app", **options)


if __name__ == "__main__":
    main()
