#!/bin/sh
# The offline figures (README "Figures"): for each size, a pcap of that many REGISTERs
# from 1,000 clients (half UDP, half TCP, each client's last one its log-off, so that
# check's outcome is conformant; bench/offlinegen), then in the same run on the
# same file: tshark counting the SIP requests, the reading and judging core
# (bench/offlinejudge, no reports), and `mcptt-conformance check` end to end (reports
# included). Wall time and peak RSS come from /usr/bin/time. The pcaps are kept in
# BENCH_DIR (reused when there); the programs, logs and reports go to a folder of
# their own each run, so that runs side by side do not share them.
#
#   bench/offline.sh                 # 100,000 and 1,000,000 requests
#   bench/offline.sh 10000 100000    # other sizes
#   BENCH_DIR=/var/tmp/bench bench/offline.sh
#   INTERVAL=1ms bench/offline.sh    # requests 1 ms apart in capture time (default 50us)
set -eu
cd "$(dirname "$0")/.."
pcaps=${BENCH_DIR:-$(mktemp -d)}
dir=$(mktemp -d)
profile=fixtures/profiles/plain-register.yaml
make -s bin/mcptt-suite bin/mcptt-conformance
go build -o "$dir/offlinegen" ./bench/offlinegen
go build -o "$dir/offlinejudge" ./bench/offlinejudge
[ $# -gt 0 ] || set -- 100000 1000000
for n in "$@"; do
	f=$pcaps/offline-logoff-${INTERVAL:+$INTERVAL-}$n.pcap
	[ -f "$f" ] || "$dir/offlinegen" -requests "$n" -clients 1000 -interval "${INTERVAL:-50us}" -profile "$profile" -o "$f"
	echo "== $n REGISTERs from 1,000 clients: $f ($(du -h "$f" | cut -f1))"
	/usr/bin/time -f "tshark: %e s wall, %M KB peak RSS" \
		sh -c "tshark -r '$f' -Y sip -T fields -e sip.Method 2>/dev/null | wc -l"
	/usr/bin/time -o "$dir/judge-$n.time" -f "read and judge (no reports): %e s wall, %M KB peak RSS" \
		"$dir/offlinejudge" -capture "$f" -profile "$profile" 2>/dev/null
	cat "$dir/judge-$n.time"
	status=0
	/usr/bin/time -o "$dir/check-$n.time" -f "mcptt-conformance check: %e s wall, %M KB peak RSS" \
		bin/mcptt-conformance check -profile "$profile" -capture "$f" -reports "$dir/reports-$n" >"$dir/check-$n.log" 2>&1 || status=$?
	cat "$dir/check-$n.time"
	grep -E '^mcptt-conformance: [0-9]' "$dir/check-$n.log" || true
	echo "exit status $status; reports: $(du -sh "$dir/reports-$n" | cut -f1) in $dir/reports-$n"
done
