# One command to run the product on the embedded default, one to run the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test setup frontend user clean

run: setup frontend  ## set up and run on SQLite + in-memory layer + the offline strategist
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py sweep_replies
	@echo "Open http://localhost:$(PORT)/ — sign up at /accounts/signup/ (or: make user NAME=you)"
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

test: setup frontend  ## set up and run every test suite (frontend unit tests, then pytest)
	cd frontend && npm test
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

user: setup  ## create a trader account: make user NAME=alice (asks for the password)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py createtrader $(NAME)

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist staticfiles test-db.sqlite3
