package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/ssh"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// fakeSSHD is an sshd on 127.0.0.1 that runs each command with the local sh,
// as the test's user: enough to run the real bootstrap end to end.
type fakeSSHD struct {
	port     int
	conns    atomic.Int32
	mu       sync.Mutex
	commands []string
}

func startSSHD(t *testing.T, hostKey ssh.Signer, clientKey ssh.PublicKey) *fakeSSHD {
	t.Helper()
	config := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
		if bytes.Equal(key.Marshal(), clientKey.Marshal()) {
			return nil, nil
		}
		return nil, errors.New("not the client's key")
	}}
	config.AddHostKey(hostKey)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	d := &fakeSSHD{port: ln.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go d.serve(conn, config)
		}
	}()
	return d
}

func (d *fakeSSHD) serve(conn net.Conn, config *ssh.ServerConfig) {
	_, chans, reqs, err := ssh.NewServerConn(conn, config)
	if err != nil {
		return
	}
	d.conns.Add(1)
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "session only")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go d.session(ch, chReqs)
	}
}

func (d *fakeSSHD) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		if req.Type != "exec" {
			_ = req.Reply(false, nil)
			continue
		}
		var payload struct{ Command string }
		if ssh.Unmarshal(req.Payload, &payload) != nil {
			_ = req.Reply(false, nil)
			continue
		}
		_ = req.Reply(true, nil)
		d.mu.Lock()
		d.commands = append(d.commands, payload.Command)
		d.mu.Unlock()
		cmd := exec.Command("sh", "-c", payload.Command)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
		_ = cmd.Run()
		status := struct{ Status uint32 }{uint32(cmd.ProcessState.ExitCode())}
		_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(&status))
		return
	}
}

func (d *fakeSSHD) ran() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.commands...)
}

const drbdSecret = "Tr1ckyPa55"

// loggingApply is a dsas-apply that logs each run and fails for the service
// named broken with a message that holds a secret.
func loggingApply(log string) string {
	return `#!/bin/sh
input=$(cat)
printf '%s\n%s\n--\n' "$1" "$input" >>` + shellQuote(log) + `
service=$(printf '%s\n' "$input" | sed -n 's/^service //p')
if [ "$service" = broken ]; then
	echo "drbdadm: resource r0: /dev/drbd0: shared-secret ` + drbdSecret + ` refused" >&2
	exit 3
fi
echo "$service: $1 done"
`
}

type sshFixture struct {
	sshd    *fakeSSHD
	dir     string
	key     string
	props   func(service string) map[string]any
	tools   map[string]tool
	hostKey string
}

func newSSHFixture(t *testing.T) sshFixture {
	client, _, clientPEM := newKey(t)
	host, hostLine, _ := newKey(t)
	f := sshFixture{sshd: startSSHD(t, host, client.PublicKey()), dir: t.TempDir(), key: clientPEM, hostKey: hostLine}
	// A fake dsas-apply in the test's folder: nothing on this machine is touched.
	f.tools = map[string]tool{filepath.Join(f.dir, "libexec/dsas-apply"): {Mode: "0755", Content: loggingApply(filepath.Join(f.dir, "log"))}}
	f.props = func(service string) map[string]any {
		return map[string]any{
			"connection": map[string]any{"host": "127.0.0.1", "port": f.sshd.port, "user": "root", "privateKey": secret(clientPEM), "hostKey": hostLine},
			"service":    service,
			"files": map[string]any{
				"/etc/drbd.d/r0.res": map[string]any{"mode": "0600", "owner": "root", "group": "root",
					"content": secret("resource r0 {\n net { shared-secret \"" + drbdSecret + "\"; }\n}\n")},
				"/etc/drbd.d/global_common.conf": map[string]any{"mode": "0644", "owner": "root", "group": "root", "content": "global {}\n"},
			},
			"hooks":  map[string]any{"remove": "drbdadm down r0"},
			"redact": secret([]any{drbdSecret}),
		}
	}
	return f
}

func urnOf(name string) string {
	return "urn:pulumi:lab::dsas::dsas:host:ServiceConfig::" + name
}

