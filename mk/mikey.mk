# MIKEY-SAKKE tools: included by the main Makefile.
#
#   make mikey-inspect MESSAGE=<file> KEYS=<file>
#       Opens one I_MESSAGE (raw binary or base64) with a key file
#       (shared/contract/mikey-keys.md) and prints one JSON object. The
#       inspector exits 1 when the message does not parse, verify and
#       decrypt; make then reports the failure (make's own status is 2).
#   make kms [KMS_ARGS="init -dir DIR ..."]
#       Builds bin/kms, the test KMS, and runs it with KMS_ARGS if given
#       (see docs/test-kms.md and bin/kms --help).

GO ?= go

.PHONY: mikey-inspect kms

bin/mikey-inspect: FORCE_MIKEY
	@$(GO) build -o $@ ./cmd/mikey-inspect

bin/kms: FORCE_MIKEY
	@$(GO) build -o $@ ./cmd/kms

.PHONY: FORCE_MIKEY
FORCE_MIKEY:

mikey-inspect: bin/mikey-inspect
	@if [ -z "$(MESSAGE)" ] || [ -z "$(KEYS)" ]; then \
		echo "usage: make mikey-inspect MESSAGE=<file> KEYS=<file>" >&2; exit 2; fi
	@bin/mikey-inspect -keys "$(KEYS)" "$(MESSAGE)"

kms: bin/kms
	@if [ -n "$(KMS_ARGS)" ]; then bin/kms $(KMS_ARGS); fi
