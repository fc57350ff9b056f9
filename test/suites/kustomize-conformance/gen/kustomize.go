package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type kustomizeResult struct {
	ok      bool
	stdout  string
	stderr  string
	message string
	command string
}

// runKustomize runs `kustomize build` on a fixture tree. Error messages have the
// tree's location replaced by "/" so they read like the in-memory tree of the test.
func runKustomize(bin, filesDir, dir, loadRestrictions string) kustomizeResult {
	root, err := filepath.Abs(filesDir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		root = filesDir
	}
	args := []string{"build"}
	if loadRestrictions == "none" {
		args = append(args, "--load-restrictor", "LoadRestrictionsNone")
	}
	args = append(args, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = root
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	res := kustomizeResult{
		ok:      runErr == nil,
		stdout:  stdout.String(),
		stderr:  strings.ReplaceAll(stderr.String(), root, ""),
		command: "kustomize " + strings.Join(args, " "),
	}
	if !res.ok {
		res.message = errorMessage(res.stderr)
		if res.message == "" && runErr != nil {
			res.message = runErr.Error()
		}
	}
	return res
}

// errorMessage pulls the "Error: ..." text cobra prints out of stderr.
func errorMessage(stderr string) string {
	if i := strings.Index(stderr, "Error: "); i >= 0 {
		return strings.TrimRight(stderr[i+len("Error: "):], "\n")
	}
	return strings.TrimSpace(stderr)
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "KUSTOMIZE_") || strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func (r kustomizeResult) save(outDir string, f *fixture) error {
	f.Command = r.command
	if r.ok {
		f.Expect = "output"
		return os.WriteFile(filepath.Join(outDir, "expected.yaml"), []byte(r.stdout), 0o644)
	}
	f.Expect = "error"
	f.ErrorMessage = r.message
	return os.WriteFile(filepath.Join(outDir, "expected-error.txt"), []byte(r.message+"\n"), 0o644)
}
