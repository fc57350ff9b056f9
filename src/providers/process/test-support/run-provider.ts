// Runs a process provider in its own Node process, so a test can kill -9 "Sluice" itself.
// Usage: node --import tsx run-provider.ts <dataDir> <basePort>
import { ProcessProvider } from '../provider.js';
import { applyOptions, quietLog, scope, serverProcess } from './harness.js';

const [dataDir, base] = process.argv.slice(2);
const provider = new ProcessProvider({ dataDir: dataDir!, log: quietLog });
await provider.start();
await provider.apply(scope, [serverProcess('web', Number(base), { replicas: 2 })], applyOptions);
for (;;) {
  const health = await provider.health(scope);
  if (health.every((h) => h.status === 'Healthy')) break;
  await new Promise((r) => setTimeout(r, 50));
}
process.stdout.write('ready\n');
setInterval(() => {}, 60_000);
