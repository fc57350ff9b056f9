// Command kube-apiserver-test runs a real kube-apiserver backed by an embedded etcd on
// loopback, for Sluice's Kubernetes provider tests and benchmark. It runs no controllers
// itself: tests that need real rollouts start kube-controller-manager, kube-scheduler and
// kwok beside it (test/suites/kubernetes/server.ts), with the key and CA printed here.
//
// It writes an admin kubeconfig to --kubeconfig, prints one JSON line
// {"ready":true,...} on stdout once /readyz passes and the default namespace exists,
// and stops apiserver then etcd on SIGTERM/SIGINT.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/server/v3/embed"

	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "where to write the admin kubeconfig (required)")
	dataDir := flag.String("data-dir", "", "state directory; a temporary one is created and removed when empty")
	verbosity := flag.String("v", "0", "kube-apiserver log verbosity")
	flag.Parse()
	if *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "--kubeconfig is required")
		os.Exit(2)
	}
	if err := run(*kubeconfig, *dataDir, *verbosity); err != nil {
		fmt.Fprintln(os.Stderr, "kube-apiserver-test:", err)
		os.Exit(1)
	}
}

func run(kubeconfigPath, dataDir, verbosity string) error {
	removeDir := false
	if dataDir == "" {
		d, err := os.MkdirTemp("", "sluice-kube-apiserver-")
		if err != nil {
			return err
		}
		dataDir, removeDir = d, true
	}
	if removeDir {
		defer os.RemoveAll(dataDir)
	}

	etcd, etcdURL, err := startEtcd(filepath.Join(dataDir, "etcd"))
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer func() {
		etcd.Close()
		<-etcd.Server.StopNotify()
	}()

	port, err := freePort()
	if err != nil {
		return err
	}
	certDir := filepath.Join(dataDir, "certs")
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return err
	}
	saKey, err := writeServiceAccountKey(filepath.Join(certDir, "sa.key"))
	if err != nil {
		return err
	}
	token, err := randomToken()
	if err != nil {
		return err
	}
	tokenFile := filepath.Join(certDir, "tokens.csv")
	// system:masters bypasses authorization, which is what an admin kubeconfig means.
	if err := os.WriteFile(tokenFile, []byte(token+",admin,admin,system:masters\n"), 0o600); err != nil {
		return err
	}

	cmd := app.NewAPIServerCommand()
	cmd.SetArgs([]string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--cert-dir=" + certDir,
		"--token-auth-file=" + tokenFile,
		"--authorization-mode=RBAC",
		// Room for the benchmark's thousands of Services.
		"--service-cluster-ip-range=10.96.0.0/16",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + saKey,
		"--service-account-signing-key-file=" + saKey,
		// The ServiceAccount plugin waits for token controllers that never run here.
		"--disable-admission-plugins=ServiceAccount",
		"--endpoint-reconciler-type=none",
		"--v=" + verbosity,
	})

	// The command installs its own SIGTERM/SIGINT handler and returns once the
	// server has drained, so the deferred etcd shutdown runs after it.
	errCh := make(chan error, 1)
	go func() { errCh <- cmd.Execute() }()

	server := fmt.Sprintf("https://127.0.0.1:%d", port)
	caPEM, err := waitReady(server, token, filepath.Join(certDir, "apiserver.crt"), errCh)
	if err != nil {
		return err
	}
	if err := writeKubeconfig(kubeconfigPath, server, token, caPEM); err != nil {
		return err
	}
	// The controller manager signs service account tokens with the same key the server
	// verifies them with, and hands the CA to pods as the root of trust.
	line, _ := json.Marshal(map[string]any{
		"ready":             true,
		"server":            server,
		"kubeconfig":        kubeconfigPath,
		"pid":               os.Getpid(),
		"serviceAccountKey": saKey,
		"caFile":            filepath.Join(certDir, "apiserver.crt"),
	})
	fmt.Println(string(line))

	return <-errCh
}

func startEtcd(dir string) (*embed.Etcd, string, error) {
	clientPort, err := freePort()
	if err != nil {
		return nil, "", err
	}
	peerPort, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.Name = "sluice-test"
	client, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", clientPort))
	peer, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", peerPort))
	cfg.ListenClientUrls = []url.URL{*client}
	cfg.AdvertiseClientUrls = []url.URL{*client}
	cfg.ListenPeerUrls = []url.URL{*peer}
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	cfg.InitialCluster = fmt.Sprintf("%s=%s", cfg.Name, peer.String())
	cfg.LogLevel = "error"
	// Throwaway test data: fsync per write would make benchmarks measure the disk.
	cfg.UnsafeNoFsync = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, client.String(), nil
	case err := <-e.Err():
		e.Close()
		return nil, "", err
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, "", errors.New("etcd did not become ready within 60s")
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func writeServiceAccountKey(path string) (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", err
	}
	return path, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// waitReady polls /readyz until it passes and the default namespace exists, since
// clients that start earlier see 404s for namespaced requests.
func waitReady(server, token, certFile string, errCh <-chan error) ([]byte, error) {
	deadline := time.Now().Add(3 * time.Minute)
	var caPEM []byte
	for time.Now().Before(deadline) {
		select {
		case err := <-errCh:
			return nil, fmt.Errorf("kube-apiserver exited before ready: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		if caPEM == nil {
			b, err := os.ReadFile(certFile)
			if err != nil {
				continue
			}
			caPEM = b
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(caPEM)
		client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		if ok(client, server+"/readyz", token) && ok(client, server+"/api/v1/namespaces/default", token) {
			return caPEM, nil
		}
	}
	return nil, errors.New("kube-apiserver not ready within 3m")
}

func ok(client *http.Client, u, token string) bool {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

func writeKubeconfig(path, server, token string, caPEM []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	content := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: sluice-test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: admin
  user:
    token: %s
contexts:
- name: sluice-test
  context:
    cluster: sluice-test
    user: admin
current-context: sluice-test
`, server, base64.StdEncoding.EncodeToString(caPEM), token)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