func TestSSH(t *testing.T) {
	f := newSSHFixture(t)
	p := &dsasProvider{ssh: newPool(), tools: f.tools}
	ctx := context.Background()
	create := func(service string) (string, error) {
		resp, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urnOf("nfs1-" + service), Properties: mustStruct(t, f.props(service))})
		return resp.GetProperties().GetFields()["report"].GetStringValue(), err
	}

	for _, service := range []string{"drbd", "nfs"} {
		if report, err := create(service); err != nil || report != service+": apply done" {
			t.Fatalf("create %s: report %q, %v", service, report, err)
		}
	}
	if n := f.sshd.conns.Load(); n != 1 {
		t.Errorf("two runs on one host opened %d connections", n)
	}

	_, err := create("broken")
	if want := "broken on 127.0.0.1: exit status 3:\ndrbdadm: resource r0: /dev/drbd0: shared-secret [secret] refused"; err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}

	if _, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urnOf("nfs1-drbd"), OldInputs: mustStruct(t, f.props("drbd"))}); err != nil {
		t.Fatal(err)
	}

	legacy := f.props("drbd")
	delete(legacy, "tools")
	delete(legacy, "hooks")
	delete(legacy, "redact")
	legacy["applyCommand"] = "false"
	legacy["removeCommand"] = "cat >" + shellQuote(filepath.Join(f.dir, "legacy"))
	if _, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urnOf("nfs1-drbd"), Properties: mustStruct(t, legacy)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(f.dir, "legacy")); string(got) != "/etc/drbd.d/global_common.conf\n/etc/drbd.d/r0.res\n" {
		t.Errorf("the 0.1.0 remove command got %q", got)
	}
	if n := f.sshd.conns.Load(); n != 1 {
		t.Errorf("five runs on one host opened %d connections", n)
	}

	log, _ := os.ReadFile(filepath.Join(f.dir, "log"))
	if !strings.Contains(string(log), "file /etc/drbd.d/r0.res 0600 root root "+encode("resource r0 {\n net { shared-secret \""+drbdSecret+"\"; }\n}\n")) {
		t.Errorf("the secret file did not reach dsas-apply on stdin:\n%s", log)
	}
	if !strings.Contains(string(log), "remove\nservice drbd\nhook remove "+encode("drbdadm down r0")+"\npath /etc/drbd.d/global_common.conf\npath /etc/drbd.d/r0.res\n--\n") {
		t.Errorf("the removal did not reach dsas-apply:\n%s", log)
	}

	commands := f.sshd.ran()
	if len(commands) != 5 {
		t.Fatalf("%d commands ran, want 5", len(commands))
	}
	secrets := append([]string{drbdSecret, encode(drbdSecret)}, secretStrings(serviceConfig{Connection: connection{PrivateKey: f.key}})...)
	for i, command := range commands {
		if i < 4 && command != hostCommand("root") {
			t.Errorf("command %d is not the bootstrap: %.60q", i, command)
		}
		for _, s := range secrets {
			if strings.Contains(command, s) {
				t.Errorf("command %d holds a secret", i)
			}
		}
	}

	// Cancel closes the connections; a later run opens a new one.
	if _, err := p.Cancel(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := create("drbd"); err != nil {
		t.Fatal(err)
	}
	if n := f.sshd.conns.Load(); n != 2 {
		t.Errorf("after Cancel: %d connections, want 2", n)
	}
}

func TestSSHHostKeyMismatch(t *testing.T) {
	f := newSSHFixture(t)
	_, otherKey, _ := newKey(t)
	props := f.props("drbd")
	props["connection"].(map[string]any)["hostKey"] = otherKey
	start := time.Now()
	_, err := (&dsasProvider{ssh: newPool(), tools: f.tools}).Create(context.Background(), &pulumirpc.CreateRequest{Urn: urnOf("nfs1-drbd"), Properties: mustStruct(t, props)})
	want := regexp.MustCompile(`^drbd on 127\.0\.0\.1: host key mismatch at 127\.0\.0\.1:` + strconv.Itoa(f.sshd.port) +
		`: it presented ssh-ed25519 \S+, not the pinned connection\.hostKey; nothing was run$`)
	if err == nil || !want.MatchString(err.Error()) {
		t.Errorf("error %v, want %s", err, want)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("a mismatch was retried for %s", elapsed)
	}
	if ran := f.sshd.ran(); len(ran) != 0 {
		t.Errorf("%d commands ran after a host key mismatch", len(ran))
	}
	if msg := fmt.Sprint(err); !strings.Contains(msg, strings.Fields(f.hostKey)[1]) || strings.Contains(msg, strings.Fields(otherKey)[1]) {
		t.Error("the message does not show the presented key, or shows the pinned one")
	}
}

