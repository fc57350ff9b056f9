import type { ScaffoldRequest } from '../types.js';

/**
 * The files of a new config repo for the docker target: sluice.yaml, a `hello` Compose app
 * (a base compose.yaml and one overlay per environment) and the recipe of its image, built
 * locally from Debian's busybox-static, so the sample needs no registry. Pure: path → content.
 */

const SCHEMA_FILE = 'sluice.schema.json';
export const SAMPLE_IMAGE = 'sluice-sample/hello:1.0.0';

const ENVIRONMENTS = [
  { name: 'dev', replicas: 1, offset: 10 },
  { name: 'staging', replicas: 1, offset: 20 },
  { name: 'prod', replicas: 1, offset: 30 },
] as const;

export function dockerProjectFiles(request: ScaffoldRequest): Record<string, string> {
  const files: Record<string, string> = {
    'sluice.yaml': sluiceYaml(request.project, request.schema !== undefined),
    'README.md': README,
    'apps/hello/base/compose.yaml': BASE,
    'images/hello/Dockerfile': DOCKERFILE,
    'images/hello/www/index.html': 'Hello from busybox, version 1.0.0\n',
    'images/hello/build.sh': BUILD,
  };
  if (request.schema !== undefined) files[SCHEMA_FILE] = request.schema;
  for (const e of ENVIRONMENTS) {
    files[`apps/hello/overlays/${e.name}/compose.yaml`] =
      `# hello in ${e.name}: merged onto ../../base/compose.yaml. Edit, commit, and Sluice rolls it out.\n` +
      `services:\n  hello:\n    ports:\n      - "127.0.0.1:${request.basePort + e.offset}:8080"\n`;
  }
  return files;
}

function sluiceYaml(project: string, schema: boolean): string {
  return `${schema ? `# yaml-language-server: $schema=./${SCHEMA_FILE}\n` : ''}apiVersion: sluice.dev/v1alpha1
kind: Project
metadata:
  name: ${project}
spec:
  targets:
    host:
      provider: docker    # the Docker Engine at unix:///var/run/docker.sock
  environments:
    - name: dev
      target: host
      sync: auto          # apply every new revision
      selfHeal: true      # undo drift (a container stopped by hand) without waiting for a commit
      healthTimeout: 60s
    - name: staging
      target: host
      sync: auto
      selfHeal: true
      healthTimeout: 60s
      promotion: { from: dev, requireHealthy: true }
    - name: prod
      target: host
      sync: auto
      protected: true
      healthTimeout: 60s
      promotion: { from: staging, approvals: 1 }
  apps:
    - name: hello
      path: apps/hello
`;
}

const BASE = `# The hello service: each environment runs it as the Compose project hello-<env>
# (\`docker compose -p hello-dev ps\` lists it). The image is built locally: images/hello/build.sh.
services:
  hello:
    image: ${SAMPLE_IMAGE}
    restart: unless-stopped
    healthcheck:
      test: ["CMD", "/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 2s
      timeout: 2s
      retries: 15
`;

const DOCKERFILE = `# A tiny HTTP server: static busybox on scratch, serving www/ with busybox httpd.
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY www /www
EXPOSE 8080
CMD ["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"]
`;

const BUILD = `#!/bin/sh
# Builds the sample image from Debian's busybox-static (apt-get install busybox-static):
#   sh images/hello/build.sh [tag]     (default ${SAMPLE_IMAGE.split(':')[1]})
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tag="\${1:-${SAMPLE_IMAGE.split(':')[1]}}"
[ -x /bin/busybox ] || { echo "/bin/busybox missing: apt-get install busybox-static" >&2; exit 1; }
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp -r "$here/." "$ctx/"
cp /bin/busybox "$ctx/busybox"
sed -i "s/version [0-9A-Za-z.-]*/version $tag/" "$ctx/www/index.html"
docker build -t "${SAMPLE_IMAGE.split(':')[0]}:$tag" "$ctx"
`;

const README = `# A Sluice project on Docker

\`hello\` is a Compose app that Sluice runs on the local Docker Engine, one Compose project
per environment (\`hello-dev\`, \`hello-staging\`, \`hello-prod\`):

- \`apps/hello/base/compose.yaml\` — the service as every environment runs it
- \`apps/hello/overlays/<env>/compose.yaml\` — merged onto it for that environment (its port)
- \`images/hello/\` — the image, built locally from busybox-static: \`sh images/hello/build.sh\`

Build the image before the first sync. To ship a new version, build it with a new tag
(\`sh images/hello/build.sh 1.1.0\`), point an overlay's \`image:\` at it and commit: only that
service is recreated, and the old container serves until the new one is healthy.
\`docker compose -p hello-dev ps\` lists what Sluice runs.
`;
