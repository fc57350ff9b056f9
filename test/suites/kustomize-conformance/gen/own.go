package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
)

// ownSpec is own/<case>/case.json, committed next to the case's files/ tree.
type ownSpec struct {
	Feature          string `json:"feature"`
	Description      string `json:"description"`
	Dir              string `json:"dir"`
	LoadRestrictions string `json:"loadRestrictions"`
}

// ownCases writes the expected output of Sluice's own cases, produced by the
// real binary. They are cheap, so they are regenerated on every run.
func ownCases(c config) error {
	entries, err := os.ReadDir(c.ownDir)
	if err != nil {
		return err
	}
	out := filepath.Join(c.outDir, "own")
	staging := out + ".tmp"
	_ = os.RemoveAll(staging)
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		caseDir := filepath.Join(c.ownDir, name)
		var spec ownSpec
		data, err := os.ReadFile(filepath.Join(caseDir, "case.json"))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &spec); err != nil {
			return err
		}
		if spec.Dir == "" {
			spec.Dir = "."
		}
		if spec.LoadRestrictions == "" {
			spec.LoadRestrictions = "rootOnly"
		}
		if spec.Feature == "" {
			spec.Feature = "own"
		}
		f := fixture{
			ID: "own/" + name, Source: "own", Feature: spec.Feature, Description: spec.Description,
			Dir: spec.Dir, LoadRestrictions: spec.LoadRestrictions, Applicable: true,
		}
		dst := filepath.Join(staging, name)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
		res := runKustomize(c.kustomizeBin, filepath.Join(caseDir, "files"), spec.Dir, spec.LoadRestrictions)
		if err := res.save(dst, &f); err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(dst, "case.json"), f); err != nil {
			return err
		}
	}
	_ = os.RemoveAll(out)
	logf("own cases: %d", len(names))
	return os.Rename(staging, out)
}
