# The README's two commands:  `make run`  and  `make test`.
# Both create .venv from scratch on a fresh machine (only Python 3.11 and the package registries needed).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test build serve setup lint clean bench vendor chromium wrk virtuoso nginx axe

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

build: setup
	$(VENV)/bin/kg build

serve: setup vendor
	$(VENV)/bin/kg serve --host $(HOST) --port $(PORT)

# Main job: build the graph from the bundled corpus, then serve it on 127.0.0.1:5000 (make run PORT=5001 HOST=...).
# Plain '=', not '?=': only the command line overrides them, never an exported HOST (tcsh) or PORT (PaaS).
HOST = 127.0.0.1
PORT = 5000
run: setup vendor
	$(VENV)/bin/kg build
	$(VENV)/bin/kg serve --host $(HOST) --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check kg tests bench

# Whole test suite (what .ci/run calls).
test: setup vendor chromium virtuoso nginx axe
	$(VENV)/bin/ruff check kg tests bench
	$(PY) -m pytest

bench: setup wrk
	$(PY) -m pip install -q -e ".[test,bench]"
	$(PY) bench/run_all.py

# The query editor (YASGUI) from the npm registry into a git-ignored folder: installed, never committed,
# never loaded from a CDN. Without npm the SPARQL page falls back to a plain form, so this never fails.
YASGUI_VERSION := 4.6.2
VENDOR := kg/web/static/vendor/yasgui
PICTURES := kg/web/static/vendor/pictures
PICTURES_NPM := d3-array@3.2.5 d3-geo@3.1.2 topojson-client@3.1.0 world-atlas@2.0.2 cytoscape@3.35.0
vendor: $(VENDOR)/yasgui.min.js $(PICTURES)/cytoscape.min.js

$(VENDOR)/yasgui.min.js:
	@if command -v npm >/dev/null 2>&1 && mkdir -p build/npm && \
	  npm install --prefix build/npm --no-audit --no-fund --ignore-scripts --silent @zazuko/yasgui@$(YASGUI_VERSION); then \
	  mkdir -p $(VENDOR) && cp build/npm/node_modules/@zazuko/yasgui/build/yasgui.min.js \
	    build/npm/node_modules/@zazuko/yasgui/build/yasgui.min.css $(VENDOR)/ ; \
	else echo "make vendor: npm unavailable or failed; the SPARQL page uses its plain form"; fi

# axe-core, the accessibility checker the browser tests inject into every page (tests/test_web_accessibility.py),
# from the npm registry into the git-ignored build/npm; a test tool, never served. Without npm those tests skip.
AXE_VERSION := 4.10.2
AXE := build/npm/node_modules/axe-core/axe.min.js
axe: $(AXE)

$(AXE):
	@if command -v npm >/dev/null 2>&1 && mkdir -p build/npm && \
	  npm install --prefix build/npm --no-audit --no-fund --ignore-scripts --silent axe-core@$(AXE_VERSION); then :; \
	else echo "make axe: npm unavailable or failed; the accessibility tests will be skipped"; fi

# The pictures (/timeline, /map, /network): Natural Earth boundaries (world-atlas, TopoJSON) drawn with d3-geo and
# topojson-client, and the correspondents' network with cytoscape; same rules as YASGUI (pinned, git-ignored, no
# CDN). Without them the pages show their tables (the server renders those; the scripts only enhance).
$(PICTURES)/cytoscape.min.js:
	@M=build/npm-pictures/node_modules; if command -v npm >/dev/null 2>&1 && mkdir -p build/npm-pictures && \
	  npm install --prefix build/npm-pictures --no-audit --no-fund --ignore-scripts --silent $(PICTURES_NPM); then \
	  mkdir -p $(PICTURES) && cp $$M/d3-array/dist/d3-array.min.js $$M/d3-geo/dist/d3-geo.min.js \
	    $$M/topojson-client/dist/topojson-client.min.js $$M/world-atlas/countries-110m.json $(PICTURES)/ && \
	  cp $$M/cytoscape/dist/cytoscape.min.js $(PICTURES)/ ; \
	else echo "make vendor: npm unavailable or failed; the map and network pages show their tables"; fi

# Headless Chromium for the browser tests (Debian package), only when missing and we may install it.
# Playwright (test extra) drives this binary; `playwright install` and its browser download are never needed.
chromium:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } || \
	  echo "make chromium: /usr/bin/chromium missing and not installable here; browser tests will be skipped"

# wrk, the native HTTP load generator of bench/server_bench.py (Debian package), only when missing and we may install it.
wrk:
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; } || \
	  echo "make wrk: wrk missing and not installable here; bench/server_bench.py will say so"

# Virtuoso (Debian package), the second external store of the integration tests, only when missing and we
# may install it. Only the binaries are used: each test run starts its own throw-away database on loopback
# ports (tests/virtuoso_server.py). The package's own service is not wanted (its default configuration
# listens beyond 127.0.0.1): RUNLEVEL=1 asks sysvinit's invoke-rc.d not to start it at install; the CI
# containers have no init that would start it anyway. On a host with systemd, stop it after installing.
virtuoso:
	@test -x /usr/bin/virtuoso-t || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && \
	  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends virtuoso-opensource >/dev/null; } || \
	  echo "make virtuoso: /usr/bin/virtuoso-t missing and not installable here; Virtuoso tests will be skipped"

# nginx (Debian's nginx-light), the native front measured in bench/results/front.md and tested by
# tests/test_deploy_front.py, only when missing and we may install it. Only the binary is used: the tests
# and bench/front.py start it from deploy/nginx-front.conf on 127.0.0.1 with a temporary prefix; the
# package's own service (port 80 on every address) is not wanted, so it is not started (RUNLEVEL=1, as above).
nginx:
	@test -x /usr/sbin/nginx || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && \
	  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light >/dev/null; } || \
	  echo "make nginx: /usr/sbin/nginx missing and not installable here; the nginx front tests will be skipped"

clean:
	rm -rf $(VENV) output/* build *.egg-info
