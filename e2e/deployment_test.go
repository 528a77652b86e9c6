package e2e_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// deploymentVariants are the reference client's real-deployment shapes: several
// contacts, several MC services, nested multipart, and a PUBLISH refresh and removal.
// TestLegalVariationsPass runs each in every mode it has over the profile's transport;
// here each runs once more over the other one.
var deploymentVariants = []struct{ variant, profile, transport string }{
	{"several-contacts", "fixtures/profiles/plain-register.yaml", "tcp"},
	{"several-services", "fixtures/profiles/plain-publish.yaml", "udp"},
	{"nested-multipart", "fixtures/profiles/plain-register.yaml", "tcp"},
	{"publish-refresh", "fixtures/profiles/plain-publish.yaml", "udp"},
}

// The real-deployment shapes pass live over the other transport too; the refresh and
// the removal are judged for 7.2.2-01 and 7.2.2-15, and their body requirements say why
// they do not apply to them.
func TestDeploymentVariantsOtherTransport(t *testing.T) {
	for _, d := range deploymentVariants {
		if _, ok := lookupVariant(d.variant); !ok {
			t.Fatalf("%s is no longer a client variant", d.variant)
		}
		t.Run(d.variant+"/"+d.transport, func(t *testing.T) {
			t.Parallel()
			o := runSuite(t, d.profile, "-client-args=--variant "+d.variant+" --transport "+d.transport)
			conformant(t, o)
			if d.variant != "publish-refresh" {
				return
			}
			var publishes []string
			for _, r := range o.Results {
				if r.Requirement == "7.2.2-15" && r.Verdict == verdict.Pass {
					publishes = append(publishes, r.Message)
				}
			}
			if len(publishes) != 3 {
				t.Errorf("expected the PUBLISH, its refresh and its removal each well-formed under 7.2.2-15, saw %v\n%s", publishes, o.describe("7.2.2-15"))
			}
			if d := o.describe("7.2.2-02"); !strings.Contains(d, "pass") {
				t.Errorf("expected 7.2.2-02 to judge the initial PUBLISH, saw\n%s", d)
			}
		})
	}
}

func lookupVariant(name string) (client.Option, bool) {
	i := slices.IndexFunc(client.Variants, func(o client.Option) bool { return o.Name == name })
	if i < 0 {
		return client.Option{}, false
	}
	return client.Variants[i], true
}
