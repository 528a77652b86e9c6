package ims_test

import (
	"bytes"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Whatever a third-party REGISTER's body holds, Read returns without panicking, the
// carried bytes are a slice of the body at their offset, and a carried request is
// either judged (a REGISTER, no nested message/sip) or has a Problem saying why not.
func FuzzRead(f *testing.F) {
	f.Add("message/sip", []byte(clientRegister))
	f.Add("multipart/mixed;boundary=b", []byte("--b\r\nContent-Type: message/sip\r\n\r\n"+clientRegister+"\r\n--b\r\nContent-Type: message/sip\r\n\r\n"+clientOK+"\r\n--b--\r\n"))
	f.Add("message/sip", []byte("REGISTER sip:x SIP/2.0\r\nContent-Type: message/sip\r\nContent-Length: 9999\r\n\r\ngarbage"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		b := multipart.Split(contentType, body)
		c := ims.Read(b)
		if (c.Request == nil) == (c.Problem == nil) {
			t.Fatalf("expected a carried request or a problem, saw request %v and problem %v", c.Request != nil, c.Problem)
		}
		if c.Raw != nil && (c.Offset < 0 || c.Offset+len(c.Raw) > len(body) || !bytes.Equal(body[c.Offset:c.Offset+len(c.Raw)], c.Raw)) {
			t.Fatalf("the carried bytes are not the body's at offset %d", c.Offset)
		}
		if c.Request != nil && (c.Request.Method != "REGISTER" || len(c.Body.Find(ims.MessageSIP)) > 0) {
			t.Fatalf("judged a carried %s with %d nested message/sip", c.Request.Method, len(c.Body.Find(ims.MessageSIP)))
		}
		if m, err := sipmsg.Parse(body); err == nil {
			ims.Client(m)
		}
	})
}
