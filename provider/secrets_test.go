package main

import (
	"strings"
	"testing"
)

func TestScrub(t *testing.T) {
	_, _, pemKey := newKey(t)
	keyLines := strings.Split(strings.TrimSpace(pemKey), "\n")
	cases := []struct {
		name string
		in   serviceConfig
		text string
		want string
	}{
		{"nothing secret", serviceConfig{}, "drbd: resource r0: /dev/drbd0 refused", "drbd: resource r0: /dev/drbd0 refused"},
		{
			// The DRBD resource file is secret (it holds shared-secret), yet
			// drbdadm's words about it stay readable.
			"a redact value among ordinary words",
			serviceConfig{Redact: []string{"Tr1ckyPa55"}, Files: map[string]hostFile{"/etc/drbd.d/r0.res": {Content: "resource r0 {\n net { shared-secret \"Tr1ckyPa55\"; }\n device /dev/drbd0;\n}\n"}}},
			"/etc/drbd.d/r0.res:2: in resource r0, on nfs1: shared-secret \"Tr1ckyPa55\" refused; device /dev/drbd0 is busy",
			"/etc/drbd.d/r0.res:2: in resource r0, on nfs1: shared-secret \"[secret]\" refused; device /dev/drbd0 is busy",
		},
		{"every occurrence", serviceConfig{Redact: []string{"pw1"}}, "pw1 pw1xpw1", "[secret] [secret]x[secret]"},
		{"the longest first", serviceConfig{Redact: []string{"abc", "abcdef", "cde"}}, "xabcdefx abc cde", "x[secret]x [secret] [secret]"},
		{"a short value is still a secret", serviceConfig{Redact: []string{"7"}}, "exit 7", "exit [secret]"},
		{"an empty value is ignored", serviceConfig{Redact: []string{""}}, "fine", "fine"},
		{"a multi-line value", serviceConfig{Redact: []string{"line one\nline two"}}, "got line one\nline two.", "got [secret]."},
		{"the whole private key", serviceConfig{Connection: connection{PrivateKey: pemKey}}, "key: " + pemKey, "key: [secret]\n"},
		{"a line of the private key", serviceConfig{Connection: connection{PrivateKey: pemKey}},
			"bad line " + keyLines[1] + " in " + keyLines[0], "bad line [secret] in " + keyLines[0]},
		{"the key with other line ends", serviceConfig{Connection: connection{PrivateKey: pemKey}},
			strings.ReplaceAll(pemKey, "\n", "\r\n"), keyLines[0] + "\r\n" + strings.Repeat("[secret]\r\n", len(keyLines)-2) + keyLines[len(keyLines)-1] + "\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := scrub(c.text, secretStrings(c.in)); got != c.want {
				t.Errorf("scrub\n got %q\nwant %q", got, c.want)
			}
		})
	}
}
