# Two commands do all set-up on a fresh machine with Python 3.11:
#   make run   — create .venv, install, serve the app (diabetes data chosen by default)
#   make test  — create .venv, install, run the whole suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
# The port: PORT, else Streamlit's own STREAMLIT_SERVER_PORT, else 8501.
PORT   ?= $(or $(STREAMLIT_SERVER_PORT),8501)
# The address: this machine only, unless ADDRESS says otherwise (ADDRESS=0.0.0.0 serves every
# network interface, Streamlit's own default: anyone who can reach the machine can use the app).
ADDRESS ?= $(or $(STREAMLIT_SERVER_ADDRESS),127.0.0.1)

.PHONY: run test test-load bench venv clean

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -c "import reglab.cd as cd, reglab.groupcd as groupcd; cd.warm_up(); groupcd.warm_up()"  # compile the path solvers once, into their cache
	touch $@

venv: $(VENV)/.installed

run: venv
	@echo "Serving on http://$(ADDRESS):$(PORT) ($(if $(filter 127.0.0.1 localhost,$(ADDRESS)),this machine only; ADDRESS=0.0.0.0 make run shares it on the network,every network interface: reachable by anyone who can reach this machine))"
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

test: venv
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

# 20 browser sessions at once on loopback (uploads, λ moves, isolation, latency, server RSS); stops by itself.
test-load: venv
	$(PY) benchmarks/load.py

bench: venv
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
