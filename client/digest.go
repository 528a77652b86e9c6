package client

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
)

// challenge is an HTTP digest challenge (RFC 2617 as used by RFC 3261 22.4).
type challenge struct {
	realm, nonce, opaque, algorithm string
	qops                            []string
}

// authParams splits `k1=v1, k2="v,2"` into a map with lower-case keys and unquoted values.
func authParams(s string) (map[string]string, error) {
	params := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; {
		k, rest, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("expected name=value, saw %q", s)
		}
		k = strings.ToLower(strings.TrimSpace(k))
		rest = strings.TrimLeft(rest, " \t")
		var v string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				b.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return nil, fmt.Errorf("parameter %s: expected a closing quote", k)
			}
			v, rest = b.String(), rest[i+1:]
		} else {
			v, rest, _ = strings.Cut(rest, ",")
			rest = "," + rest
			v = strings.TrimSpace(v)
		}
		params[k] = v
		rest = strings.TrimLeft(rest, " \t")
		if rest != "" && rest[0] != ',' {
			return nil, fmt.Errorf("parameter %s: expected a comma after the value, saw %q", k, rest)
		}
		s = strings.TrimLeft(strings.TrimPrefix(rest, ","), " \t")
	}
	return params, nil
}

// parseChallenge parses a WWW-Authenticate or Proxy-Authenticate value.
func parseChallenge(v string) (challenge, error) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	if !strings.EqualFold(scheme, "Digest") {
		return challenge{}, fmt.Errorf("challenge %q: expected the Digest scheme", v)
	}
	p, err := authParams(rest)
	if err != nil {
		return challenge{}, fmt.Errorf("challenge %q: %v", v, err)
	}
	c := challenge{realm: p["realm"], nonce: p["nonce"], opaque: p["opaque"], algorithm: p["algorithm"]}
	if _, ok := p["realm"]; !ok || c.nonce == "" {
		return challenge{}, fmt.Errorf("challenge %q: expected realm and nonce", v)
	}
	if c.algorithm != "" && !strings.EqualFold(c.algorithm, "MD5") {
		return challenge{}, fmt.Errorf("challenge %q: algorithm %s not supported, expected MD5", v, c.algorithm)
	}
	for _, q := range strings.Split(p["qop"], ",") {
		if q = strings.TrimSpace(q); q != "" {
			c.qops = append(c.qops, q)
		}
	}
	return c, nil
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// authorization returns the Authorization value answering c for a request with method
// and Request-URI uri; cnonce and nc are used when the challenge offers qop=auth.
func (c challenge) authorization(user, password, method, uri, cnonce string, nc uint32) (string, error) {
	auth := false
	for _, q := range c.qops {
		auth = auth || strings.EqualFold(q, "auth")
	}
	if len(c.qops) > 0 && !auth {
		return "", fmt.Errorf("challenge offers qop %q: expected auth among them", strings.Join(c.qops, ","))
	}
	ha1 := md5hex(user + ":" + c.realm + ":" + password)
	ha2 := md5hex(method + ":" + uri)
	q := func(s string) string { return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"` }
	v := "Digest username=" + q(user) + ", realm=" + q(c.realm) + ", nonce=" + q(c.nonce) + ", uri=" + q(uri)
	if auth {
		ncs := fmt.Sprintf("%08x", nc)
		v += ", response=" + q(md5hex(ha1+":"+c.nonce+":"+ncs+":"+cnonce+":auth:"+ha2)) +
			", algorithm=MD5, cnonce=" + q(cnonce) + ", nc=" + ncs + ", qop=auth"
	} else {
		v += ", response=" + q(md5hex(ha1+":"+c.nonce+":"+ha2)) + ", algorithm=MD5"
	}
	if c.opaque != "" {
		v += ", opaque=" + q(c.opaque)
	}
	return v, nil
}
