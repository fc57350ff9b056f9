/**
 * Files of a new config repo for a Kubernetes target (`sluice init --target kubernetes`):
 * sluice.yaml, one app with a Deployment + Service base and dev/staging/prod overlays.
 * Pure: returns path → content; the caller writes and commits.
 */

export interface ScaffoldOptions {
  project: string;
  /** Name of the sample app. Default `web`. */
  app?: string;
  /** kubeconfig context of the cluster; left to the current context when absent. */
  context?: string;
  /** Image of the sample app; pin it by digest before promoting to prod. */
  image?: string;
}

const ENVIRONMENTS = [
  { name: 'dev', replicas: 1 },
  { name: 'staging', replicas: 2 },
  { name: 'prod', replicas: 3 },
] as const;

export function kubernetesScaffold(o: ScaffoldOptions): Record<string, string> {
  const app = o.app ?? 'web';
  const image = o.image ?? 'nginxinc/nginx-unprivileged:1.27-alpine';
  const files: Record<string, string> = {
    'sluice.yaml': sluiceYaml(o.project, app, o.context),
    [`apps/${app}/base/kustomization.yaml`]: baseKustomization(),
    [`apps/${app}/base/deployment.yaml`]: deployment(app, image),
    [`apps/${app}/base/service.yaml`]: service(app),
  };
  for (const e of ENVIRONMENTS) {
    files[`apps/${app}/overlays/${e.name}/kustomization.yaml`] = overlay(o.project, app, e.name, e.replicas, image);
    files[`apps/${app}/overlays/${e.name}/namespace.yaml`] = namespace(`${o.project}-${e.name}`);
  }
  return files;
}

function sluiceYaml(project: string, app: string, context: string | undefined): string {
  const target = context
    ? `{ provider: kubernetes, context: ${context} }`
    : '{ provider: kubernetes }   # the kubeconfig current context';
  return `# yaml-language-server: $schema=https://sluice.dev/schema/sluice.schema.json
apiVersion: sluice.dev/v1alpha1
kind: Project
metadata:
  name: ${project}
spec:
  targets:
    cluster: ${target}
  environments:
    - name: dev
      target: cluster
      sync: auto          # apply every new revision
      selfHeal: true      # undo edits made outside Git
    - name: staging
      target: cluster
      sync: auto
      promotion: { from: dev, requireHealthy: true }
    - name: prod
      target: cluster
      sync: manual
      protected: true
      promotion: { from: staging, approvals: 1, soak: 10m }
      policy: { requireDigests: true }
  apps:
    - { name: ${app}, path: apps/${app} }
`;
}

function baseKustomization(): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
`;
}

function deployment(app: string, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  labels: { app.kubernetes.io/name: ${app} }
spec:
  replicas: 1
  selector:
    matchLabels: { app.kubernetes.io/name: ${app} }
  template:
    metadata:
      labels: { app.kubernetes.io/name: ${app} }
    spec:
      containers:
        - name: ${app}
          image: ${image}
          ports:
            - { name: http, containerPort: 8080 }
          readinessProbe:
            httpGet: { path: /, port: http }
          resources:
            requests: { cpu: 50m, memory: 64Mi }
            limits: { memory: 128Mi }
`;
}

function service(app: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${app}
  labels: { app.kubernetes.io/name: ${app} }
spec:
  selector: { app.kubernetes.io/name: ${app} }
  ports:
    - { name: http, port: 80, targetPort: http }
`;
}

function overlay(project: string, app: string, env: string, replicas: number, image: string): string {
  const [name, tag] = splitImage(image);
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${project}-${env}
resources:
  - namespace.yaml
  - ../../base
replicas:
  - { name: ${app}, count: ${replicas} }
images:
  - name: ${name}
    newTag: "${tag}"   # promotion rewrites this (or a digest:) line
`;
}

function namespace(name: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
`;
}

function splitImage(image: string): [string, string] {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, 'latest'];
}
