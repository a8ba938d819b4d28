# make demo: a short ENAS search on the embedded digits data, with its log, a picture and a video.
# make test: lint, format check and the whole test suite (notebooks and the browser test included).
# Both create .venv on first use; make test also installs Debian's chromium when it is missing (the
# browser tests drive it; no browser is ever downloaded by the tests). torch is pinned to the CPU build
# that these machines keep on disk (a bare `torch` would pull several GB of CUDA packages); the package
# itself asks for a range.

VENV     ?= .venv
PY       := $(VENV)/bin/python
TORCH    ?= torch==2.13.0
STAMP    := $(VENV)/.installed
# The browser the tests start (tests/browser.py: `chromium` on PATH, else this path) and how it is installed.
CHROMIUM ?= /usr/bin/chromium
APT_GET  ?= apt-get

.PHONY: demo test lint install browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser tests: apt-get as root, through sudo otherwise.
browser:
	@if command -v chromium >/dev/null 2>&1 || test -x "$(CHROMIUM)"; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	echo "make: the browser tests need Debian's chromium, which is missing: installing it ($${SUDO:+sudo }$(APT_GET) install chromium)"; \
	$$SUDO $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO $(APT_GET) install -y -qq chromium >/dev/null \
	  || { echo "make: could not install chromium; install Debian's chromium package by hand, then rerun make test" >&2; exit 1; }; \
	if command -v chromium >/dev/null 2>&1 || test -x "$(CHROMIUM)"; then echo "make: chromium installed"; \
	else echo "make: apt-get ran but no chromium executable is on PATH or at $(CHROMIUM)" >&2; exit 1; fi

demo: $(STAMP)
	$(VENV)/bin/enas-viz demo --out runs/demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint browser
	$(PY) -m pytest -q

clean:
	rm -rf runs test-artifacts .pytest_cache
