package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// The bundle of libexec/README.md; this file is its only writer. Everything a
// run needs travels on stdin, so no secret is ever on a command line.

const bundleHeader = "dsas-bundle 1"

// bootstrap is the command run on the host: it installs the tools and execs
// dsas-apply on the rest of stdin. It relies on `read` stopping right after
// the newline, which holds for dash and bash reading a pipe (they read it byte
// by byte), and SSH gives the command a pipe. A tool is rewritten only when its
// bytes differ; a tool cut short by a crash differs and is rewritten by the
// next run, so there is no fsync. As root (always on a host) the tools are
// made root's; the tests run it unprivileged.
const bootstrap = `set -eu
IFS= read -r header
[ "$header" = "` + bundleHeader + `" ] || { echo "dsas: stdin is not a ` + bundleHeader + `" >&2; exit 2; }
uid=$(id -u) apply= tmp=
clean() { [ -z "$tmp" ] || rm -f "$tmp"; }
trap clean EXIT
own() { chmod "$1" "$2"; [ "$uid" != 0 ] || chown 0:0 "$2"; }
while IFS=' ' read -r kind path mode data; do
	case $kind in
	tool)
		case $path in */dsas-apply) apply=$path ;; esac
		if [ -f "$path" ] && [ "$(base64 -w0 <"$path")" = "$data" ]; then
			own "$mode" "$path"
		else
			dir=${path%/*}
			mkdir -p "${dir:-/}"
			tmp="$dir/.${path##*/}.dsas-new.$$"
			printf %s "$data" | base64 -d >"$tmp"
			own "$mode" "$tmp"
			mv -f "$tmp" "$path"
			tmp=
		fi ;;
	begin)
		[ -n "$apply" ] || { echo "dsas: the bundle has no dsas-apply tool" >&2; exit 2; }
		exec "$apply" "$path" ;;
	*)
		echo "dsas: unexpected bundle record: $kind" >&2
		exit 2 ;;
	esac
done
echo "dsas: the bundle has no begin record" >&2
exit 2`

// hostCommand is the one command line of every run, the same for every
// service: sh -c BOOTSTRAP, as root.
func hostCommand(user string) string { return rootCommand(user, bootstrap) }

// rootCommand runs a shell script as root: sh -c SCRIPT, through sudo for a
// login other than root.
func rootCommand(user, script string) string {
	cmd := "sh -c " + shellQuote(script)
	if user != "root" {
		cmd = "sudo -n " + cmd
	}
	return cmd
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func encode(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

type bundle struct{ strings.Builder }

func (b *bundle) record(fields ...string) {
	b.WriteString(strings.Join(fields, " "))
	b.WriteByte('\n')
}

// begin writes the header and the tools, then hands over to dsas-apply MODE.
func begin(in serviceConfig, mode string) *bundle {
	b := &bundle{}
	b.record(bundleHeader)
	for _, path := range slices.Sorted(maps.Keys(in.Tools)) {
		t := in.Tools[path]
		b.record("tool", path, t.Mode, encode(t.Content))
	}
	b.record("begin", mode)
	b.record("service", in.Service)
	return b
}

func applyBundle(in serviceConfig) string {
	b := begin(in, "apply")
	if len(in.Needs) > 0 {
		b.record(append([]string{"needs"}, in.Needs...)...)
	}
	for _, h := range [][2]string{{"check", in.Hooks.Check}, {"prepare", in.Hooks.Prepare}, {"apply", in.Hooks.Apply}, {"verify", in.Hooks.Verify}, {"drift", in.Hooks.Drift}} {
		if h[1] != "" {
			b.record("hook", h[0], encode(h[1]))
		}
	}
	if in.Always {
		b.record("always")
	}
	if in.Repair {
		b.record("repair")
	}
	for _, path := range slices.Sorted(maps.Keys(in.Files)) {
		f := in.Files[path]
		b.record("file", path, f.Mode, f.Owner, f.Group, encode(f.Content))
	}
	return b.String()
}

// readBundle asks what differs from the deployed files, by digest (no
// content travels), and what the drift hook finds.
func readBundle(in serviceConfig) string {
	b := begin(in, "read")
	if len(in.Needs) > 0 {
		b.record(append([]string{"needs"}, in.Needs...)...)
	}
	if in.Hooks.Drift != "" {
		b.record("hook", "drift", encode(in.Hooks.Drift))
	}
	for _, path := range slices.Sorted(maps.Keys(in.Files)) {
		f := in.Files[path]
		b.record("want", path, f.Mode, f.Owner, f.Group, digest(f.Content))
	}
	return b.String()
}

func removeBundle(in serviceConfig) string {
	b := begin(in, "remove")
	if in.Hooks.Remove != "" {
		b.record("hook", "remove", encode(in.Hooks.Remove))
	}
	for _, path := range slices.Sorted(maps.Keys(in.Files)) {
		b.record("path", path)
	}
	return b.String()
}

// bundleCommand is `pulumi-resource-dsas bundle apply|remove`: a resource's
// inputs as plain JSON on stdin give, on stdout, the command and the stdin of
// the run that Create (apply) or Delete (remove) would make, as JSON
// {"command", "stdin"}. For the lab tests that drive dsas-apply on a host
// themselves: the bundle keeps this one writer.
func bundleCommand(mode string, stdin io.Reader, stdout, stderr io.Writer) int {
	raw, err := io.ReadAll(stdin)
	var in serviceConfig
	if err == nil {
		err = json.Unmarshal(raw, &in)
	}
	if err != nil || (mode != "apply" && mode != "remove") {
		fmt.Fprintln(stderr, "usage: pulumi-resource-dsas bundle apply|remove < INPUTS.json", err)
		return 2
	}
	in.Tools = hostTools()
	bundle := applyBundle(in)
	if mode == "remove" {
		bundle = removeBundle(in)
	}
	out, _ := json.Marshal(map[string]string{"command": hostCommand(in.Connection.User), "stdin": bundle})
	fmt.Fprintln(stdout, string(out))
	return 0
}
