package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/ssh"
	"google.golang.org/protobuf/types/known/structpb"
)

const testURN = "urn:pulumi:lab::dsas::dsas:stack:Topology$dsas:host:ServiceConfig::lb1-keepalived"

const (
	applyPath  = "/usr/local/libexec/dsas/dsas-apply"
	reloadPath = "/usr/local/libexec/dsas/dsas-reload"
	confPath   = "/etc/keepalived/keepalived.conf"
	authPath   = "/etc/keepalived/dsas/auth-VI_EXT.conf"
)

// newKey returns an ed25519 signer, its authorized_keys line and its PEM.
func newKey(t testing.TB) (ssh.Signer, string, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	return signer, line, string(pem.EncodeToMemory(block))
}

func secret(v any) map[string]any { return map[string]any{sig.Key: sig.Secret, "value": v} }

// inputs: a valid ServiceConfig as the TypeScript side sends it.
func inputs(hostKey string) map[string]any {
	return map[string]any{
		"connection": map[string]any{"host": "10.10.31.11", "port": 22, "user": "root", "hostKey": hostKey, "insecureFirstContact": false},
		"service":    "keepalived",
		"files": map[string]any{
			confPath: map[string]any{"mode": "0644", "owner": "root", "group": "root", "content": "global_defs {}\n"},
			authPath: map[string]any{"mode": "0600", "owner": "root", "group": "root", "content": secret("auth_pass s3cr3t\n")},
		},
		"needs":  []any{"keepalived:keepalived"},
		"hooks":  map[string]any{"check": "keepalived -t -f /etc/keepalived/keepalived.conf", "apply": "dsas-reload keepalived"},
		"redact": secret([]any{"s3cr3t"}),
	}
}

// edit returns a deep copy of m changed by f.
func edit(m map[string]any, f func(m map[string]any)) map[string]any {
	raw, _ := json.Marshal(m)
	var c map[string]any
	_ = json.Unmarshal(raw, &c)
	if f != nil {
		f(c)
	}
	return c
}

