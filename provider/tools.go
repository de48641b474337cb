package main

import (
	"embed"
	"path"
)

// dsas-apply and its helpers, installed on a host by the bootstrap before any
// service is applied. They ship inside the provider, so every run carries the
// programs of its own version, and no resource's state holds a copy of them.
//
//go:embed libexec/dsas-apply libexec/dsas-reload libexec/dsas-kernel libexec/dsas-drain libexec/dsas-ipvs-sync libexec/dsas-drift libexec/dsas-gate libexec/dsas-status
var embedded embed.FS

// Where the tools live on a host.
const libexecDir = "/usr/local/libexec/dsas"

func hostTools() map[string]tool {
	entries, err := embedded.ReadDir("libexec")
	if err != nil {
		panic(err)
	}
	out := map[string]tool{}
	for _, e := range entries {
		content, err := embedded.ReadFile(path.Join("libexec", e.Name()))
		if err != nil {
			panic(err)
		}
		out[path.Join(libexecDir, e.Name())] = tool{Mode: "0755", Content: string(content)}
	}
	return out
}
