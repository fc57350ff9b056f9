package main

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

//go:embed *.go *.txt go.mod
var ownSources embed.FS

// Tests left out of the run: they need the network or change the global git config.
const skipTests = "^TestRemoteLoad"

type manifest struct {
	Key              string         `json:"key"`
	KustomizeVersion string         `json:"kustomizeVersion"`
	APIVersion       string         `json:"apiVersion"`
	GeneratedAt      string         `json:"generatedAt"`
	Cases            int            `json:"cases"`
	Applicable       int            `json:"applicable"`
	NotApplicable    map[string]int `json:"notApplicable"`
	GoTest           goTestSummary  `json:"goTest"`
}

type goTestSummary struct {
	Seconds float64 `json:"seconds"`
	Passed  int     `json:"passed"`
	Failed  int     `json:"failed"`
	Skipped int     `json:"skipped"`
}

func generatorHash() string {
	h := sha256.New()
	_ = fs.WalkDir(ownSources, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := ownSources.ReadFile(p)
			fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
			h.Write(data)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func readManifest(p string) (manifest, error) {
	var m manifest
	data, err := os.ReadFile(p)
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	return m, err
}

func krustyCorpus(c config) error {
	apiVersion, err := apiVersionOf(c.kustomizeVersion)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("kustomize-%s/api-%s/gen-%s", c.kustomizeVersion, apiVersion, generatorHash())
	final := filepath.Join(c.outDir, "krusty")
	if m, err := readManifest(filepath.Join(final, "manifest.json")); err == nil && m.Key == key && !c.force {
		logf("krusty corpus is current (%s): %d cases, %d applicable", key, m.Cases, m.Applicable)
		return nil
	}
	logf("generating krusty corpus for %s", key)
	api, err := download("sigs.k8s.io/kustomize/api@" + apiVersion)
	if err != nil {
		return err
	}
	scratch, err := os.MkdirTemp("", "sluice-krusty-")
	if err != nil {
		return err
	}
	if c.keepScratch {
		logf("scratch directory: %s", scratch)
	} else {
		defer os.RemoveAll(scratch)
	}
	moduleDir := filepath.Join(scratch, "api")
	if err := copyTree(api.Dir, moduleDir); err != nil {
		return err
	}
	if err := patchHarness(moduleDir); err != nil {
		return err
	}
	// The enhanced harness insists on a plugin source root beside the module.
	if err := os.MkdirAll(filepath.Join(scratch, "plugin"), 0o755); err != nil {
		return err
	}
	records := filepath.Join(scratch, "records")
	summary, err := runKrustyTests(moduleDir, scratch, records)
	if err != nil {
		return err
	}
	staging := final + ".tmp"
	_ = os.RemoveAll(staging)
	m, err := buildFixtures(c, records, staging)
	if err != nil {
		return err
	}
	m.Key, m.KustomizeVersion, m.APIVersion = key, c.kustomizeVersion, apiVersion
	m.GeneratedAt = time.Now().UTC().Format(time.RFC3339)
	m.GoTest = summary
	if err := writeJSON(filepath.Join(staging, "manifest.json"), m); err != nil {
		return err
	}
	_ = os.RemoveAll(final)
	return os.Rename(staging, final)
}

var testResult = regexp.MustCompile(`(?m)^\s*--- (PASS|FAIL|SKIP): `)

// runKrustyTests runs the patched krusty tests. Failures are expected (the
// patched copy lives outside the kustomize repo); what matters is the records.
func runKrustyTests(moduleDir, scratch, records string) (goTestSummary, error) {
	var s goTestSummary
	home := filepath.Join(scratch, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return s, err
	}
	env, err := goEnv("GOCACHE", "GOMODCACHE", "GOPATH")
	if err != nil {
		return s, err
	}
	cmd := exec.Command("go", "test", "-count=1", "-skip", skipTests, "./krusty/...")
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), env...)
	// An isolated HOME keeps the tests away from the user's git and plugin config.
	cmd.Env = append(cmd.Env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"SLUICE_KRUSTY_RECORD="+records, "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"))
	logFile := filepath.Join(scratch, "go-test.log")
	logf("running go test ./krusty/... in %s (log: %s)", moduleDir, logFile)
	start := time.Now()
	out, runErr := cmd.CombinedOutput()
	s.Seconds = time.Since(start).Round(time.Second).Seconds()
	_ = os.WriteFile(logFile, out, 0o644)
	for _, m := range testResult.FindAllStringSubmatch(string(out), -1) {
		switch m[1] {
		case "PASS":
			s.Passed++
		case "FAIL":
			s.Failed++
		case "SKIP":
			s.Skipped++
		}
	}
	if _, err := os.Stat(records); err != nil {
		tail := string(out)
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		return s, fmt.Errorf("go test recorded nothing (%v):\n%s", runErr, tail)
	}
	logf("go test took %.0fs; %d subtests/tests reported FAIL (expected in the patched copy)", s.Seconds, s.Failed)
	return s, nil
}

func goEnv(names ...string) ([]string, error) {
	out, err := exec.Command("go", append([]string{"env"}, names...)...).Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	vals := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	env := make([]string, 0, len(names))
	for i, n := range names {
		if i < len(vals) && vals[i] != "" {
			env = append(env, n+"="+vals[i])
		}
	}
	return env, nil
}

func writeJSON(p string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, append(data, '\n'), 0o644)
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
