# The commands: 'make run' (a first look), 'make serve' (a shop) and 'make test'.  Settings come from the
# environment: ODOO_SRC, OMS_PG_PORT, OMS_HTTP_PORT, OMS_DB (see README.md).
.PHONY: run serve test pytest unit lint format setup stop status lock install-check

run:            ## set up what is missing, then serve Odoo with the OMS addons and demo data
	@scripts/run.sh

serve:          ## serve $OMS_DB as a shop runs it: prefork workers, a job server and its runner
	@scripts/serve.sh

test:           ## set up what is missing, lint, fresh test database, every test
	@scripts/test.sh

pytest:         ## tests on the existing test database: make pytest ARGS="addons/oms_core"
	@scripts/test.sh --reuse-db $(ARGS)

# The pure-Python tests: engines, mappers, API clients, simulators, scripts.
UNIT_TESTS = addons/oms_carriers/carrier_clients addons/oms_channels/channel_clients \
	addons/oms_channels/channel_connectors addons/oms_channels/channel_mappers \
	addons/oms_channels/channel_edi \
	addons/oms_core/http_core addons/oms_routing/routing_engine \
	tests/test_layout.py tests/test_simulator_base.py tests/test_scripts.py

unit:           ## pure-Python tests only, no Odoo, no database (all of them, or ARGS="tests/test_scripts.py")
	@scripts/setup.sh odoo python
	@.venv/bin/pytest -p no:odoo $(or $(ARGS),$(UNIT_TESTS))

lint:           ## ruff check + ruff format --check
	@scripts/lint.sh

format:         ## let ruff fix and format the code
	@scripts/setup.sh odoo python
	@.venv/bin/ruff check --fix . && .venv/bin/ruff format .

setup:          ## only install what is missing and start PostgreSQL
	@scripts/setup.sh

stop:           ## stop a background Odoo and the project's PostgreSQL
	@scripts/stop.sh

status:         ## is PostgreSQL running, on which port
	@scripts/postgres.sh status

install-check:  ## install each addon alone in a scratch database
	@scripts/install_check.sh

lock:           ## re-pin constraints.txt from the virtualenv
	@.venv/bin/pip freeze --exclude-editable --all | grep -v '^pip==' | \
	  (printf '%s\n' "# Every Python package of the virtualenv, pinned, Odoo itself excluded." \
	   "# Used as 'pip install -c constraints.txt' by scripts/setup.sh. After changing" \
	   "# requirements.txt, regenerate it with 'make lock'."; sort -f) > constraints.txt
