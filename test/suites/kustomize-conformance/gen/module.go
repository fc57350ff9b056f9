package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

type modInfo struct {
	Path    string
	Version string
	Dir     string
	GoMod   string
	Error   string
}

// download fetches a module into the module cache and returns where it lives.
func download(module string) (modInfo, error) {
	var info modInfo
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Dir = os.TempDir() // outside any module
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if jerr := json.Unmarshal(out, &info); jerr != nil && err == nil {
		err = jerr
	}
	if err == nil && info.Error != "" {
		err = fmt.Errorf("%s", info.Error)
	}
	if err != nil {
		return info, fmt.Errorf("go mod download %s: %w", module, err)
	}
	return info, nil
}

// apiVersionOf reads which sigs.k8s.io/kustomize/api version a kustomize release requires.
func apiVersionOf(kustomizeVersion string) (string, error) {
	info, err := download("sigs.k8s.io/kustomize/kustomize/v5@" + kustomizeVersion)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(info.GoMod)
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require"))
		if len(f) >= 2 && f[0] == "sigs.k8s.io/kustomize/api" {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("%s does not require sigs.k8s.io/kustomize/api", info.GoMod)
}

// copyTree copies a read-only module directory into a writable scratch directory.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm()|0o600)
	})
}

func checkBinary(bin, want string) error {
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return fmt.Errorf("cannot run %s version: %w (install it with: go install sigs.k8s.io/kustomize/kustomize/v5@%s)", bin, err, want)
	}
	got := strings.TrimSpace(string(out))
	if !strings.Contains(got, want) {
		return fmt.Errorf("%s reports version %q, want %s", bin, got, want)
	}
	return nil
}
