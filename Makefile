# Vartti: `make run` starts the demo county, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-dates migrate texts extract chromium postgres clean

$(VENV)/.run-deps: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

migrate: $(VENV)/.run-deps
	$(PY) -m data migrate

# The interface texts: compile the gettext catalogues locale/*/LC_MESSAGES/messages.po into .mo files.
texts: $(VENV)/.run-deps
	$(VENV)/bin/pybabel compile -d locale -D messages --statistics

# A check, not a build step: list the keys the code looks up with t("…")/tn("…") (and import_tab's tr) in
# locale/messages.pot.
# Keys built at run time (t(f"rollup.level.{level}")) are not found, so locale/fi is the source, not the .pot.
extract: $(VENV)/.run-deps
	$(VENV)/bin/pybabel extract -F babel.cfg -k t -k tn -k tr -o locale/messages.pot .

run: migrate texts
	$(PY) -m data seed-demo --if-empty
	VARTTI_DEMO=1 $(PY) -m streamlit run app.py --server.port $(PORT)

# Debian's Chromium drives the browser tests; Playwright's own browser download is not used.
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }; }
	@command -v pdftoppm >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q poppler-utils || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q poppler-utils; }; }
	@# WeasyPrint (the report's PDF, `python -m data report`) needs Pango and fonts from Debian.
	@test -e /usr/lib/x86_64-linux-gnu/libpangoft2-1.0.so.0 -o -e /usr/lib/aarch64-linux-gnu/libpangoft2-1.0.so.0 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; }; }
	@# The proxy test runs Debian's nginx (not as a service) in front of the app: deploy/vartti-proxy.conf.
	@test -x /usr/sbin/nginx || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q nginx || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q nginx; }; }

# The integration tests need PostgreSQL on 127.0.0.1:5432; start the local cluster if it is down.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
	  command -v pg_ctlcluster >/dev/null && \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -1) main start || true; }

test: $(VENV)/.test-deps texts chromium postgres
	$(PY) -m pytest

# The whole suite with the app's clock on the days that break date arithmetic (Helsinki wall times):
# the last Sundays of March and October, the turn of the year in ISO week 53, a leap day, Monday 00:30.
DATES ?= 2027-03-28T02:30 2027-10-31T03:30 2026-12-31T12:00 2027-01-01T00:10 2028-02-29T10:00 2027-12-06T00:30
test-dates: $(VENV)/.test-deps texts chromium postgres
	@for day in $(DATES); do echo "== the suite on $$day"; VARTTI_NOW=$$day $(PY) -m pytest -q $(PYTEST_ARGS) || exit 1; done

clean:
	rm -rf $(VENV) data/vartti.db data/vartti.db-* locale/*/LC_MESSAGES/*.mo locale/messages.pot
