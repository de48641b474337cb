package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// A director's maintenance file decides where the VIPs are: when it changes,
// they move to the other director. A connection through a VIP survives the
// move only if the receiving director's IPVS table already has it, sent by
// the giving director's lvs_sync_daemon; the sync is asynchronous, so the
// apply waits for it first.
type handover struct {
	// Host and PeerHost are the directors' names, for the messages.
	Host        string     `json:"host"`
	PeerHost    string     `json:"peerHost"`
	Peer        connection `json:"peer"`
	File        string     `json:"file"`
	WaitSeconds float64    `json:"waitSeconds"`
	// Gives: when the file changes, the VIPs leave this director (it goes
	// into maintenance); else they come to it from the peer.
	Gives bool `json:"gives"`
}

const tableCommand = "PATH=$PATH:/usr/sbin:/sbin; ipvsadm -Lnc"

// connTable is one director's connection entries.
type connTable struct {
	established map[string]bool
	all         map[string]bool
}

// parseTable reads `ipvsadm -Lnc`; an entry is keyed by protocol, client,
// virtual and real server address.
func parseTable(out string) connTable {
	t := connTable{established: map[string]bool{}, all: map[string]bool{}}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 6 || (f[0] != "TCP" && f[0] != "UDP" && f[0] != "SCTP") {
			continue
		}
		key := strings.Join([]string{f[0], f[3], f[4], f[5]}, " ")
		t.all[key] = true
		if f[2] == "ESTABLISHED" {
			t.established[key] = true
		}
	}
	return t
}

// unsynced: of the connections established through the giver when the wait
// began, those it still has that the receiver lacks.
func unsynced(want map[string]bool, giver, receiver connTable) int {
	n := 0
	for k := range want {
		if giver.established[k] && !receiver.all[k] {
			n++
		}
	}
	return n
}

// handoverFile: the maintenance file changes in this update, so the VIPs
// move. A file that first appears (an upgrade) says what already is.
func (in serviceConfig) handoverFile(old serviceConfig) bool {
	h := in.Handover
	if h == nil {
		return false
	}
	o, had := old.Files[h.File]
	n, has := in.Files[h.File]
	return had && has && o.Content != n.Content
}

// waitSynced polls both directors' tables, over their connections, until
// the receiving one has every connection established through the giving one.
func (p *dsasProvider) waitSynced(ctx context.Context, urn string, in serviceConfig) error {
	h := in.Handover
	deadline := time.Now().Add(time.Duration(h.WaitSeconds * float64(time.Second)))
	start := time.Now()
	var want map[string]bool
	for {
		here, err := p.ssh.run(ctx, in.Connection, rootCommand(in.Connection.User, tableCommand), "")
		if err != nil {
			return fmt.Errorf("handover: reading %s's connection table: %w", h.Host, err)
		}
		there, err := p.ssh.run(ctx, h.Peer, rootCommand(h.Peer.User, tableCommand), "")
		if err != nil {
			return fmt.Errorf("handover: reading %s's connection table: %w", h.PeerHost, err)
		}
		giver, receiver, from, to := parseTable(here), parseTable(there), h.Host, h.PeerHost
		if !h.Gives {
			giver, receiver, from, to = receiver, giver, to, from
		}
		if want == nil {
			want = giver.established
		}
		missing := unsynced(want, giver, receiver)
		if missing == 0 {
			p.log(ctx, urn, fmt.Sprintf("handover: %s's table holds the %d connection(s) established through %s (%.1f s)",
				to, len(want), from, time.Since(start).Seconds()))
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("handover: after %.0f s %s's table still lacks %d of the %d connection(s) established through %s, "+
				"which the move would cut; the VIPs stay on %s (are both sync daemons running on both? handoverSyncSeconds sets the wait, 0 moves without it)",
				h.WaitSeconds, to, missing, len(want), from, from)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