func sub(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func mustStruct(t testing.TB, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type failure struct{ prop, reason string }

func TestCheck(t *testing.T) {
	_, hostKey, privateKey := newKey(t)
	base := inputs(hostKey)
	cases := []struct {
		name string
		edit func(m map[string]any)
		want []failure
	}{
		{"valid", nil, nil},
		{"valid with a private key and no hooks", func(m map[string]any) {
			sub(m, "connection")["privateKey"] = secret(privateKey)
			delete(m, "hooks")
			delete(m, "needs")
		}, nil},
		{"lab first contact", func(m map[string]any) {
			delete(sub(m, "connection"), "hostKey")
			sub(m, "connection")["insecureFirstContact"] = true
		}, nil},
		{"no host", func(m map[string]any) { sub(m, "connection")["host"] = "" },
			[]failure{{"connection.host", "must be the host's address"}}},
		{"port out of range", func(m map[string]any) { sub(m, "connection")["port"] = 70000 },
			[]failure{{"connection.port", "must be 1..65535, got 70000"}}},
		{"no user", func(m map[string]any) { delete(sub(m, "connection"), "user") },
			[]failure{{"connection.user", "must be the login user"}}},
		{"host key not pinned", func(m map[string]any) { delete(sub(m, "connection"), "hostKey") },
			[]failure{{"connection.hostKey", "must pin the host's public key (ssh-keyscan -t ed25519 ADDRESS), or set insecureFirstContact: true for a lab's first contact"}}},
		{"host key unparsable", func(m map[string]any) { sub(m, "connection")["hostKey"] = "ed25519 nonsense" },
			[]failure{{"connection.hostKey", "must be one public host key line such as 'ssh-ed25519 AAAA...': ssh: no key found; last parsing error for ignored line: ssh: short read"}}},
		{"private key unparsable", func(m map[string]any) { sub(m, "connection")["privateKey"] = secret("not a key") },
			[]failure{{"connection.privateKey", "is not a private key ssh can use: ssh: no key found"}}},
		{"service name with capitals", func(m map[string]any) { m["service"] = "Keepalived" },
			[]failure{{"service", `must be a lower-case letter then up to 31 lower-case letters, digits or '-', got "Keepalived"`}}},
		{"service name too long", func(m map[string]any) { m["service"] = "a" + strings.Repeat("b", 32) },
			[]failure{{"service", `must be a lower-case letter then up to 31 lower-case letters, digits or '-', got "a` + strings.Repeat("b", 32) + `"`}}},
		{"file path with a space", func(m map[string]any) {
			sub(m, "files")["/etc/keepalived/my conf"] = sub(m, "files")[confPath]
		}, []failure{{`files["/etc/keepalived/my conf"]`, "must be an absolute path without white space"}}},
		{"file path relative", func(m map[string]any) {
			sub(m, "files")["etc/x.conf"] = sub(m, "files")[confPath]
		}, []failure{{`files["etc/x.conf"]`, "must be an absolute path without white space"}}},
		{"file mode not octal", func(m map[string]any) { sub(m, "files", confPath)["mode"] = "0648" },
			[]failure{{`files["/etc/keepalived/keepalived.conf"].mode`, `must be four octal digits, got "0648"`}}},
		{"file owner empty, group with a space", func(m map[string]any) {
			sub(m, "files", confPath)["owner"] = ""
			sub(m, "files", confPath)["group"] = "wheel staff"
		}, []failure{
			{`files["/etc/keepalived/keepalived.conf"].owner`, `must be a user name without white space, got ""`},
			{`files["/etc/keepalived/keepalived.conf"].group`, `must be a group name without white space, got "wheel staff"`},
		}},
		{"hook with a newline", func(m map[string]any) { sub(m, "hooks")["prepare"] = "dsas-drain a\nrm -rf /" },
			[]failure{{"hooks.prepare", "must be one shell command line, without newline or NUL"}}},
		{"hook with a NUL", func(m map[string]any) { sub(m, "hooks")["remove"] = "systemctl stop x\x00" },
			[]failure{{"hooks.remove", "must be one shell command line, without newline or NUL"}}},
		{"needs without a package", func(m map[string]any) { m["needs"] = []any{"keepalived:keepalived", "ipvsadm"} },
			[]failure{{"needs[1]", `must be COMMAND:PACKAGE such as ipvsadm:ipvsadm, got "ipvsadm"`}}},
		{"needs with a capital package", func(m map[string]any) { m["needs"] = []any{"drbdadm:DRBD-utils"} },
			[]failure{{"needs[0]", `must be COMMAND:PACKAGE such as ipvsadm:ipvsadm, got "drbdadm:DRBD-utils"`}}},
	}
	p := &dsasProvider{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: testURN, News: mustStruct(t, edit(base, c.edit))})
			if err != nil {
				t.Fatal(err)
			}
			var got []failure
			for _, f := range resp.GetFailures() {
				got = append(got, failure{f.GetProperty(), f.GetReason()})
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("failures\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestCheckMakesRedactSecret(t *testing.T) {
	_, hostKey, _ := newKey(t)
	news := mustStruct(t, edit(inputs(hostKey), func(m map[string]any) { m["redact"] = []any{"s3cr3t"} }))
	resp, err := (&dsasProvider{}).Check(context.Background(), &pulumirpc.CheckRequest{Urn: testURN, News: news})
	if err != nil {
		t.Fatal(err)
	}
	if !isSecret(resp.GetInputs().GetFields()["redact"]) {
		t.Errorf("redact is not a secret in the checked inputs: %v", resp.GetInputs().GetFields()["redact"])
	}
	if isSecret(news.GetFields()["redact"]) {
		t.Error("Check changed the request's own inputs")
	}
}

func TestCheckLeavesUnknownsAlone(t *testing.T) {
	news := mustStruct(t, edit(inputs(""), func(m map[string]any) {
		sub(m, "files", authPath)["content"] = sig.UnknownStringValue
	}))
	resp, err := (&dsasProvider{}).Check(context.Background(), &pulumirpc.CheckRequest{Urn: testURN, News: news})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetFailures()) != 0 {
		t.Errorf("failures on unknown inputs: %v", resp.GetFailures())
	}
}

func TestCheckRefusesOtherTypes(t *testing.T) {
	_, err := (&dsasProvider{}).Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: "urn:pulumi:lab::dsas::dsas:host:Other::x", News: mustStruct(t, inputs("")),
	})
	if err == nil || err.Error() != "unknown resource type dsas:host:Other" {
		t.Errorf("got %v", err)
	}
}

