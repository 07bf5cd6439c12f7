# Temir: the two commands are `make run` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
export TEMIR_TEST_POSTGRES_URL ?= postgresql://temir:temir@127.0.0.1:5432/temir

.PHONY: run test test-fast install lint typecheck pytest bench audit

$(UV):
	python3 -m pip install --user --quiet uv

install: $(UV)
	$(UV) sync --frozen

## Install everything, migrate the SQLite database, load reference + demo data, serve on :8000.
run: install
	$(UV) run temir db upgrade
	$(UV) run temir demo
	$(UV) run temir serve

## The whole suite: lint, format, types, import contract, tests on SQLite and PostgreSQL.
test: install lint typecheck pytest

lint:
	$(UV) run ruff check src tests $(wildcard bench) $(wildcard tools)
	$(UV) run ruff format --check src tests $(wildcard bench) $(wildcard tools)
	$(UV) run lint-imports

typecheck:
	$(UV) run mypy

## The pure subset (no database, server or browser): a quick check while editing.
test-fast: install
	$(UV) run pytest -q -m pure -n 2

pytest:
	$(UV) run pytest -n 2 --dist loadgroup

## Benchmarks: `make bench` runs the quick ones, `make bench BENCH="route_pairs quote"` some.
BENCH ?= all
bench: install
	$(UV) run python -m bench $(BENCH)

## Check every package pinned in uv.lock for known vulnerabilities (needs PyPI's or OSV's
## vulnerability data; offline: ADVISORIES=folder-of-OSV-json). Exit 2 = not everything checked.
audit: install
	$(UV) run python -m tools.dependency_audit $(if $(ADVISORIES),--advisories $(ADVISORIES)) $(if $(SERVICE),--service $(SERVICE))
