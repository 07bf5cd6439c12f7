"""The baseline of the API load bench: FastAPI's hello world, served like ``temir serve``."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}
