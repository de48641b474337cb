// pulumi-resource-dsas: the Pulumi provider that puts one service's files on a
// host over SSH. It has a single resource, dsas:host:ServiceConfig: on create
// and update it opens (or reuses) one SSH connection to the host and runs the
// resource's apply command with the files on stdin, so a secret never appears
// in a command line. Preview, refresh and a no-change run open no connection.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Set by the build (-ldflags -X main.version=...).
var version = "0.0.0-dev"

const serviceConfigType = "dsas:host:ServiceConfig"

func main() {
	err := provider.Main("dsas", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &dsasProvider{host: host, ssh: newPool()}, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type dsasProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	host *provider.HostClient
	ssh  *pool
}

type hostFile struct {
	Mode    string `json:"mode"`
	Owner   string `json:"owner"`
	Group   string `json:"group"`
	Content string `json:"content"`
}

type serviceConfig struct {
	Connection    connection          `json:"connection"`
	Service       string              `json:"service"`
	Files         map[string]hostFile `json:"files"`
	ApplyCommand  string              `json:"applyCommand"`
	RemoveCommand string              `json:"removeCommand"`
	Triggers      []interface{}       `json:"triggers"`
}

func (p *dsasProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *dsasProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *dsasProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *dsasProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (p *dsasProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	p.ssh.closeAll()
	return &emptypb.Empty{}, nil
}

func checkType(urn string) error {
	if t := resource.URN(urn).Type(); string(t) != serviceConfigType {
		return fmt.Errorf("unknown resource type %s", t)
	}
	return nil
}

// Check refuses inputs that could not be applied safely, before any connection.
func (p *dsasProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	fail := func(prop, reason string) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: prop, Reason: reason})
	}
	news := req.GetNews()
	if hasUnknowns(structpb.NewStructValue(news)) {
		return &pulumirpc.CheckResponse{Inputs: news}, nil
	}
	var in serviceConfig
	if err := decode(news, &in); err != nil {
		return nil, err
	}
	c := in.Connection
	if c.Host == "" {
		fail("connection.host", "must be the host's address")
	}
	if c.Port < 1 || c.Port > 65535 {
		fail("connection.port", fmt.Sprintf("must be 1..65535, got %d", c.Port))
	}
	if c.User == "" {
		fail("connection.user", "must be the login user")
	}
	if c.HostKey == "" && !c.InsecureFirstContact {
		fail("connection.hostKey", "must pin the host's public key (ssh-keyscan, or the host's /etc/ssh/ssh_host_ed25519_key.pub); set insecureFirstContact only for a first contact in a lab")
	}
	if c.HostKey != "" {
		if _, err := parseHostKey(c.HostKey); err != nil {
			fail("connection.hostKey", err.Error())
		}
	}
	if c.PrivateKey != "" {
		if _, err := parseSigner(c.PrivateKey); err != nil {
			fail("connection.privateKey", "is not a private key ssh can use: "+err.Error())
		}
	}
	if in.ApplyCommand == "" {
		fail("applyCommand", "must be the command that applies the files")
	}
	for path, f := range in.Files {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\n") {
			fail("files", fmt.Sprintf("%q must be an absolute path without white space", path))
		}
		if len(f.Mode) != 4 || strings.Trim(f.Mode, "01234567") != "" {
			fail("files", fmt.Sprintf("%s: mode must be four octal digits, got %q", path, f.Mode))
		}
		if f.Owner == "" || f.Group == "" || strings.ContainsAny(f.Owner+f.Group, " \t\n") {
			fail("files", fmt.Sprintf("%s: owner and group must be names without white space", path))
		}
	}
	return &pulumirpc.CheckResponse{Inputs: news, Failures: failures}, nil
}

