package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func drbdService() serviceConfig {
	return serviceConfig{
		Service: "drbd",
		Tools: map[string]tool{
			"/l/dsas-drbd":  {Mode: "0755", Content: "b\n"},
			"/l/dsas-apply": {Mode: "0755", Content: "a\n"},
		},
		Files: map[string]hostFile{
			"/etc/drbd.d/r0.res":             {Mode: "0600", Owner: "root", Group: "root", Content: "resource r0 {}\n"},
			"/etc/drbd.d/global_common.conf": {Mode: "0644", Owner: "root", Group: "root", Content: "global {}\n"},
		},
		Needs:  []string{"drbdadm:drbd-utils", "blkid:util-linux"},
		Hooks:  hooks{Check: "drbdadm -c /etc/drbd.conf dump", Apply: "dsas-drbd adjust r0", Remove: "drbdadm down r0"},
		Always: true,
		Redact: []string{"never-sent"},
	}
}

func TestBundleWriter(t *testing.T) {
	in := drbdService()
	tools := "dsas-bundle 1\n" +
		"tool /l/dsas-apply 0755 YQo=\n" +
		"tool /l/dsas-drbd 0755 Ygo=\n"
	cases := []struct {
		name, got, want string
	}{
		{"apply", applyBundle(in), tools +
			"begin apply\n" +
			"service drbd\n" +
			"needs drbdadm:drbd-utils blkid:util-linux\n" +
			"hook check ZHJiZGFkbSAtYyAvZXRjL2RyYmQuY29uZiBkdW1w\n" +
			"hook apply ZHNhcy1kcmJkIGFkanVzdCByMA==\n" +
			"always\n" +
			"file /etc/drbd.d/global_common.conf 0644 root root Z2xvYmFsIHt9Cg==\n" +
			"file /etc/drbd.d/r0.res 0600 root root cmVzb3VyY2UgcjAge30K\n"},
		{"remove", removeBundle(in), tools +
			"begin remove\n" +
			"service drbd\n" +
			"hook remove ZHJiZGFkbSBkb3duIHIw\n" +
			"path /etc/drbd.d/global_common.conf\n" +
			"path /etc/drbd.d/r0.res\n"},
		{"apply, nothing optional", applyBundle(serviceConfig{Service: "nginx", Tools: map[string]tool{"/l/dsas-apply": {Mode: "0755", Content: "a\n"}}}),
			"dsas-bundle 1\ntool /l/dsas-apply 0755 YQo=\nbegin apply\nservice nginx\n"},
		{"remove, nothing optional", removeBundle(serviceConfig{Service: "nginx", Tools: map[string]tool{"/l/dsas-apply": {Mode: "0755", Content: "a\n"}},
			Hooks: hooks{Check: "nginx -t", Prepare: "true", Apply: "dsas-reload nginx"}}),
			"dsas-bundle 1\ntool /l/dsas-apply 0755 YQo=\nbegin remove\nservice nginx\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("bundle\n got %q\nwant %q", c.got, c.want)
			}
			if strings.Contains(c.got, "never-sent") {
				t.Error("the redact values reached the bundle")
			}
		})
	}
}

func TestBundleSortsAndEncodes(t *testing.T) {
	in := serviceConfig{Service: "s", Tools: map[string]tool{}, Files: map[string]hostFile{}}
	for i := 0; i < 50; i++ {
		in.Tools[fmt.Sprintf("/t/%02d", 49-i)] = tool{Mode: "0755"}
		in.Files[fmt.Sprintf("/f/%02d", (i*7)%50)] = hostFile{Mode: "0644", Owner: "o", Group: "g", Content: strings.Repeat("é\n ", 100)}
	}
	var tools, files []string
	for _, line := range strings.Split(strings.TrimSuffix(applyBundle(in), "\n"), "\n") {
		fields := strings.Split(line, " ")
		switch fields[0] {
		case "tool":
			tools = append(tools, fields[1])
			if len(fields) != 4 || fields[3] != "" {
				t.Errorf("empty tool record %q", line)
			}
		case "file":
			files = append(files, fields[1])
			if len(fields) != 6 || fields[5] != encode(strings.Repeat("é\n ", 100)) {
				t.Errorf("file record %q is not PATH MODE OWNER GROUP BASE64 on one line", line)
			}
		}
	}
	for i := range 50 {
		if tools[i] != fmt.Sprintf("/t/%02d", i) || files[i] != fmt.Sprintf("/f/%02d", i) {
			t.Fatalf("records out of order: %v %v", tools, files)
		}
	}
}

