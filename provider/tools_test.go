package main

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestHostTools(t *testing.T) {
	tools := hostTools()
	want := []string{"dsas-apply", "dsas-drain", "dsas-drift", "dsas-gate", "dsas-ipvs-sync", "dsas-kernel", "dsas-reload", "dsas-status"}
	var got []string
	for _, path := range slices.Sorted(maps.Keys(tools)) {
		got = append(got, strings.TrimPrefix(path, libexecDir+"/"))
		if tools[path].Mode != "0755" || !strings.HasPrefix(tools[path].Content, "#!/bin/sh\n") {
			t.Errorf("%s: mode %s, starts %q", path, tools[path].Mode, tools[path].Content[:min(20, len(tools[path].Content))])
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("tools %v, want %v", got, want)
	}
}
