package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// A read-only program for one host, run by `pulumi-resource-dsas exec` for
// `dsas status`: the script travels on stdin to `sh -s -- ARGS...`.
type hostProgram struct {
	Name       string     `json:"name"`
	Connection connection `json:"connection"`
	Script     string     `json:"script"`
	Args       []string   `json:"args"`
}

type hostOutput struct {
	Name   string `json:"name"`
	Stdout string `json:"stdout"`
	Error  string `json:"error,omitempty"`
}

// execCommand is `pulumi-resource-dsas exec`: a JSON list of host programs
// on stdin, each run over its host's one connection (the same pinning and
// login as a deployment), all hosts at once; their outputs as JSON on stdout,
// in the order given. A host that cannot be reached has an error, the others
// still answer.
func execCommand(stdin io.Reader, stdout, stderr io.Writer) int {
	var programs []hostProgram
	if err := json.NewDecoder(stdin).Decode(&programs); err != nil {
		fmt.Fprintln(stderr, "usage: pulumi-resource-dsas exec < PROGRAMS.json:", err)
		return 2
	}
	p := newPool()
	// A status is wanted now: a host that does not answer soon is reported down.
	p.dialFor = 10 * time.Second
	defer p.closeAll()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out := make([]hostOutput, len(programs))
	var wg sync.WaitGroup
	for i, prog := range programs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			command := "sh -s --"
			for _, a := range prog.Args {
				command += " " + shellQuote(a)
			}
			if prog.Connection.User != "root" {
				command = "sudo -n " + command
			}
			text, err := p.run(ctx, prog.Connection, command, prog.Script)
			out[i] = hostOutput{Name: prog.Name, Stdout: text}
			if err != nil {
				out[i].Error = scrub(err.Error(), secretStrings(serviceConfig{Connection: prog.Connection}))
			}
		}()
	}
	wg.Wait()
	if err := json.NewEncoder(stdout).Encode(out); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
