package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestExecCommand(t *testing.T) {
	f := newSSHFixture(t)
	good := connection{Host: "127.0.0.1", Port: f.sshd.port, User: "root", PrivateKey: f.key, HostKey: f.hostKey}
	down := good
	down.Port = 1
	programs := []hostProgram{
		{Name: "lb1", Connection: good, Script: "echo \"== args $*\"; echo from-stdin\n", Args: []string{"keepalived", "squid", "3128 x"}},
		{Name: "lb2", Connection: down, Script: "echo never\n"},
		{Name: "web1", Connection: good, Script: "echo second\n"},
	}
	in, _ := json.Marshal(programs)
	var stdout, stderr bytes.Buffer
	if code := execCommand(bytes.NewReader(in), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out []hostOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[0].Name != "lb1" || out[0].Stdout != "== args keepalived squid 3128 x\nfrom-stdin\n" || out[0].Error != "" {
		t.Errorf("lb1: %+v", out)
	}
	if out[1].Name != "lb2" || out[1].Error == "" || out[1].Stdout != "" {
		t.Errorf("an unreachable host: %+v", out[1])
	}
	if out[2].Stdout != "second\n" {
		t.Errorf("web1: %+v", out[2])
	}
	if strings.Contains(stdout.String(), "PRIVATE KEY") {
		t.Error("the key is in the output")
	}
	if n := f.sshd.conns.Load(); n != 1 {
		t.Errorf("two programs on one host opened %d connections", n)
	}
	for _, c := range f.sshd.ran() {
		if c != "sh -s -- 'keepalived' 'squid' '3128 x'" && c != "sh -s --" {
			t.Errorf("ran %q", c)
		}
	}
}
