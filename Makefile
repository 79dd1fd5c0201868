# Each target prepares what it needs (PostgreSQL, Odoo source, virtual environment, linters) first;
# the preparation is cached, so a second call costs seconds. See README.md.
SHELL := /bin/bash
DEVENV := scripts/devenv.sh
N ?= 10000
USERS ?= 20
DURATION ?= 60

.PHONY: setup run test test-odoo uninstall-check upgrade-check lint format wheels stop bench load load-test shell i18n screenshots

setup:
	@$(DEVENV) setup

run:
	@$(DEVENV) run

test:
	@$(DEVENV) test

test-odoo:
	@$(DEVENV) test-odoo

uninstall-check:
	@$(DEVENV) uninstall-check

upgrade-check:
	@$(DEVENV) upgrade-check

lint:
	@$(DEVENV) lint

format:
	@$(DEVENV) format

wheels:
	@$(DEVENV) wheels

stop:
	@$(DEVENV) stop

bench:
	@$(DEVENV) bench --n $(N)
	@$(DEVENV) bench-win-model --n $(N)

load:
	@N=$(N) USERS=$(USERS) DURATION=$(DURATION) $(DEVENV) load

load-test:
	@$(DEVENV) load-test

shell:
	@$(DEVENV) shell

i18n:
	@$(DEVENV) i18n

screenshots:
	@$(DEVENV) screenshots
