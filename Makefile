# mcptt-conformance: the two commands a person needs are
#   make conformance    a full live conformance run against the bundled reference client
#   make test           the project's own tests (what CI runs)
# Everything a fresh Debian machine lacks is installed by `make deps` (both depend on it).

SHELL   := /bin/bash
GO      ?= go
PROFILE ?= fixtures/profiles/plain-register.yaml
REPORTS ?= reports
# Extra words for the suite: STRICT=1, LABELS='7.2.1-02 || clause:7.2.2', CLIENT_ARGS='--break 7.2.1-02',
# BASELINE=known.yaml (accepted failures: only regressions fail, docs/baseline.md)
STRICT      ?=
LABELS      ?=
CLIENT_ARGS ?=
BASELINE    ?=
# An execution count, not a duration: Go 1.26's fuzz coordinator can fail a duration
# budget with "context deadline exceeded" and no crasher (golang/go#75804).
FUZZTIME    ?= 10000x

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# Debian packages: cgo toolchain and libxml2 for the XSD validation, sipp (sip-tester)
# as the external client of the end-to-end tests, xmllint and xmlsec1 as oracles.
APT_PACKAGES := gcc pkg-config libxml2-dev libxml2-utils sip-tester xmlsec1
# tshark dissects the run.pcapng every live run writes (the end-to-end tests open it).
APT_PACKAGES += tshark
# baresip registers over TLS in the end-to-end tests (fixtures/baresip/register.sh);
# baresip-core holds the program and the modules it needs, without a GUI.
APT_PACKAGES += baresip-core
# chromium renders report.html headless in the end-to-end test of the failure-first page.
APT_PACKAGES += chromium
# Kamailio is the test S-CSCF in front of the suite (fixtures/kamailio/), a separate program.
APT_PACKAGES += kamailio

BIN       := $(CURDIR)/bin
SUITE     := bin/mcptt-suite
CLI       := bin/mcptt-conformance
GINKGO    := bin/ginkgo
GO_FILES  := $(shell find . -name '*.go' -not -path './bin/*') go.mod go.sum

.PHONY: all deps apt-deps conformance conformance-all conformance-ims live test vet fuzz clean help

all: help

help:
	@echo "make conformance [PROFILE=file] [STRICT=1] [LABELS=expr]  live run against the reference client"
	@echo "make conformance-all                                    every bundled exec profile"
	@echo "make conformance-ims                                    the reference client through Kamailio as S-CSCF"
	@echo "make live PROFILE=file                                  live run for a client you start yourself"
	@echo "make check CAPTURE=path [CLIENT=aor]                    judge recorded traffic"
	@echo "  any of them: BASELINE=known.yaml                      accept the failures it lists (docs/baseline.md)"
	@echo "make test                                               the project's tests (CI)"
	@echo "make deps                                               install what this machine lacks"

deps: apt-deps $(GINKGO)

# Installs only the packages that are missing, quietly; does nothing on a ready machine.
apt-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  log=$$(mktemp); \
	  { $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; } >$$log 2>&1 \
	    || { cat $$log; rm -f $$log; echo "apt-get could not install:$$missing" >&2; exit 1; }; \
	  rm -f $$log; \
	fi

# The Ginkgo CLI at the version go.mod pins (for ginkgo --label-filter, --dry-run …).
$(GINKGO): go.mod
	GOBIN=$(BIN) $(GO) install github.com/onsi/ginkgo/v2/ginkgo

bin/refclient: $(GO_FILES)
	$(GO) build -o $@ ./cmd/refclient

$(SUITE): $(GO_FILES)
	$(GO) test -c -o $@ ./suites

# The command line: it checks the flags, drives the suite beside it and exits with the
# run's outcome (README "Exit status"); CI calls it directly for the exact code.
$(CLI): $(GO_FILES)
	$(GO) build -o $@ ./cmd/mcptt-conformance

# The flags of run and check; suite flags (Ginkgo's) follow "--".
CLI_ARGS = -profile=$(PROFILE) -reports=$(REPORTS) $(if $(STRICT),-strict) \
	$(if $(BASELINE),-baseline="$(BASELINE)")
GINKGO_ARGS = $(if $(LABELS),-ginkgo.label-filter="$(LABELS)")

# A full live conformance run: the fake MCPTT server, the client the profile starts,
# every spec, and reports/junit.xml, verdicts.json, report.html and captures/. The
# command prints the outcome; make's own status is 2 for any non-zero exit.
conformance: deps bin/refclient $(SUITE) $(CLI)
	$(CLI) run $(CLI_ARGS) $(if $(CLIENT_ARGS),-client-args="$(CLIENT_ARGS)") -- $(GINKGO_ARGS)

# Every bundled profile that starts its client, each in reports/profiles/<name>/; the
# status is the highest exit status of any profile's run.
conformance-all: deps bin/refclient $(SUITE) $(CLI)
	@status=0; for p in $$(grep -l '^  start: exec' fixtures/profiles/*.yaml); do \
	  name=$$(basename $$p .yaml); echo "== $$p"; \
	  $(CLI) run -profile=$$p -reports=$(REPORTS)/profiles/$$name $(if $(STRICT),-strict) \
	    $(if $(BASELINE),-baseline="$(BASELINE)") -- $(GINKGO_ARGS); \
	  rc=$$?; [ $$rc -gt $$status ] && status=$$rc; \
	done; exit $$status

# The reference client registers to Kamailio as the S-CSCF; the suite, behind it as
# the MCPTT application server, judges the third-party REGISTERs.
conformance-ims: PROFILE = fixtures/profiles/ims-core-register.yaml
conformance-ims: deps bin/refclient $(SUITE)
	$(SUITE) $(SUITE_ARGS)

# A live run for a client you start yourself (client.start: manual in the profile).
live: deps $(SUITE) $(CLI)
	$(CLI) run $(CLI_ARGS) -- $(GINKGO_ARGS) -ginkgo.v

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi

# Each fuzz target, briefly: enough to catch a crash a change brings in. A crasher is
# written to the package's testdata/fuzz/ and the run's output is shown.
FUZZ_TARGETS := $(shell grep -l '^func Fuzz' $$(find . -name '*_test.go' -not -path './bin/*') 2>/dev/null)
fuzz:
	@log=$$(mktemp); for f in $(FUZZ_TARGETS); do \
	  dir=$$(dirname $$f); \
	  for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | cut -d' ' -f2); do \
	    echo "fuzz $$dir $$t ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$dir >$$log 2>&1 \
	      || { cat $$log; rm -f $$log; echo "fuzz $$dir $$t FAILED"; exit 1; }; \
	  done; \
	done; rm -f $$log

# The project's tests: vet and gofmt, every package with the race detector (the
# end-to-end package drives the built suite with the reference client and with sipp;
# the suites package itself runs once against the default profile, its reports in a
# temporary folder), then every fuzz target briefly.
test: deps bin/refclient vet
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v '/suites$$')
	@tmp=$$(mktemp -d) && $(GO) test -race -count=1 ./suites -args -reports=$$tmp && rm -rf $$tmp
	$(MAKE) --no-print-directory fuzz

clean:
	rm -rf bin $(REPORTS)/junit.xml $(REPORTS)/verdicts.json $(REPORTS)/report.html $(REPORTS)/captures

-include mk/*.mk
