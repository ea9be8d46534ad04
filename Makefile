# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# Both install the Debian packages the app needs (when missing) and create or refresh
# the virtual environment in .venv from pyproject.toml and constraints.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEBIAN_PACKAGES := libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libglib2.0-0 xvfb xauth
OUT ?= out

.PHONY: run test system-deps venv clean

# The app on the demo feed. Without a display it says so and renders the app offscreen
# into out/ instead (a screenshot and a signed recording).
run: venv
	$(BIN)/safelens app --source demo

# The import rules (pyproject's [tool.importlinter] contracts), the types (its [tool.mypy]), then the tests.
test: venv
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

venv: system-deps $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test,scale]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) $(OUT)
