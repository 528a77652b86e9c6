# Per-request cost as instruction counts: included by the main Makefile.
#
#   make bench-instructions [BENCHES='Register Publish']
#       Counts, with valgrind's callgrind, the instructions one request costs in each
#       validators benchmark: the count of 101 iterations less that of 1, over 100. A
#       count does not move with the machine's load, so two trees can be compared on
#       a busy machine (timings: go test -run='^$' -bench=. -cpu=1 ./validators).

BENCHES ?= Register Publish DirectRegister ThirdPartyRegister

.PHONY: bench-instructions

bench-instructions:
	@command -v valgrind >/dev/null || { echo "valgrind is missing (Debian package valgrind)" >&2; exit 2; }
	@$(GO) test -c -o $(BIN)/validators.test ./validators
	@cd validators && for b in $(BENCHES); do \
	  for n in 1 101; do \
	    GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
	      $(BIN)/validators.test -test.run='^$$' -test.bench="^Benchmark$$b\$$" -test.benchtime=$${n}x -test.cpu=1 2>&1 \
	      | sed -n 's/.*Collected : //p' | tail -1; \
	  done | paste -sd' ' | awk -v b=$$b '{ printf "%-20s %9.0f instructions per request\n", b, ($$2-$$1)/100 }'; \
	done
