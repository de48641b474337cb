package main

import "testing"

// What ipvsadm -Lnc prints on a master director with two clients connected and
// one connection closing, and on the backup that received the first.
const masterTable = `IPVS connection entries
pro expire state       source             virtual            destination
TCP 14:58  ESTABLISHED 10.10.31.200:40012 10.10.31.100:80    192.168.31.101:80
TCP 01:55  TIME_WAIT   10.10.31.200:40010 10.10.31.100:80    192.168.31.102:80
TCP 14:59  ESTABLISHED 10.10.31.200:40014 10.10.31.100:80    192.168.31.102:80
`

const backupTable = `IPVS connection entries
pro expire state       source             virtual            destination
TCP 15:00  ESTABLISHED 10.10.31.200:40012 10.10.31.100:80    192.168.31.101:80
`

func TestParseTable(t *testing.T) {
	m, b := parseTable(masterTable), parseTable(backupTable)
	if len(m.established) != 2 || len(m.all) != 3 || len(b.all) != 1 {
		t.Fatalf("entries: master %d established of %d, backup %d", len(m.established), len(m.all), len(b.all))
	}
	if !b.all["TCP 10.10.31.200:40012 10.10.31.100:80 192.168.31.101:80"] {
		t.Fatalf("backup's entry not keyed by protocol and addresses: %v", b.all)
	}
}

func TestUnsyncedCountsOnlyLiveConnectionsTheReceiverLacks(t *testing.T) {
	m, b := parseTable(masterTable), parseTable(backupTable)
	if n := unsynced(m.established, m, b); n != 1 {
		t.Fatalf("one established connection is not on the backup yet, got %d", n)
	}
	// The connection ended on the master meanwhile: nothing left to wait for.
	ended := parseTable(masterTable[:len(masterTable)-len("TCP 14:59  ESTABLISHED 10.10.31.200:40014 10.10.31.100:80    192.168.31.102:80\n")])
	if n := unsynced(m.established, ended, b); n != 0 {
		t.Fatalf("a connection that ended is not waited for, got %d", n)
	}
	if n := unsynced(m.established, m, m); n != 0 {
		t.Fatalf("a receiver with every entry lacks none, got %d", n)
	}
}

func TestHandoverOnlyWhenTheMaintenanceFileChanges(t *testing.T) {
	const file = "/etc/keepalived/dsas/maintenance"
	cfg := func(maintenance, conf string) serviceConfig {
		return serviceConfig{
			Files:    map[string]hostFile{file: {Content: maintenance}, "/etc/keepalived/keepalived.conf": {Content: conf}},
			Handover: &handover{File: file, WaitSeconds: 30},
		}
	}
	if !cfg("1\n", "a").handoverFile(cfg("0\n", "a")) {
		t.Fatal("a changed maintenance file moves the VIPs")
	}
	if cfg("0\n", "b").handoverFile(cfg("0\n", "a")) {
		t.Fatal("another file's change moves nothing")
	}
	if (serviceConfig{Files: cfg("1\n", "a").Files}).handoverFile(cfg("0\n", "a")) {
		t.Fatal("without a handover input there is nothing to wait for")
	}
	if cfg("0\n", "a").handoverFile(serviceConfig{Files: map[string]hostFile{}}) {
		t.Fatal("a maintenance file that first appears (an upgrade) moves nothing")
	}
}

func TestCheckRefusesAHandoverPeerItCouldNotReachSafely(t *testing.T) {
	in := serviceConfig{
		Connection: connection{Host: "10.10.31.11", Port: 22, User: "root", InsecureFirstContact: true},
		Service:    "keepalived",
		Handover:   &handover{Peer: connection{Host: "10.10.31.12", Port: 22, User: "root"}, File: "relative", WaitSeconds: -1},
	}
	got := map[string]bool{}
	for _, f := range checkInputs(in) {
		got[f.GetProperty()] = true
	}
	for _, prop := range []string{"handover.peer.hostKey", "handover.file", "handover.waitSeconds"} {
		if !got[prop] {
			t.Errorf("no failure for %s: %v", prop, got)
		}
	}
	if got["connection.hostKey"] {
		t.Errorf("the host's own connection is fine: %v", got)
	}
}

func TestThePeersKeyIsScrubbedToo(t *testing.T) {
	in := serviceConfig{Handover: &handover{Peer: connection{PrivateKey: "-----BEGIN KEY-----\npeerKeyLine\n-----END KEY-----"}}}
	if got := scrub("error near peerKeyLine", secretStrings(in)); got != "error near [secret]" {
		t.Fatalf("peer key not scrubbed: %q", got)
	}
}
