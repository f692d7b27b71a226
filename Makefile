# Courier — the two commands a new user needs:
#   make run    start Courier on the built-in demo (sample collection + local demo server)
#   make test   set everything up and run lint, types and the whole test suite
.PHONY: run test setup lint screenshot bench clean

run:
	@scripts/setup.sh --gui
	@.venv/bin/python -m app --demo

test:
	@scripts/test.sh

setup:
	@scripts/setup.sh --gui

lint:
	@scripts/setup.sh --gui
	.venv/bin/python -m ruff check app tests
	.venv/bin/python -m ruff format --check app tests
	.venv/bin/python -m mypy

# The README screenshot: a real window on a virtual X server.
screenshot:
	@scripts/setup.sh --gui
	COURIER_HOME=$$(mktemp -d) xvfb-run -a -s "-screen 0 1440x900x24" \
		.venv/bin/python -m app --demo --screenshot resources/screenshot.png
	home=$$(mktemp -d) && mkdir -p $$home/config && echo '{"theme": "light"}' > $$home/config/state.json && \
		COURIER_HOME=$$home xvfb-run -a -s "-screen 0 1440x900x24" \
		.venv/bin/python -m app --demo --screenshot resources/screenshot-light.png

bench:
	@scripts/setup.sh --gui
	.venv/bin/python tests/bench/startup.py
	.venv/bin/python tests/bench/collection.py
	.venv/bin/python tests/bench/responsiveness.py

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache build dist
