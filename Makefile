# make demo: a short ENAS search on the embedded digits data, with its log, a picture and a video.
# make test: lint, format check and the whole test suite (notebooks and the browser test included).
# Both create .venv on first use. torch is pinned to the CPU build that these machines keep on
# disk (a bare `torch` would pull several GB of CUDA packages); the package itself asks for a range.

VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH  ?= torch==2.13.0
STAMP  := $(VENV)/.installed

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/enas-viz demo --out runs/demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest -q

clean:
	rm -rf runs test-artifacts .pytest_cache
