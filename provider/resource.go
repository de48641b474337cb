package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

const serviceConfigType = "dsas:host:ServiceConfig"

const benchReport = "not applied: DSAS_PROVIDER_SKIP_SSH=bench"

type tool struct {
	Mode    string `json:"mode"`
	Content string `json:"content"`
}

type hostFile struct {
	Mode    string `json:"mode"`
	Owner   string `json:"owner"`
	Group   string `json:"group"`
	Content string `json:"content"`
}

type hooks struct {
	Check   string `json:"check"`
	Prepare string `json:"prepare"`
	Apply   string `json:"apply"`
	Verify  string `json:"verify"`
	Remove  string `json:"remove"`
	Drift   string `json:"drift"`
}

type serviceConfig struct {
	Connection connection `json:"connection"`
	Service    string     `json:"service"`
	// Not an input: the provider's own (tools.go), set before a run.
	Tools    map[string]tool     `json:"-"`
	Files    map[string]hostFile `json:"files"`
	Needs    []string            `json:"needs"`
	Hooks    hooks               `json:"hooks"`
	Always   bool                `json:"always"`
	Triggers []interface{}       `json:"triggers"`
	Redact   []string            `json:"redact"`
	Handover *handover           `json:"handover"`
	// Not an input: set for the apply that follows a refresh which found
	// drift, so the drift hook puts back what the files do not.
	Repair bool `json:"-"`
	// Only in the state of resources created by provider 0.1.0, which ran
	// these commands instead of the bootstrap.
	ApplyCommand  string `json:"applyCommand"`
	RemoveCommand string `json:"removeCommand"`
}

var (
	servicePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	needPattern    = regexp.MustCompile(`^[A-Za-z0-9._+-]+:[a-z0-9][a-z0-9.+-]*$`)
)

const hostKeyReason = "must pin the host's public key (ssh-keyscan -t ed25519 ADDRESS), or set insecureFirstContact: true for a lab's first contact"

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
	news := req.GetNews()
	// The values to redact are secrets even when the program forgot to say so.
	if r, ok := news.GetFields()["redact"]; ok {
		news = &structpb.Struct{Fields: maps.Clone(news.GetFields())}
		news.Fields["redact"] = secretValue(r)
	}
	if hasUnknowns(structpb.NewStructValue(news)) {
		return &pulumirpc.CheckResponse{Inputs: news}, nil
	}
	in, err := decode(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: news, Failures: checkInputs(in)}, nil
}

func checkInputs(in serviceConfig) []*pulumirpc.CheckFailure {
	var failures []*pulumirpc.CheckFailure
	fail := func(prop, reason string) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: prop, Reason: reason})
	}
	checkConnection("connection.", in.Connection, fail)
	if h := in.Handover; h != nil {
		checkConnection("handover.peer.", h.Peer, fail)
		if !plainPath(h.File) {
			fail("handover.file", "must be an absolute path without white space")
		}
		if h.WaitSeconds < 0 {
			fail("handover.waitSeconds", fmt.Sprintf("must be 0 or more, got %v", h.WaitSeconds))
		}
	}
	if !servicePattern.MatchString(in.Service) {
		fail("service", fmt.Sprintf("must be a lower-case letter then up to 31 lower-case letters, digits or '-', got %q", in.Service))
	}

	for _, path := range slices.Sorted(maps.Keys(in.Files)) {
		f, prop := in.Files[path], fmt.Sprintf("files[%q]", path)
		if !plainPath(path) {
			fail(prop, "must be an absolute path without white space")
		}
		if !octalMode(f.Mode) {
			fail(prop+".mode", fmt.Sprintf("must be four octal digits, got %q", f.Mode))
		}
		if !plainName(f.Owner) {
			fail(prop+".owner", fmt.Sprintf("must be a user name without white space, got %q", f.Owner))
		}
		if !plainName(f.Group) {
			fail(prop+".group", fmt.Sprintf("must be a group name without white space, got %q", f.Group))
		}
	}

	for i, need := range in.Needs {
		if !needPattern.MatchString(need) {
			fail(fmt.Sprintf("needs[%d]", i), fmt.Sprintf("must be COMMAND:PACKAGE such as ipvsadm:ipvsadm, got %q", need))
		}
	}
	for _, h := range [][2]string{{"check", in.Hooks.Check}, {"prepare", in.Hooks.Prepare}, {"apply", in.Hooks.Apply}, {"verify", in.Hooks.Verify}, {"remove", in.Hooks.Remove}, {"drift", in.Hooks.Drift}} {
		if strings.ContainsAny(h[1], "\n\x00") {
			fail("hooks."+h[0], "must be one shell command line, without newline or NUL")
		}
	}
	return failures
}

