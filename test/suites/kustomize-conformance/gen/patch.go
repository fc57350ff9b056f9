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

// hookSource lets the recorder see builds that bypass the harness.
const hookSource = `package krusty

import (
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// SluiceRunHook, when set, is told about every build and returns a function
// that receives the build's result.
var SluiceRunHook func(fSys filesys.FileSystem, path string, o *Options) func(resmap.ResMap, error)

func (b *Kustomizer) Run(fSys filesys.FileSystem, path string) (resmap.ResMap, error) {
	var done func(resmap.ResMap, error)
	if SluiceRunHook != nil {
		done = SluiceRunHook(fSys, path, b.options)
	}
	m, err := b.sluiceUnrecordedRun(fSys, path)
	if done != nil {
		done(m, err)
	}
	return m, err
}
`

// A rename turns one harness function into an unrecorded original; the recorder
// defines a recording function under the old name that calls it.
type rename struct{ file, from, to string }

var renames = []rename{
	{"../../krusty/kustomizer.go", "func (b *Kustomizer) Run(\n",
		"func (b *Kustomizer) sluiceUnrecordedRun(\n"},
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
	if err := os.WriteFile(filepath.Join(moduleDir, "krusty", "zz_sluice_hook.go"), []byte(hookSource), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "zz_sluice_record.go"), []byte(recorderSource), 0o644)
}
