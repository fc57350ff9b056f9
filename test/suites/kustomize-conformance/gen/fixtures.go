package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// record is what the patched harness wrote for one build.
type record struct {
	Test                string            `json:"test"`
	File                string            `json:"file"`
	Line                int               `json:"line"`
	Index               int               `json:"index"`
	Dir                 string            `json:"dir"`
	FsKind              string            `json:"fsKind"`
	Dirs                []string          `json:"dirs"`
	Symlinks            map[string]string `json:"symlinks"`
	Options             krustyOptions     `json:"options"`
	Plugins             []string          `json:"plugins"`
	LibraryOutput       *string           `json:"libraryOutput"`
	LibraryError        *string           `json:"libraryError"`
	TestExpected        *string           `json:"testExpected"`
	TestExpectedTweaked bool              `json:"testExpectedTweaked"`
	Problem             string            `json:"problem"`
}

// krustyOptions mirrors the JSON form of krusty.Options.
type krustyOptions struct {
	Reorder           string
	AddManagedbyLabel bool
	LoadRestrictions  int // 1 root only, 2 none
	PluginConfig      *struct {
		PluginRestrictions int // 1 builtins only, 2 none
		FnpLoadingOptions  struct {
			EnableExec bool
			Network    bool
			Mounts     []string
		}
		HelmConfig struct{ Enabled bool }
	}
}

// fixture is case.json: everything the runner needs besides the files and the expected bytes.
type fixture struct {
	ID               string            `json:"id"`
	Source           string            `json:"source"`
	Test             string            `json:"test,omitempty"`
	File             string            `json:"file,omitempty"`
	Line             int               `json:"line,omitempty"`
	Feature          string            `json:"feature"`
	Description      string            `json:"description,omitempty"`
	Dir              string            `json:"dir"`
	LoadRestrictions string            `json:"loadRestrictions"`
	Applicable       bool              `json:"applicable"`
	Reason           string            `json:"reason,omitempty"`
	Expect           string            `json:"expect,omitempty"`
	ErrorMessage     string            `json:"errorMessage,omitempty"`
	Command          string            `json:"command,omitempty"`
	Dirs             []string          `json:"dirs,omitempty"`
	Symlinks         map[string]string `json:"symlinks,omitempty"`
	Notes            []string          `json:"notes,omitempty"`
}

func buildFixtures(c config, records, staging string) (manifest, error) {
	m := manifest{NotApplicable: map[string]int{}}
	var dirs []string
	err := filepath.WalkDir(records, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "record.json" {
			dirs = append(dirs, filepath.Dir(p))
		}
		return err
	})
	if err != nil {
		return m, err
	}
	sort.Strings(dirs)
	results := make([]fixture, len(dirs))
	errs := make([]error, len(dirs))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				rel, _ := filepath.Rel(records, dirs[i])
				results[i], errs[i] = krustyFixture(c, dirs[i], filepath.Join(staging, "corpus", rel))
			}
		}()
	}
	for i := range dirs {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, f := range results {
		if errs[i] != nil {
			return m, fmt.Errorf("%s: %w", dirs[i], errs[i])
		}
		m.Cases++
		if f.Applicable {
			m.Applicable++
		} else {
			m.NotApplicable[reasonClass(f.Reason)]++
		}
	}
	logf("recorded %d builds: %d applicable", m.Cases, m.Applicable)
	for _, k := range sortedKeys(m.NotApplicable) {
		logf("  not applicable: %4d  %s", m.NotApplicable[k], k)
	}
	return m, nil
}

// reasonClass is the part of a reason before any detail, used for tallies.
func reasonClass(reason string) string {
	if i := strings.Index(reason, ": "); i > 0 {
		return reason[:i]
	}
	return reason
}

func krustyFixture(c config, recDir, outDir string) (fixture, error) {
	var r record
	data, err := os.ReadFile(filepath.Join(recDir, "record.json"))
	if err != nil {
		return fixture{}, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return fixture{}, err
	}
	filesDir := filepath.Join(outDir, "files")
	if err := copyTree(filepath.Join(recDir, "files"), filesDir); err != nil {
		return fixture{}, err
	}
	if err := os.WriteFile(filepath.Join(outDir, "record.json"), data, 0o644); err != nil {
		return fixture{}, err
	}
	f := fixture{
		ID: fmt.Sprintf("%s#%d", r.Test, r.Index), Source: "krusty", Test: r.Test, File: r.File, Line: r.Line,
		Feature: strings.TrimSuffix(filepath.Base(r.File), "_test.go"), Dir: r.Dir,
		LoadRestrictions: "rootOnly", Dirs: r.Dirs, Symlinks: r.Symlinks, Applicable: true,
	}
	if r.Options.LoadRestrictions == 2 {
		f.LoadRestrictions = "none"
	}
	if len(r.Symlinks) > 0 {
		if err := makeSymlinks(filesDir, r.Symlinks); err != nil {
			return f, err
		}
	}
	f.Reason = staticReason(r, filesDir)
	if f.Reason != "" && strings.HasPrefix(f.Reason, "remote") {
		f.Applicable = false
		return f, writeJSON(filepath.Join(outDir, "case.json"), f)
	}
	res := runKustomize(c.kustomizeBin, filesDir, f.Dir, f.LoadRestrictions)
	if err := res.save(outDir, &f); err != nil {
		return f, err
	}
	if f.Reason == "" {
		f.Reason = dynamicReason(r, res)
	}
	f.Applicable = f.Reason == ""
	f.Notes = notes(r, res)
	return f, writeJSON(filepath.Join(outDir, "case.json"), f)
}

