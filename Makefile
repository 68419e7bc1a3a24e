# Two commands do all set-up on a fresh machine with Python 3.11:
#   make run   — create .venv, install the app's requirements, serve it (diabetes data chosen by default)
#   make test  — the same, plus the test tools, then ruff and the whole suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
# The port: PORT, else Streamlit's own STREAMLIT_SERVER_PORT, else 8501.
PORT   ?= $(or $(STREAMLIT_SERVER_PORT),8501)
# The address: this machine only, unless ADDRESS says otherwise (ADDRESS=0.0.0.0 serves every
# network interface, Streamlit's own default: anyone who can reach the machine can use the app).
ADDRESS ?= $(or $(STREAMLIT_SERVER_ADDRESS),127.0.0.1)

.PHONY: run test test-load bench venv clean

# The app's own requirements (what `make run` needs), then the test and benchmark tools on top
# (what `make test` and `make bench` need): serving never waits for Playwright, cvxpy or hypothesis.
$(VENV)/.runtime: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -c "import reglab.cd as cd, reglab.groupcd as groupcd; cd.warm_up(); groupcd.warm_up()"  # compile the path solvers once, into their cache
	touch $@

$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

run: $(VENV)/.runtime
	@echo "Serving on http://$(ADDRESS):$(PORT) ($(if $(filter 127.0.0.1 localhost,$(ADDRESS)),this machine only; ADDRESS=0.0.0.0 make run shares it on the network,every network interface: reachable by anyone who can reach this machine))"
	$(PY) -m reglab.ui.serve app.py --server.port $(PORT) --server.address $(ADDRESS)  # streamlit run, modules warmed at start

test: venv
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n 2 --dist loadfile  # two processes (2 cores); a file's tests share one (its fixtures)

# 20 browser sessions at once on loopback (uploads, λ moves, isolation, latency, server RSS); stops by itself.
test-load: venv
	$(PY) benchmarks/load.py

bench: venv
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