func TestHostCommand(t *testing.T) {
	if got := hostCommand("root"); got != "sh -c "+shellQuote(bootstrap) || !strings.HasPrefix(got, "sh -c 'set -eu\n") {
		t.Errorf("root: %.40q", got)
	}
	if got := hostCommand("deploy"); got != "sudo -n sh -c "+shellQuote(bootstrap) {
		t.Errorf("deploy: %.40q", got)
	}
	// The outer shell (the login shell sshd runs the command with) gets the
	// bootstrap back intact.
	out, err := exec.Command("sh", "-c", "printf %s "+shellQuote(bootstrap+"'it''s'")).Output()
	if err != nil || string(out) != bootstrap+"'it''s'" {
		t.Errorf("quoting: %v %q", err, out)
	}
}

func shells(t *testing.T) []string {
	var found []string
	for _, sh := range []string{"sh", "dash", "bash"} {
		if _, err := exec.LookPath(sh); err == nil {
			found = append(found, sh)
		}
	}
	if len(found) == 0 {
		t.Skip("no POSIX shell")
	}
	return found
}

// fakeApply is a dsas-apply that records its arguments and the stdin it got.
func fakeApply(dir string) string {
	return fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$#\" \"$@\" >%s\ncat >%s\necho \"fake: $1\"\n",
		shellQuote(filepath.Join(dir, "args")), shellQuote(filepath.Join(dir, "stdin")))
}

type bootstrapRun struct {
	stdout, stderr string
	code           int
}