// Diff: a new address or user is another host, so the old one is cleaned up
// and the new one set up; any other change is applied in place (dsas-apply
// itself leaves unchanged files alone).
func (p *dsasProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds := req.GetOldInputs()
	if olds == nil || len(olds.GetFields()) == 0 {
		olds = req.GetOlds()
	}
	news := req.GetNews()
	var changed, replaces []string
	for _, key := range []string{"connection", "service", "files", "applyCommand", "removeCommand", "triggers"} {
		o, n := olds.GetFields()[key], news.GetFields()[key]
		if hasUnknowns(n) || !sameValue(o, n) {
			changed = append(changed, key)
		}
	}
	oc, nc := olds.GetFields()["connection"], news.GetFields()["connection"]
	for _, key := range []string{"host", "user"} {
		on, nn := field(oc, key), field(nc, key)
		if hasUnknowns(nn) || !sameValue(on, nn) {
			replaces = append(replaces, "connection."+key)
		}
	}
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	// Name only what changed, file by file, so a preview shows the changed
	// files and not every file of the service.
	detailed := map[string]*pulumirpc.PropertyDiff{}
	replaced := map[string]bool{}
	for _, r := range replaces {
		replaced[r] = true
	}
	for _, key := range changed {
		if key != "files" {
			kind := pulumirpc.PropertyDiff_UPDATE
			if key == "connection" && len(replaces) > 0 {
				kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
			}
			detailed[key] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
			continue
		}
		of, nf := reveal(orNull(olds.GetFields()["files"])).GetStructValue().GetFields(), reveal(orNull(news.GetFields()["files"])).GetStructValue().GetFields()
		for path, n := range nf {
			o, ok := of[path]
			switch {
			case !ok:
				detailed[fmt.Sprintf("files[%q]", path)] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_ADD, InputDiff: true}
			case !sameValue(o, n):
				detailed[fmt.Sprintf("files[%q]", path)] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE, InputDiff: true}
			}
		}
		for path := range of {
			if _, ok := nf[path]; !ok {
				detailed[fmt.Sprintf("files[%q]", path)] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_DELETE, InputDiff: true}
			}
		}
	}
	return &pulumirpc.DiffResponse{
		Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: replaces,
		DetailedDiff: detailed, HasDetailedDiff: true,
	}, nil
}

func (p *dsasProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	out, err := p.apply(ctx, req.GetUrn(), req.GetProperties(), req.GetPreview())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: resource.URN(req.GetUrn()).Name(), Properties: out}, nil
}

func (p *dsasProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	out, err := p.apply(ctx, req.GetUrn(), req.GetNews(), req.GetPreview())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: out}, nil
}

// Read is a refresh: the state stays as deployed; what is on the host is
// compared by the next apply, which reports and fixes any drift.
func (p *dsasProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *dsasProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	props := req.GetOldInputs()
	if props == nil || len(props.GetFields()) == 0 {
		props = req.GetProperties()
	}
	var in serviceConfig
	if err := decode(props, &in); err != nil {
		return nil, err
	}
	if in.RemoveCommand == "" {
		return &emptypb.Empty{}, nil
	}
	paths := make([]string, 0, len(in.Files))
	for path := range in.Files {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	stdout, err := p.ssh.run(ctx, in.Connection, in.RemoveCommand, strings.Join(paths, "\n")+"\n")
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", in.Service, in.Connection.Host, scrub(err, secretWords(props)))
	}
	p.log(ctx, req.GetUrn(), stdout)
	return &emptypb.Empty{}, nil
}

// apply runs the apply command with the bundle on stdin and returns the new
// state: the inputs as given (secrets stay marked) plus each file's digest
// and what the host reported.
func (p *dsasProvider) apply(ctx context.Context, urn string, props *structpb.Struct, preview bool) (*structpb.Struct, error) {
	out := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for k, v := range props.GetFields() {
		out.Fields[k] = v
	}
	if preview {
		return out, nil
	}
	var in serviceConfig
	if err := decode(props, &in); err != nil {
		return nil, err
	}
	secretFiles := secretPaths(props)
	paths := make([]string, 0, len(in.Files))
	for path := range in.Files {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	var bundle strings.Builder
	digests := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for _, path := range paths {
		f := in.Files[path]
		fmt.Fprintf(&bundle, "%s %s %s %s %s\n", path, f.Mode, f.Owner, f.Group, encode(f.Content))
		sum := sha256.Sum256([]byte(f.Content))
		d := structpb.NewStringValue("sha256:" + hex.EncodeToString(sum[:]))
		if secretFiles[path] {
			d = secretValue(d)
		}
		digests.Fields[path] = d
	}
	report, err := p.ssh.run(ctx, in.Connection, in.ApplyCommand, bundle.String())
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", in.Service, in.Connection.Host, scrub(err, secretWords(props)))
	}
	p.log(ctx, urn, report)
	out.Fields["digests"] = structpb.NewStructValue(digests)
	out.Fields["report"] = structpb.NewStringValue(strings.TrimSpace(report))
	return out, nil
}

