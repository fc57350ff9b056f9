// Command gen builds the Kustomize conformance corpus: it records every build
// made by the krusty end-to-end tests of sigs.k8s.io/kustomize/api, then asks the
// real kustomize binary for the authoritative output of each recorded tree. It
// also produces the expected output of Sluice's own cases.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

type config struct {
	kustomizeVersion string
	kustomizeBin     string
	outDir           string
	ownDir           string
	force            bool
	only             string
	keepScratch      bool
}

func main() {
	var c config
	flag.StringVar(&c.kustomizeVersion, "kustomize-version", "v5.8.1", "kustomize release whose api module is the reference")
	flag.StringVar(&c.kustomizeBin, "kustomize", "kustomize", "kustomize binary used for the authoritative output")
	flag.StringVar(&c.outDir, "out", "", "cache directory for this kustomize version (required)")
	flag.StringVar(&c.ownDir, "own", "", "directory of Sluice's own cases (inputs)")
	flag.BoolVar(&c.force, "force", false, "regenerate the krusty corpus even when the cache is current")
	flag.StringVar(&c.only, "only", "all", "what to generate: all, krusty or own")
	flag.BoolVar(&c.keepScratch, "keep-scratch", false, "keep the scratch copy of the api module")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	if c.outDir == "" {
		return fmt.Errorf("-out is required")
	}
	out, err := filepath.Abs(c.outDir)
	if err != nil {
		return err
	}
	c.outDir = out
	if err := checkBinary(c.kustomizeBin, c.kustomizeVersion); err != nil {
		return err
	}
	if c.only == "all" || c.only == "krusty" {
		start := time.Now()
		if err := krustyCorpus(c); err != nil {
			return err
		}
		logf("krusty corpus ready in %s", time.Since(start).Round(time.Second))
	}
	if (c.only == "all" || c.only == "own") && c.ownDir != "" {
		if err := ownCases(c); err != nil {
			return err
		}
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gen: "+format+"\n", args...)
}