func runBootstrap(t *testing.T, shell, stdin string) bootstrapRun {
	t.Helper()
	cmd := exec.Command(shell, "-c", bootstrap)
	// A strings.Reader is copied through a pipe, as sshd gives stdin.
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return bootstrapRun{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

type fileID struct {
	ino   uint64
	mtime time.Time
}

func identify(t *testing.T, path string) fileID {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileID{info.Sys().(*syscall.Stat_t).Ino, info.ModTime()}
}

func TestBootstrap(t *testing.T) {
	for _, shell := range shells(t) {
		t.Run(shell, func(t *testing.T) {
			dir := t.TempDir()
			apply := filepath.Join(dir, "libexec/dsas/dsas-apply")
			data := filepath.Join(dir, "libexec/dsas/dsas-data")
			deep := filepath.Join(dir, "other/deeper/tool")
			empty := filepath.Join(dir, "libexec/dsas/empty")
			in := serviceConfig{
				Service: "squid",
				Tools: map[string]tool{
					apply: {Mode: "0755", Content: fakeApply(dir)},
					data:  {Mode: "0640", Content: "\x00\xffbinary\n no newline at the end"},
					deep:  {Mode: "0700", Content: "#!/bin/sh\nexit 0\n"},
					empty: {Mode: "0644", Content: ""},
				},
				// Far more than any buffer a shell could read ahead: dsas-apply
				// must still get every byte after the begin line.
				Files: map[string]hostFile{
					"/etc/squid/squid.conf": {Mode: "0644", Owner: "root", Group: "proxy", Content: strings.Repeat("cache_mem 64 MB\n", 20000)},
					"/etc/squid/secret":     {Mode: "0640", Owner: "root", Group: "proxy", Content: "pw"},
				},
				Needs: []string{"squid:squid"},
				Hooks: hooks{Check: "squid -k parse -f /etc/squid/squid.conf", Apply: "squid -k reconfigure"},
			}
			expect := func(t *testing.T, bundle, mode string, run bootstrapRun) {
				t.Helper()
				if run.code != 0 || run.stdout != "fake: "+mode+"\n" || run.stderr != "" {
					t.Fatalf("bootstrap: exit %d, stdout %q, stderr %q", run.code, run.stdout, run.stderr)
				}
				args, _ := os.ReadFile(filepath.Join(dir, "args"))
				if string(args) != "1\n"+mode+"\n" {
					t.Errorf("dsas-apply got arguments %q", args)
				}
				begin := "\nbegin " + mode + "\n"
				rest := bundle[strings.Index(bundle, begin)+len(begin):]
				got, _ := os.ReadFile(filepath.Join(dir, "stdin"))
				if string(got) != rest {
					t.Errorf("dsas-apply got %d bytes of stdin starting %.60q, want the %d after the begin line starting %.60q", len(got), got, len(rest), rest)
				}
			}
			installed := func(t *testing.T) map[string]fileID {
				t.Helper()
				ids := map[string]fileID{}
				for path, want := range in.Tools {
					got, err := os.ReadFile(path)
					if err != nil || string(got) != want.Content {
						t.Errorf("%s holds %q (%v), want %q", path, got, err, want.Content)
					}
					info, _ := os.Stat(path)
					if mode := fmt.Sprintf("%04o", info.Mode().Perm()); mode != want.Mode {
						t.Errorf("%s has mode %s, want %s", path, mode, want.Mode)
					}
					if st := info.Sys().(*syscall.Stat_t); os.Getuid() == 0 && (st.Uid != 0 || st.Gid != 0) {
						t.Errorf("%s is owned by %d:%d, not root:root", path, st.Uid, st.Gid)
					}
					ids[path] = identify(t, path)
				}
				leftovers, _ := filepath.Glob(filepath.Join(dir, "*/*/.*dsas-new*"))
				if len(leftovers) > 0 {
					t.Errorf("temp files left: %v", leftovers)
				}
				return ids
			}

			bundle := applyBundle(in)
			expect(t, bundle, "apply", runBootstrap(t, shell, bundle))
			first := installed(t)

			expect(t, bundle, "apply", runBootstrap(t, shell, bundle))
			if again := installed(t); !equalIDs(again, first) {
				t.Errorf("unchanged tools were rewritten:\n%v\n%v", first, again)
			}

			in.Tools[data] = tool{Mode: "0640", Content: "v2"}
			in.Tools[deep] = tool{Mode: "0750", Content: in.Tools[deep].Content}
			bundle = removeBundle(in)
			expect(t, bundle, "remove", runBootstrap(t, shell, bundle))
			third := installed(t)
			if third[data].ino == first[data].ino {
				t.Error("a changed tool was not replaced by a new file")
			}
			for _, path := range []string{apply, deep, empty} {
				if third[path] != first[path] {
					t.Errorf("%s was rewritten though its bytes did not change", path)
				}
			}
		})
	}
}

func equalIDs(a, b map[string]fileID) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestBootstrapRefuses(t *testing.T) {
	dir := t.TempDir()
	apply := filepath.Join(dir, "dsas-apply")
	cases := []struct{ name, stdin, stderr string }{
		{"not a bundle", "PATH MODE OWNER GROUP BASE64\n", "dsas: stdin is not a dsas-bundle 1\n"},
		{"a later version", "dsas-bundle 2\n", "dsas: stdin is not a dsas-bundle 1\n"},
		{"no dsas-apply", "dsas-bundle 1\ntool " + filepath.Join(dir, "dsas-kernel") + " 0755 YQo=\nbegin apply\n", "dsas: the bundle has no dsas-apply tool\n"},
		{"no begin", "dsas-bundle 1\ntool " + apply + " 0755 YQo=\n", "dsas: the bundle has no begin record\n"},
		{"unknown record", "dsas-bundle 1\nfile /etc/x 0644 root root YQo=\n", "dsas: unexpected bundle record: file\n"},
	}
	for _, shell := range shells(t) {
		for _, c := range cases {
			t.Run(shell+"/"+c.name, func(t *testing.T) {
				run := runBootstrap(t, shell, c.stdin)
				if run.code != 2 || run.stderr != c.stderr || run.stdout != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", run.code, run.stdout, run.stderr, c.stderr)
				}
			})
		}
	}
}

func TestBundleCommand(t *testing.T) {
	var out, errs strings.Builder
	in := `{"connection":{"user":"deploy"},"service":"nginx","files":{"/etc/n":{"mode":"0644","owner":"root","group":"root","content":"x"}},"hooks":{"remove":"stop"}}`
	if code := bundleCommand("remove", strings.NewReader(in), &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got["command"], "sudo -n sh -c '") {
		t.Errorf("command %q", got["command"])
	}
	if !strings.HasSuffix(got["stdin"], "begin remove\nservice nginx\nhook remove c3RvcA==\npath /etc/n\n") || !strings.Contains(got["stdin"], "/dsas-apply 0755 ") {
		t.Errorf("stdin %q", got["stdin"])
	}
	if code := bundleCommand("other", strings.NewReader(in), &out, &errs); code != 2 {
		t.Errorf("an unknown mode: exit %d", code)
	}
}
