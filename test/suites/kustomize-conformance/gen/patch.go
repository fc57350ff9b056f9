package main

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

//go:embed recorder.go.txt
var recorderSource string

// A rename turns one harness function into an unrecorded original; the recorder
// defines a recording function under the old name that calls it.
type rename struct{ file, from, to string }

var renames = []rename{
	{"harness.go", "func (th Harness) Run(path string, o krusty.Options) resmap.ResMap {",
		"func (th Harness) sluiceUnrecordedRun(path string, o krusty.Options) resmap.ResMap {"},
	{"harness.go", "func (th Harness) RunWithErr(path string, o krusty.Options) error {",
		"func (th Harness) sluiceUnrecordedRunWithErr(path string, o krusty.Options) error {"},
	{"hasgett.go", "\nfunc AssertActualEqualsExpectedWithTweak(\n",
		"\nfunc sluiceUnrecordedAssertActualEqualsExpectedWithTweak(\n"},
	{"harnessenhanced.go", "func (th *HarnessEnhanced) BuildGoPlugin(g, v, k string) *HarnessEnhanced {",
		"func (th *HarnessEnhanced) sluiceUnrecordedBuildGoPlugin(g, v, k string) *HarnessEnhanced {"},
	{"harnessenhanced.go", "func (th *HarnessEnhanced) PrepExecPlugin(g, v, k string) *HarnessEnhanced {",
		"func (th *HarnessEnhanced) sluiceUnrecordedPrepExecPlugin(g, v, k string) *HarnessEnhanced {"},
}

// patchHarness rewrites testutils/kusttest in the scratch module so that every
// build made through the harness is recorded. It fails loudly if the harness no
// longer looks the way this generator expects.
func patchHarness(moduleDir string) error {
	dir := filepath.Join(moduleDir, "testutils", "kusttest")
	for _, r := range renames {
		p := filepath.Join(dir, r.file)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		src := string(data)
		if strings.Count(src, r.from) != 1 {
			return fmt.Errorf("harness changed: %s no longer has exactly one %q", r.file, strings.TrimSpace(r.from))
		}
		if err := os.WriteFile(p, []byte(strings.Replace(src, r.from, r.to, 1)), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "zz_sluice_record.go"), []byte(recorderSource), 0o644)
}
