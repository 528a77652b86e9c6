# Certifying recorded traffic: included by the main Makefile.
#
#   make check CAPTURE=<path> [PROFILE=file] [CLIENT=<AoR or source address>] [SHARD=i/n] [WRITE_CAPTURES=1] [STRICT=1] [LABELS=expr]
#       Runs the suites over recorded requests instead of a live server and writes the
#       same reports (junit.xml, verdicts.json, report.html, captures/). CAPTURE is a
#       folder of raw requests (*.sip, as reports/captures/ holds), one raw request
#       file, or a pcap/pcapng file. CLIENT picks one client of a capture that holds
#       several; SHARD=i/n judges only the clients whose address of record hashes to
#       shard i of n (merge the shards' verdicts.json after). For a pcap/pcapng file,
#       captures/ is written only with WRITE_CAPTURES=1. The exit status is the live run's outcome (README "Exit status"):
#       bin/mcptt-conformance check prints it; make's own status is 2 for any non-zero.

CAPTURE ?=
CLIENT  ?=
SHARD   ?=
WRITE_CAPTURES ?=

.PHONY: check

check: deps $(SUITE) $(CLI)
	@if [ -z "$(CAPTURE)" ]; then \
		echo "usage: make check CAPTURE=<folder, .sip file, .pcap or .pcapng> [PROFILE=file] [CLIENT=<AoR or address>]" >&2; exit 2; fi
	$(CLI) check $(CLI_ARGS) -capture="$(CAPTURE)" $(if $(CLIENT),-client="$(CLIENT)") \
		$(if $(SHARD),-shard="$(SHARD)") $(if $(WRITE_CAPTURES),-write-captures) -- $(GINKGO_ARGS)
