package main

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
	"google.golang.org/protobuf/types/known/structpb"
)

func isSecret(v *structpb.Value) bool {
	s := v.GetStructValue()
	return s != nil && s.GetFields()[sig.Key].GetStringValue() == sig.Secret
}

func secretValue(v *structpb.Value) *structpb.Value {
	if isSecret(v) {
		return v
	}
	return structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
		sig.Key: structpb.NewStringValue(sig.Secret), "value": v,
	}})
}

// reveal returns v with every secret unwrapped, for reading and comparing;
// what goes back to the engine keeps the original markings.
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

// secretPaths: the files whose content (or whole entry, or the whole map) is
// a Pulumi secret, so that their digests are secrets too.
func secretPaths(props *structpb.Struct) map[string]bool {
	out := map[string]bool{}
	files := props.GetFields()["files"]
	if isSecret(files) {
		for path := range reveal(files).GetStructValue().GetFields() {
			out[path] = true
		}
		return out
	}
	for path, raw := range files.GetStructValue().GetFields() {
		out[path] = isSecret(raw) || isSecret(raw.GetStructValue().GetFields()["content"])
	}
	return out
}

// secretStrings: what must never come back from the host in clear: the
// values the resource says its files hold, and the login key, whole and line
// by line (a tool that prints a key rarely keeps its line breaks).
func secretStrings(in serviceConfig) []string {
	out := append([]string(nil), in.Redact...)
	keys := []string{in.Connection.PrivateKey}
	if in.Handover != nil {
		keys = append(keys, in.Handover.Peer.PrivateKey)
	}
	for _, key := range keys {
		if key = strings.TrimSpace(key); key != "" {
			out = append(out, key)
			for _, line := range strings.Split(key, "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "-----") {
					out = append(out, line)
				}
			}
		}
	}
	return out
}

// scrub replaces each secret string in text by [secret], the longest first so
// that a secret holding another is blanked whole, and nothing else.
func scrub(text string, secrets []string) string {
	sorted := append([]string(nil), secrets...)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	for _, s := range sorted {
		if s != "" {
			text = strings.ReplaceAll(text, s, "[secret]")
		}
	}
	return text
}
