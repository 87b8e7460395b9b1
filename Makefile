# boundlab: the two entry points are `make reproduce` and `make test`.
# QUICK=1 selects the quick scale (seconds instead of minutes).
# bash with pipefail: `check | tee` must fail when the check does, not when tee does
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
CARGO ?= cargo
QFLAG := $(if $(QUICK),--quick,)
# The quick reproduction reports the statements alone: every negative control at the quick scale
# is run by `make test` (tests/catalogue.rs, against the golden file), at full scale by
# `make reproduce`. Running them here too doubled the quick check's time for no new verdict.
CFLAG := $(if $(QUICK),,--controls)
BIN := target/release/boundlab

.PHONY: all reproduce test bench check bootstrap build

all: reproduce

bootstrap:
	@./scripts/bootstrap

build: bootstrap
	$(CARGO) build --release --locked

# Every figure (figures/, or figures/quick/ with QUICK=1) and the catalogue report.
reproduce: build
	$(BIN) reproduce $(QFLAG)
	@mkdir -p results
	$(BIN) check $(CFLAG) $(QFLAG) --report results/check$(if $(QUICK),-quick,).json | tee results/check$(if $(QUICK),-quick,).txt

# Unit, catalogue, CLI and determinism tests, in the release profile: the build is the one
# `make reproduce` uses (dependencies compiled once), and the catalogue runs at full speed.
test: bootstrap
	$(CARGO) test --release --locked

# The catalogue's verdict table alone.
check: build
	$(BIN) check --controls $(QFLAG)

# Criterion benchmarks (numbers under target/criterion).
bench: bootstrap
	$(CARGO) bench --locked
