# Two commands for a newcomer: `make run` and `make test` (see README.md).
VENV   := .venv
PIP    := $(VENV)/bin/pip
FLASK  := $(VENV)/bin/flask --app portal
PORT   ?= 5000
PYTEST_ARGS ?= -n auto

.PHONY: run test serve worker bench clean translations

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e '.[test]'
	touch $@ $(VENV)/.installed

## make run: set up, migrate, load demo data once, serve on http://127.0.0.1:$(PORT)
## (the older demo PDFs are rendered in the background while the portal already serves)
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) demo-data --if-empty --pdfs recent
	$(FLASK) documents render-missing --quiet > instance/render-missing.log 2>&1 &
	$(FLASK) demo-data --print-logins --url http://127.0.0.1:$(PORT)
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## make test: the whole suite (SQLite; PORTAL_TEST_DATABASE_URL=postgresql+psycopg://… for PostgreSQL)
test: $(VENV)/.installed-test
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## make serve: production serving with gunicorn (PostgreSQL, PORTAL_SECRET_KEY required)
serve: $(VENV)/.installed
	PORTAL_ENV=production $(FLASK) db upgrade
	PORTAL_ENV=production $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

## make worker: background job workers on Redis (PORTAL_QUEUE_URL required)
worker: $(VENV)/.installed
	$(VENV)/bin/huey_consumer portal.worker.huey -w $${WORKERS:-2} -k process

## make translations: extract the messages of portal/ and templates/ (babel.cfg), merge them into
## translations/<language>/LC_MESSAGES/messages.po, compile the .mo files the app loads (commit both)
# Directories extraction skips (pybabel's default also skips "_*", which would skip templates/_macros/).
BABEL_IGNORE_DIRS = .* __pycache__ node_modules

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k lazy_ngettext:1,2 -k lazy_counted:1,2 --ignore-dirs '$(BABEL_IGNORE_DIRS)' --no-wrap --sort-by-file --omit-header -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-wrap
	$(VENV)/bin/pybabel compile -d translations
	rm translations/messages.pot

clean:
	rm -rf $(VENV) .pytest_cache
