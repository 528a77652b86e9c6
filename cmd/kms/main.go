// Command kms is the suite's test KMS for MIKEY-SAKKE (TS 33.180); see package
// kmscli. Its keys are for testing only.
package main

import (
	"os"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/kms/kmscli"
)

func main() { os.Exit(kmscli.Main(os.Args[1:], os.Stdout, os.Stderr, time.Now)) }