func checkConnection(prefix string, c connection, fail func(prop, reason string)) {
	if c.Host == "" {
		fail(prefix+"host", "must be the host's address")
	}
	if c.Port < 1 || c.Port > 65535 {
		fail(prefix+"port", fmt.Sprintf("must be 1..65535, got %d", c.Port))
	}
	if c.User == "" {
		fail(prefix+"user", "must be the login user")
	}
	if c.HostKey == "" && !c.InsecureFirstContact {
		fail(prefix+"hostKey", hostKeyReason)
	}
	if c.HostKey != "" {
		if _, err := parseHostKey(c.HostKey); err != nil {
			fail(prefix+"hostKey", err.Error())
		}
	}
	if c.PrivateKey != "" {
		if _, err := parseSigner(c.PrivateKey); err != nil {
			fail(prefix+"privateKey", "is not a private key ssh can use: "+err.Error())
		}
	}
}

func plainPath(path string) bool {
	return strings.HasPrefix(path, "/") && plainName(path)
}

func plainName(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

func octalMode(mode string) bool {
	return len(mode) == 4 && strings.Trim(mode, "01234567") == ""
}

// Diff: a new address or user is another host, so the old one is cleaned up
// and the new one set up; any other change is applied in place (dsas-apply
// itself leaves unchanged files alone). The inputs of provider 0.1.0
// (applyCommand, removeCommand) just disappear in place.
func (p *dsasProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	olds, news := oldInputs(req.GetOldInputs(), req.GetOlds()), req.GetNews()
	var changed, replaces []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	// What the last refresh found on the host: the next apply puts it back.
	if hasDrift(req.GetOlds()) {
		changed = append(changed, "drift")
		detailed["drift"] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_DELETE}
	}
	for _, key := range inputKeys(olds, news) {
		o, n := olds.GetFields()[key], news.GetFields()[key]
		if !hasUnknowns(n) && sameValue(o, n) {
			continue
		}
		changed = append(changed, key)
		kind := diffKind(o, n)
		switch key {
		case "files":
			// Name only what changed, path by path, so a preview shows the
			// changed files and not every file of the service.
			if entryDiffs(detailed, key, o, n) {
				continue
			}
		case "connection":
			for _, k := range []string{"host", "user"} {
				if on, nn := field(o, k), field(n, k); hasUnknowns(nn) || !sameValue(on, nn) {
					replaces = append(replaces, "connection."+k)
					kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
				}
			}
		}
		detailed[key] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{
		Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: replaces,
		DetailedDiff: detailed, HasDetailedDiff: true,
	}, nil
}

// inputKeys: every input of either side; the outputs are no inputs.
func inputKeys(olds, news *structpb.Struct) []string {
	keys := map[string]bool{}
	for k := range olds.GetFields() {
		keys[k] = true
	}
	for k := range news.GetFields() {
		keys[k] = true
	}
	delete(keys, "digests")
	delete(keys, "report")
	delete(keys, "drift")
	return slices.Sorted(maps.Keys(keys))
}

// entryDiffs adds one detailed diff per changed path of a map input, and
// says false when the map as a whole is not known yet.
func entryDiffs(detailed map[string]*pulumirpc.PropertyDiff, key string, o, n *structpb.Value) bool {
	nm := reveal(orNull(n)).GetStructValue()
	if nm == nil {
		return false
	}
	om := reveal(orNull(o)).GetStructValue().GetFields()
	for path, ne := range nm.GetFields() {
		if oe, ok := om[path]; !ok || hasUnknowns(ne) || !sameValue(oe, ne) {
			detailed[fmt.Sprintf("%s[%q]", key, path)] = &pulumirpc.PropertyDiff{Kind: diffKind(oe, ne), InputDiff: true}
		}
	}
	for path := range om {
		if _, ok := nm.GetFields()[path]; !ok {
			detailed[fmt.Sprintf("%s[%q]", key, path)] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_DELETE, InputDiff: true}
		}
	}
	return true
}