// customPlugins lists prepared plugins other than kustomize's own builtins
// (which the test compiles as Go plugins but kustomize build links in).
func customPlugins(plugins []string) []string {
	var out []string
	for _, p := range plugins {
		if !strings.HasPrefix(p, "go plugin builtin/") {
			out = append(out, p)
		}
	}
	return out
}

func makeSymlinks(filesDir string, links map[string]string) error {
	for p, target := range links {
		dst := filepath.Join(filesDir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		_ = os.Remove(dst)
		if err := os.Symlink(target, dst); err != nil {
			return err
		}
	}
	return nil
}

var (
	helmRe   = regexp.MustCompile(`(?m)^\s*helmCharts:|HelmChartInflationGenerator|helmChartInflationGenerator`)
	fnRe     = regexp.MustCompile(`config\.(kubernetes\.io|k8s\.io)/function`)
	remoteRe = regexp.MustCompile(`(?m)^\s*(-\s*|path:\s*|repo:\s*)["']?(https?://|git::|ssh://|git@|github\.com/)`)
)

// staticReason says why a case cannot apply to Sluice's engine, judged from the
// test's options and the recorded files; empty if nothing rules it out.
func staticReason(r record, filesDir string) string {
	if r.Problem != "" {
		return "not recordable: " + r.Problem
	}
	if r.LibraryOutput == nil && r.LibraryError == nil {
		return "not recordable: the test stopped before the build finished"
	}
	if custom := customPlugins(r.Plugins); len(custom) > 0 {
		return "needs Go or exec plugins: " + strings.Join(custom, ", ")
	}
	if r.Options.AddManagedbyLabel {
		return "needs a build option the engine does not take: --enable-managedby-label"
	}
	if pc := r.Options.PluginConfig; pc != nil {
		fo := pc.FnpLoadingOptions
		if fo.EnableExec || fo.Network || len(fo.Mounts) > 0 {
			return "needs KRM functions: exec or container function options"
		}
	}
	reason := ""
	_ = filepath.WalkDir(filesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || reason != "" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		text := string(data)
		name := strings.ToLower(d.Name())
		switch {
		case helmRe.MatchString(text):
			reason = "needs Helm: chart inflation"
		case fnRe.MatchString(text):
			reason = "needs KRM functions: config.kubernetes.io/function"
		case strings.HasPrefix(name, "kustomization") && remoteRe.MatchString(text):
			reason = "remote resource: needs network"
		}
		return nil
	})
	return reason
}

// dynamicReason compares the library result under the test's options with
// what `kustomize build` does with the options the engine takes.
func dynamicReason(r record, res kustomizeResult) string {
	pluginsOn := r.Options.PluginConfig != nil && r.Options.PluginConfig.PluginRestrictions == 2
	switch {
	case r.LibraryOutput != nil && !res.ok:
		if pluginsOn {
			return "needs plugins: kustomize build without --enable-alpha-plugins fails: " + firstLine(res.message)
		}
		return "kustomize build disagrees with the library build: fails with: " + firstLine(res.message)
	case r.LibraryError != nil && res.ok && pluginsOn && len(r.Plugins) == 0:
		return "needs plugins: the library build with plugins enabled fails: " + firstLine(*r.LibraryError)
	}
	return ""
}

func notes(r record, res kustomizeResult) []string {
	var n []string
	if r.LibraryError != nil && res.ok {
		n = append(n, "the library build in the test failed but kustomize build succeeds: "+firstLine(*r.LibraryError))
	}
	if len(r.Plugins) > 0 {
		n = append(n, "the test loaded builtins as Go plugins ("+strings.Join(r.Plugins, ", ")+"); kustomize build uses the linked builtins")
	}
	if r.TestExpected != nil && res.ok && strings.TrimPrefix(*r.TestExpected, "\n") != res.stdout {
		why := "kustomize build output differs from the test's own expectation"
		if r.Options.Reorder == "none" {
			why += " (the test builds with reorder=none; kustomize build sorts in legacy order)"
		}
		n = append(n, why)
	}
	return n
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
