# Two commands do all set-up on a fresh machine: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=
# Let Python cache compiled modules: every command starts about three times faster.
unexport PYTHONDONTWRITEBYTECODE
DEMO_EXPERTS ?= 2000
DEMO_SEED ?= 2024
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres setup system lint messages catalogues bench clean

## run: serve the app on http://127.0.0.1:8000 (make run PORT=8080: another port) with a demo roster of 2,000 experts
run: export ROSTER_ENV = development
run: export ROSTER_BASE_URL ?= http://127.0.0.1:$(PORT)
run: setup
	$(FLASK) roster init-db
	$(FLASK) roster demo --experts $(DEMO_EXPERTS) --seed $(DEMO_SEED) --if-empty
	$(FLASK) roster demo-accounts
	PORT=$(PORT) .ci/with-worker $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

## test: the whole suite on SQLite, then on a throw-away PostgreSQL server
test: system setup test-sqlite test-postgres

test-sqlite:
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	.ci/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

## setup: the virtual environment, and the translations compiled (translations/*/LC_MESSAGES/*.mo)
setup:
	@.ci/setup-python
	@$(BIN)/pybabel -q compile -d translations

system:
	@.ci/setup-system

## lint: ruff on the whole tree (migrations, wsgi.py and gunicorn.conf.py included)
lint: setup
	$(BIN)/ruff check .

## messages: extract every marked string into translations/messages.pot for translators
messages: setup
	mkdir -p translations
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 -k N_ -k Nn_:1,2 --no-location --sort-output \
		-o translations/messages.pot .

## catalogues: extract, then bring the six catalogues up to date (new strings untranslated, none guessed)
catalogues: messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
		--ignore-obsolete
	$(BIN)/pybabel compile -d translations --statistics

bench: setup
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_matcher.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