func diffKind(o, n *structpb.Value) pulumirpc.PropertyDiff_Kind {
	switch {
	case absent(o):
		return pulumirpc.PropertyDiff_ADD
	case absent(n):
		return pulumirpc.PropertyDiff_DELETE
	}
	return pulumirpc.PropertyDiff_UPDATE
}

func absent(v *structpb.Value) bool {
	switch reveal(orNull(v)).GetKind().(type) {
	case nil, *structpb.Value_NullValue:
		return true
	}
	return false
}

func (p *dsasProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	out, err := p.apply(ctx, req.GetUrn(), req.GetProperties(), req.GetPreview(), false, nil)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: resource.URN(req.GetUrn()).Name(), Properties: out}, nil
}

func (p *dsasProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	old, err := decode(oldInputs(req.GetOldInputs(), req.GetOlds()))
	if err != nil {
		return nil, err
	}
	out, err := p.apply(ctx, req.GetUrn(), req.GetNews(), req.GetPreview(), hasDrift(req.GetOlds()), &old)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: out}, nil
}

// Read is a refresh: over the host's one connection, dsas-apply read
// compares the files with the digests deployed and runs the service's drift
// hook. The state keeps what was deployed, plus a "drift" output naming what
// differs, which the next Diff reports and the next apply puts back; what is
// expected runtime state (a failover, a failed check) is only logged.
func (p *dsasProvider) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	inputs := oldInputs(req.GetInputs(), req.GetProperties())
	if _, v2 := inputs.GetFields()["hooks"]; p.bench || !v2 {
		// Nothing to compare with: a bench, or a 0.1.0 state (its next apply brings the files).
		return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
	}
	in, err := decode(inputs)
	if err != nil {
		return nil, err
	}
	in.Tools = p.tools
	report, err := p.run(ctx, in, hostCommand(in.Connection.User), readBundle(in))
	if err != nil {
		return nil, err
	}
	drift, runtime := readReport(report)
	props := &structpb.Struct{Fields: maps.Clone(req.GetProperties().GetFields())}
	delete(props.Fields, "drift")
	if len(drift) > 0 {
		values := make([]*structpb.Value, len(drift))
		for i, d := range drift {
			values[i] = structpb.NewStringValue(d)
		}
		props.Fields["drift"] = structpb.NewListValue(&structpb.ListValue{Values: values})
		p.log(ctx, req.GetUrn(), fmt.Sprintf("drift on %s (pulumi up puts it back): %s", in.Connection.Host, strings.Join(drift, "; ")))
	}
	if len(runtime) > 0 {
		p.log(ctx, req.GetUrn(), fmt.Sprintf("runtime state on %s, not drift: %s", in.Connection.Host, strings.Join(runtime, "; ")))
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: props, Inputs: req.GetInputs()}, nil
}

