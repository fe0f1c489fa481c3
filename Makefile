# One command to run the product on the embedded default, one to run the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Debug on unless the shell says otherwise, even with an older .env that does not set it.
MANAGE := DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py

.PHONY: run test setup frontend user clean

run: setup frontend .env  ## set up and run on SQLite + in-memory layer + the offline strategist
	$(MANAGE) migrate --no-input
	$(MANAGE) sweep_replies
	$(MANAGE) load_demo_prices
	@echo "Open http://localhost:$(PORT)/ — sign up at /accounts/signup/ (or: make user NAME=you)"
	@echo "From a terminal: $(BIN)/python -m chat.client --url http://localhost:$(PORT) --user you \"I have \$$1000\""
	$(MANAGE) runserver 0.0.0.0:$(PORT)

test: setup frontend  ## set up and run every test suite (generated types fresh, frontend unit tests, then pytest)
	cd frontend && npm run types:check && npm test
	$(BIN)/pytest

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

frontend: frontend/node_modules/.installed
	cd frontend && npm run build

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

user: setup .env  ## create a trader account: make user NAME=alice (asks for the password twice)
	@test -n "$(NAME)" || { echo "Name the trader: make user NAME=alice" >&2; exit 2; }
	$(MANAGE) migrate --no-input
	$(MANAGE) createtrader "$(NAME)"

# The development settings, so manage.py works outside make too; written once, never over the trader's own.
.env:
	cp -n .env.example .env

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist staticfiles test-db.sqlite3
