// Command mikey-inspect opens one MIKEY-SAKKE I_MESSAGE with a key file and prints
// what it holds as one JSON object (shared/contract/mikey-keys.md); see package inspect.
package main

import (
	"os"

	"github.com/mcptt-conformance/mcptt-conformance/mikey/inspect"
)

func main() { os.Exit(inspect.Main(os.Args[1:], os.Stdout, os.Stderr)) }