// digest is a file's digest as the state records it and dsas-apply read compares it.
func digest(content string) string {
	sum := sha256.Sum256([]byte(content))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// hasDrift: the last refresh recorded drift in the state.
func hasDrift(state *structpb.Struct) bool {
	return len(state.GetFields()["drift"].GetListValue().GetValues()) > 0
}

// readReport sorts dsas-apply read's lines into drift and runtime state.
func readReport(report string) (drift, runtime []string) {
	for _, line := range strings.Split(report, "\n") {
		if d, ok := strings.CutPrefix(line, "drift "); ok {
			drift = append(drift, d)
		} else if r, ok := strings.CutPrefix(line, "runtime "); ok {
			runtime = append(runtime, r)
		}
	}
	return drift, runtime
}

func (p *dsasProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	if p.bench {
		return &emptypb.Empty{}, nil
	}
	props := oldInputs(req.GetOldInputs(), req.GetProperties())
	in, err := decode(props)
	if err != nil {
		return nil, err
	}
	in.Tools = p.tools
	command, stdin := hostCommand(in.Connection.User), removeBundle(in)
	if _, v2 := props.GetFields()["hooks"]; !v2 {
		// Recorded by provider 0.1.0: the host may still have its dsas-apply,
		// so remove the way that version did, or not at all if it would not.
		if in.RemoveCommand == "" {
			return &emptypb.Empty{}, nil
		}
		paths := slices.Sorted(maps.Keys(in.Files))
		command, stdin = in.RemoveCommand, strings.Join(paths, "\n")+"\n"
	}
	report, err := p.run(ctx, in, command, stdin)
	if err != nil {
		return nil, err
	}
	p.log(ctx, req.GetUrn(), report)
	return &emptypb.Empty{}, nil
}

// apply runs the bundle on the host and returns the new state: the inputs as
// given (secrets stay marked) plus each file's digest and what the host
// reported. old is the last inputs of an update: when they move the VIPs,
// the apply first waits for the connections to be synced.
func (p *dsasProvider) apply(ctx context.Context, urn string, props *structpb.Struct, preview, repair bool, old *serviceConfig) (*structpb.Struct, error) {
	// The outputs are only what the run adds: the engine keeps the inputs
	// beside them, and a copy of every file in the outputs as well would
	// double the state, which the file backend rewrites after every step.
	out := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	if preview {
		return out, nil
	}
	in, err := decode(props)
	if err != nil {
		return nil, err
	}
	in.Tools = p.tools
	in.Repair = repair
	secretFiles := secretPaths(props)
	digests := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for path, f := range in.Files {
		d := structpb.NewStringValue(digest(f.Content))
		if secretFiles[path] {
			d = secretValue(d)
		}
		digests.Fields[path] = d
	}
	report := benchReport
	if !p.bench {
		if old != nil && in.handoverFile(*old) {
			if err := p.waitSynced(ctx, urn, in); err != nil {
				return nil, errors.New(scrub(err.Error(), secretStrings(in)))
			}
		}
		if report, err = p.run(ctx, in, hostCommand(in.Connection.User), applyBundle(in)); err != nil {
			return nil, err
		}
		p.log(ctx, urn, report)
	}
	out.Fields["digests"] = structpb.NewStructValue(digests)
	out.Fields["report"] = structpb.NewStringValue(report)
	return out, nil
}

// run runs command on the service's host and returns what it printed, both
// its output and its failure cleared of the resource's secrets.
func (p *dsasProvider) run(ctx context.Context, in serviceConfig, command, stdin string) (string, error) {
	secrets := secretStrings(in)
	stdout, err := p.ssh.run(ctx, in.Connection, command, stdin)
	if err != nil {
		return "", errors.New(scrub(fmt.Sprintf("%s on %s: %s", in.Service, in.Connection.Host, err), secrets))
	}
	return strings.TrimSpace(scrub(stdout, secrets)), nil
}

func (p *dsasProvider) log(ctx context.Context, urn, text string) {
	if text != "" && p.host != nil {
		_ = p.host.Log(ctx, diag.Info, resource.URN(urn), text)
	}
}

// oldInputs: the inputs recorded in state, or the whole state when the
// engine has no inputs for the resource.
func oldInputs(inputs, state *structpb.Struct) *structpb.Struct {
	if len(inputs.GetFields()) == 0 {
		return state
	}
	return inputs
}

// decode reads the properties with every secret unwrapped.
func decode(props *structpb.Struct) (serviceConfig, error) {
	var in serviceConfig
	raw, err := json.Marshal(reveal(structpb.NewStructValue(props)).AsInterface())
	if err == nil {
		err = json.Unmarshal(raw, &in)
	}
	return in, err
}

func hasUnknowns(v *structpb.Value) bool {
	switch {
	case v == nil:
		return false
	case v.GetStringValue() == sig.UnknownStringValue:
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
	return reveal(orNull(v)).GetStructValue().GetFields()[key]
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