// legacyState: what provider 0.1.0 recorded for a service: its commands, no
// tools or hooks, and its outputs.
func legacyState(hostKey string) map[string]any {
	return map[string]any{
		"connection": map[string]any{"host": "10.10.31.11", "port": 22, "user": "deploy", "hostKey": hostKey, "insecureFirstContact": false},
		"service":    "keepalived",
		"files": map[string]any{
			confPath: map[string]any{"mode": "0644", "owner": "root", "group": "root", "content": "global_defs {}\n"},
		},
		"applyCommand":  "sudo -n /usr/local/libexec/dsas/dsas-apply keepalived keepalived:keepalived",
		"removeCommand": "sudo -n /usr/local/libexec/dsas/dsas-apply --remove keepalived",
		"digests":       map[string]any{confPath: "sha256:00"},
		"report":        "keepalived: applied 1 changed file(s)",
	}
}

func TestDiff(t *testing.T) {
	_, hostKey, _ := newKey(t)
	base := inputs(hostKey)
	U, A, D, R := pulumirpc.PropertyDiff_UPDATE, pulumirpc.PropertyDiff_ADD, pulumirpc.PropertyDiff_DELETE, pulumirpc.PropertyDiff_UPDATE_REPLACE
	cases := []struct {
		name     string
		olds     map[string]any // nil: base
		state    bool           // olds given as the state, with no old inputs
		edit     func(m map[string]any)
		diffs    []string
		replaces []string
		detailed map[string]pulumirpc.PropertyDiff_Kind
	}{
		{name: "no change"},
		{name: "a secret that is now marked differently", edit: func(m map[string]any) {
			sub(m, "files", authPath)["content"] = "auth_pass s3cr3t\n"
			m["redact"] = []any{"s3cr3t"}
		}},
		{name: "one file changed", edit: func(m map[string]any) { sub(m, "files", confPath)["content"] = "global_defs { x }\n" },
			diffs: []string{"files"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{`files["/etc/keepalived/keepalived.conf"]`: U}},
		{name: "one file's mode changed", edit: func(m map[string]any) { sub(m, "files", confPath)["mode"] = "0640" },
			diffs: []string{"files"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{`files["/etc/keepalived/keepalived.conf"]`: U}},
		{name: "a file added", edit: func(m map[string]any) {
			sub(m, "files")["/etc/keepalived/dsas/vs.conf"] = map[string]any{"mode": "0644", "owner": "root", "group": "root", "content": ""}
		}, diffs: []string{"files"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{`files["/etc/keepalived/dsas/vs.conf"]`: A}},
		{name: "a file removed", edit: func(m map[string]any) { delete(sub(m, "files"), confPath) },
			diffs: []string{"files"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{`files["/etc/keepalived/keepalived.conf"]`: D}},
		{name: "a secret file changed", edit: func(m map[string]any) {
			sub(m, "files", authPath)["content"] = secret("auth_pass n3w\n")
			m["redact"] = secret([]any{"n3w"})
		}, diffs: []string{"files", "redact"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{`files["/etc/keepalived/dsas/auth-VI_EXT.conf"]`: U, "redact": U}},
		{name: "a hook changed", edit: func(m map[string]any) { sub(m, "hooks")["prepare"] = "dsas-drain x" },
			diffs: []string{"hooks"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{"hooks": U}},
		{name: "always set", edit: func(m map[string]any) { m["always"] = true },
			diffs: []string{"always"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{"always": A}},
		{name: "port changed: in place", edit: func(m map[string]any) { sub(m, "connection")["port"] = 2222 },
			diffs: []string{"connection"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{"connection": U}},
		{name: "host changed: replace", edit: func(m map[string]any) { sub(m, "connection")["host"] = "10.10.31.12" },
			diffs: []string{"connection"}, replaces: []string{"connection.host"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{"connection": R}},
		{name: "user changed: replace", edit: func(m map[string]any) { sub(m, "connection")["user"] = "deploy" },
			diffs: []string{"connection"}, replaces: []string{"connection.user"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{"connection": R}},
		{name: "unknown host: replace", edit: func(m map[string]any) { sub(m, "connection")["host"] = sig.UnknownStringValue },
			diffs: []string{"connection"}, replaces: []string{"connection.host"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{"connection": R}},
		{name: "unknown secret file content", edit: func(m map[string]any) {
			sub(m, "files", authPath)["content"] = secret(sig.UnknownStringValue)
		}, diffs: []string{"files"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{`files["/etc/keepalived/dsas/auth-VI_EXT.conf"]`: U}},
		{name: "unknown files", edit: func(m map[string]any) { m["files"] = sig.UnknownStringValue },
			diffs: []string{"files"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{"files": U}},
		{name: "unknown triggers", edit: func(m map[string]any) { m["triggers"] = []any{sig.UnknownStringValue} },
			diffs: []string{"triggers"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{"triggers": A}},
		{name: "state of provider 0.1.0: in place", olds: legacyState(hostKey), state: true, edit: func(m map[string]any) {
			sub(m, "connection")["user"] = "deploy"
			delete(sub(m, "files"), authPath)
			delete(m, "redact")
		}, diffs: []string{"applyCommand", "hooks", "needs", "removeCommand"}, detailed: map[string]pulumirpc.PropertyDiff_Kind{
			"applyCommand": D, "removeCommand": D, "hooks": A, "needs": A,
		}},
	}
	p := &dsasProvider{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			olds := c.olds
			if olds == nil {
				olds = base
			}
			req := &pulumirpc.DiffRequest{Urn: testURN, News: mustStruct(t, edit(base, c.edit))}
			if c.state {
				req.Olds = mustStruct(t, olds)
			} else {
				req.OldInputs = mustStruct(t, olds)
				req.Olds = mustStruct(t, edit(olds, func(m map[string]any) { m["report"] = "x" }))
			}
			resp, err := p.Diff(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			wantChanges := pulumirpc.DiffResponse_DIFF_SOME
			if c.diffs == nil {
				wantChanges = pulumirpc.DiffResponse_DIFF_NONE
			}
			if resp.GetChanges() != wantChanges {
				t.Fatalf("changes %v, want %v (diffs %v)", resp.GetChanges(), wantChanges, resp.GetDiffs())
			}
			if !slices.Equal(resp.GetDiffs(), c.diffs) {
				t.Errorf("diffs %v, want %v", resp.GetDiffs(), c.diffs)
			}
			if !slices.Equal(resp.GetReplaces(), c.replaces) {
				t.Errorf("replaces %v, want %v", resp.GetReplaces(), c.replaces)
			}
			got := map[string]pulumirpc.PropertyDiff_Kind{}
			for k, d := range resp.GetDetailedDiff() {
				got[k] = d.GetKind()
				if !d.GetInputDiff() {
					t.Errorf("%s is not an input diff", k)
				}
			}
			if c.detailed == nil {
				c.detailed = map[string]pulumirpc.PropertyDiff_Kind{}
			}
			if !reflect.DeepEqual(got, c.detailed) {
				t.Errorf("detailed diff\n got %v\nwant %v", got, c.detailed)
			}
			if c.diffs != nil && !resp.GetHasDetailedDiff() {
				t.Error("no detailed diff")
			}
		})
	}
}

func TestDiffConfigChangesNothing(t *testing.T) {
	resp, err := (&dsasProvider{}).DiffConfig(context.Background(), &pulumirpc.DiffRequest{
		Olds: mustStruct(t, map[string]any{"version": "0.1.0"}), News: mustStruct(t, map[string]any{"version": "0.2.0"}),
	})
	if err != nil || resp.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("got %v, %v", resp, err)
	}
}

// The bench switch and the previews never touch the pool: a nil one would panic.
func TestCreateUpdateDeleteWithoutSSH(t *testing.T) {
	_, hostKey, _ := newKey(t)
	props := mustStruct(t, inputs(hostKey))
	ctx := context.Background()

	preview, err := (&dsasProvider{}).Create(ctx, &pulumirpc.CreateRequest{Urn: testURN, Properties: props, Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := preview.GetProperties().GetFields()["digests"]; ok {
		t.Error("a preview reported digests")
	}

	bench := &dsasProvider{bench: true}
	created, err := bench.Create(ctx, &pulumirpc.CreateRequest{Urn: testURN, Properties: props})
	if err != nil {
		t.Fatal(err)
	}
	if created.GetId() != "lb1-keepalived" {
		t.Errorf("id %q", created.GetId())
	}
	out := created.GetProperties().GetFields()
	if got := out["report"].GetStringValue(); got != "not applied: DSAS_PROVIDER_SKIP_SSH=bench" {
		t.Errorf("report %q", got)
	}
	digests := out["digests"].GetStructValue().GetFields()
	if !isSecret(digests[authPath]) || isSecret(digests[confPath]) {
		t.Errorf("secret file digest %v, plain file digest %v", digests[authPath], digests[confPath])
	}
	// The inputs, secrets and all, stay with the engine; the outputs hold only what the run added.
	if keys := slices.Sorted(maps.Keys(out)); !slices.Equal(keys, []string{"digests", "report"}) {
		t.Errorf("outputs %v, want only digests and report", keys)
	}

	if _, err := bench.Update(ctx, &pulumirpc.UpdateRequest{Urn: testURN, News: props, Olds: props}); err != nil {
		t.Fatal(err)
	}
	if _, err := bench.Delete(ctx, &pulumirpc.DeleteRequest{Urn: testURN, OldInputs: props, Properties: props}); err != nil {
		t.Fatal(err)
	}

	legacy := edit(legacyState(hostKey), func(m map[string]any) { delete(m, "removeCommand") })
	if _, err := (&dsasProvider{}).Delete(ctx, &pulumirpc.DeleteRequest{Urn: testURN, Properties: mustStruct(t, legacy)}); err != nil {
		t.Fatal(err)
	}
}

func TestDigest(t *testing.T) {
	out, err := (&dsasProvider{bench: true}).Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: testURN, Properties: mustStruct(t, edit(inputs(""), func(m map[string]any) {
			sub(m, "files", confPath)["content"] = "hello\n"
		})),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := out.GetProperties().GetFields()["digests"].GetStructValue().GetFields()[confPath].GetStringValue()
	if want := "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; got != want {
		t.Errorf("digest %s, want %s", got, want)
	}
}

func TestSecretPaths(t *testing.T) {
	file := map[string]any{"mode": "0644", "owner": "root", "group": "root", "content": "x"}
	cases := []struct {
		name  string
		files any
		want  map[string]bool
	}{
		{"content secret", map[string]any{"/a": file, "/b": edit(file, func(m map[string]any) { m["content"] = secret("y") })},
			map[string]bool{"/a": false, "/b": true}},
		{"entry secret", map[string]any{"/a": file, "/b": secret(file)}, map[string]bool{"/a": false, "/b": true}},
		{"whole map secret", secret(map[string]any{"/a": file, "/b": file}), map[string]bool{"/a": true, "/b": true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := secretPaths(mustStruct(t, map[string]any{"files": c.files})); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}