func (p *dsasProvider) log(ctx context.Context, urn, text string) {
	if text = strings.TrimSpace(text); text != "" && p.host != nil {
		_ = p.host.Log(ctx, diag.Info, resource.URN(urn), text)
	}
}

// decode reads the properties into v with every secret unwrapped.
func decode(props *structpb.Struct, v interface{}) error {
	raw, err := json.Marshal(reveal(structpb.NewStructValue(props)).AsInterface())
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func isSecret(v *structpb.Value) bool {
	s := v.GetStructValue()
	return s != nil && s.GetFields()[sig.Key].GetStringValue() == sig.Secret
}

func secretValue(v *structpb.Value) *structpb.Value {
	return structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
		sig.Key: structpb.NewStringValue(sig.Secret), "value": v,
	}})
}

func reveal(v *structpb.Value) *structpb.Value {
	if isSecret(v) {
		return reveal(v.GetStructValue().GetFields()["value"])
	}
	switch {
	case v.GetStructValue() != nil:
		s := &structpb.Struct{Fields: map[string]*structpb.Value{}}
		for k, f := range v.GetStructValue().GetFields() {
			s.Fields[k] = reveal(f)
		}
		return structpb.NewStructValue(s)
	case v.GetListValue() != nil:
		l := &structpb.ListValue{}
		for _, e := range v.GetListValue().GetValues() {
			l.Values = append(l.Values, reveal(e))
		}
		return structpb.NewListValue(l)
	}
	return v
}

func hasUnknowns(v *structpb.Value) bool {
	switch {
	case v == nil:
		return false
	case v.GetStringValue() == "04da6b54-80e4-46f7-96ec-b56ff0331ba9":
		return true
	case v.GetStructValue() != nil:
		for _, f := range v.GetStructValue().GetFields() {
			if hasUnknowns(f) {
				return true
			}
		}
	case v.GetListValue() != nil:
		for _, e := range v.GetListValue().GetValues() {
			if hasUnknowns(e) {
				return true
			}
		}
	}
	return false
}

func field(v *structpb.Value, key string) *structpb.Value {
	return reveal(v).GetStructValue().GetFields()[key]
}

func sameValue(a, b *structpb.Value) bool {
	ja, _ := json.Marshal(reveal(orNull(a)).AsInterface())
	jb, _ := json.Marshal(reveal(orNull(b)).AsInterface())
	return string(ja) == string(jb)
}

func orNull(v *structpb.Value) *structpb.Value {
	if v == nil {
		return structpb.NewNullValue()
	}
	return v
}

// secretPaths: the files whose content (or whole entry) is a Pulumi secret.
func secretPaths(props *structpb.Struct) map[string]bool {
	out := map[string]bool{}
	files := props.GetFields()["files"]
	whole := isSecret(files)
	for path := range reveal(files).GetStructValue().GetFields() {
		raw := files.GetStructValue().GetFields()[path]
		out[path] = whole || isSecret(raw) || isSecret(raw.GetStructValue().GetFields()["content"])
	}
	return out
}

// secretWords: every word of every secret file and the private key, to be
// blanked out of any message the host sends back.
func secretWords(props *structpb.Struct) []string {
	var in serviceConfig
	if decode(props, &in) != nil {
		return nil
	}
	var words []string
	for path, secret := range secretPaths(props) {
		if secret {
			words = append(words, strings.Fields(in.Files[path].Content)...)
		}
	}
	return append(words, strings.Fields(in.Connection.PrivateKey)...)
}

func scrub(err error, words []string) error {
	msg := err.Error()
	sort.Slice(words, func(i, j int) bool { return len(words[i]) > len(words[j]) })
	for _, w := range words {
		if len(w) >= 4 {
			msg = strings.ReplaceAll(msg, w, "[secret]")
		}
	}
	return fmt.Errorf("%s", msg)
}