// A refresh: Read sends digests, never contents; the host's drift lines
// become the "drift" output (runtime state does not); the next Diff reports
// it and the next Update asks dsas-apply to repair.
func TestReadFindsDrift(t *testing.T) {
	f := newSSHFixture(t)
	log := filepath.Join(f.dir, "log")
	f.tools = map[string]tool{filepath.Join(f.dir, "libexec/dsas-apply"): {Mode: "0755", Content: `#!/bin/sh
input=$(cat)
printf '%s\n%s\n--\n' "$1" "$input" >>` + shellQuote(log) + `
if [ "$1" = read ] && [ -e ` + shellQuote(filepath.Join(f.dir, "drifted")) + ` ]; then
	echo "drift /etc/drbd.d/r0.res is not the deployed file"
	echo "drift drbd is not running"
	echo "runtime real server 10.0.0.1:80 is out of the table"
fi
`}}
	p := &dsasProvider{ssh: newPool(), tools: f.tools}
	ctx := context.Background()
	props := mustStruct(t, f.props("drbd"))
	state := mustStruct(t, map[string]any{"digests": map[string]any{}, "report": "drbd: applied"})
	read := func() *structpb.Struct {
		resp, err := p.Read(ctx, &pulumirpc.ReadRequest{Id: "nfs1-drbd", Urn: urnOf("nfs1-drbd"), Properties: state, Inputs: props})
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(resp.GetInputs(), props) {
			t.Error("Read changed the inputs")
		}
		return resp.GetProperties()
	}

	if got := read(); !proto.Equal(got, state) {
		t.Errorf("no drift: the state changed to %v", got)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "drifted"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	refreshed := read()
	var drift []string
	for _, v := range refreshed.GetFields()["drift"].GetListValue().GetValues() {
		drift = append(drift, v.GetStringValue())
	}
	if want := []string{"/etc/drbd.d/r0.res is not the deployed file", "drbd is not running"}; !slices.Equal(drift, want) {
		t.Errorf("drift %q, want %q", drift, want)
	}

	logged, _ := os.ReadFile(log)
	content := "resource r0 {\n net { shared-secret \"" + drbdSecret + "\"; }\n}\n"
	sum := sha256.Sum256([]byte(content))
	if !strings.Contains(string(logged), "read\nservice drbd\nwant /etc/drbd.d/global_common.conf 0644 root root sha256:") ||
		!strings.Contains(string(logged), "want /etc/drbd.d/r0.res 0600 root root sha256:"+hex.EncodeToString(sum[:])+"\n") {
		t.Errorf("the read bundle is not service and want records:\n%s", logged)
	}
	if strings.Contains(string(logged), encode(content)) || strings.Contains(string(logged), drbdSecret) {
		t.Error("a file's content travelled with the read")
	}

	diff, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: urnOf("nfs1-drbd"), OldInputs: props, Olds: refreshed, News: props})
	if err != nil {
		t.Fatal(err)
	}
	if diff.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || !slices.Equal(diff.GetDiffs(), []string{"drift"}) ||
		diff.GetDetailedDiff()["drift"].GetKind() != pulumirpc.PropertyDiff_DELETE {
		t.Errorf("the diff after a drifted refresh: %v", diff)
	}
	if diff, _ := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: urnOf("nfs1-drbd"), OldInputs: props, Olds: state, News: props}); diff.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("the diff without drift: %v", diff)
	}

	if err := os.Truncate(log, 0); err != nil {
		t.Fatal(err)
	}
	up, err := p.Update(ctx, &pulumirpc.UpdateRequest{Urn: urnOf("nfs1-drbd"), Olds: refreshed, OldInputs: props, News: props})
	if err != nil {
		t.Fatal(err)
	}
	if _, still := up.GetProperties().GetFields()["drift"]; still {
		t.Error("the drift outlived the apply that put it back")
	}
	logged, _ = os.ReadFile(log)
	if !strings.HasPrefix(string(logged), "apply\n") || !strings.Contains(string(logged), "\nrepair\n") {
		t.Errorf("the apply after drift does not ask for a repair:\n%s", logged)
	}
	if n := f.sshd.conns.Load(); n != 1 {
		t.Errorf("three reads and an apply opened %d connections", n)
	}
}
