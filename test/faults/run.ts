// The fault-injection suite (see README.md next to this file). Usage:
//   tsx test/faults/run.ts [kill|remote|disk|sqlite|target ...]     (no argument: all of them)
// SLUICE_FAULT_SEED and SLUICE_FAULT_KILLS choose the seed and the number of kills.
import { log, MissingPrerequisite, runCleanups, sluiceCommand } from './harness.js';
import { killScenario, type KillCounts } from './scenario-kill.js';

const SCENARIOS = ['kill', 'remote', 'disk', 'sqlite', 'target'] as const;
type Scenario = (typeof SCENARIOS)[number];

// Loaded on demand, so running one scenario does not load the others.
const OTHERS: Record<Exclude<Scenario, 'kill'>, () => Promise<string[]>> = {
  remote: async () => (await import('./scenario-remote.js')).run(),
  disk: async () => (await import('./scenario-disk.js')).run(),
  sqlite: async () => (await import('./scenario-sqlite.js')).run(),
  target: async () => (await import('./scenario-target.js')).run(),
};

const DEFAULT_SEED = 20_260_509;
const seed = process.env.SLUICE_FAULT_SEED ? Number(process.env.SLUICE_FAULT_SEED) : DEFAULT_SEED;
const kills = process.env.SLUICE_FAULT_KILLS
  ? Number(process.env.SLUICE_FAULT_KILLS)
  : process.env.CI === 'true'
    ? 200
    : 20;

// Independent Sluice instances killed side by side; lane i draws from seed + i - 1.
const lanes = process.env.SLUICE_FAULT_LANES ? Number(process.env.SLUICE_FAULT_LANES) : 2;

function rerun(only?: Scenario): string {
  return `SLUICE_FAULT_SEED=${seed} SLUICE_FAULT_KILLS=${kills} SLUICE_FAULT_LANES=${lanes} bash .ci/suites/faults.sh${only ? ` ${only}` : ''}`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !(SCENARIOS as readonly string[]).includes(a));
  if (
    unknown.length ||
    !Number.isInteger(seed) ||
    !Number.isInteger(kills) ||
    kills < 1 ||
    !Number.isInteger(lanes) ||
    lanes < 1
  ) {
    console.error(
      `usage: tsx test/faults/run.ts [${SCENARIOS.join('|')} ...]; SLUICE_FAULT_SEED an integer, SLUICE_FAULT_KILLS a positive integer`,
    );
    return 2;
  }
  const selected = args.length ? (args as Scenario[]) : [...SCENARIOS];
  log(
    `faults: seed ${seed}, ${kills} kills in ${lanes} lanes, scenarios ${selected.join(' ')}; sluice runs as ${sluiceCommand().how}`,
  );
  log(`faults: rerun with ${rerun()}`);

  const failed: { scenario: Scenario; failures: string[] }[] = [];
  const skipped: Scenario[] = [];
  let counts: KillCounts | undefined;
  for (const scenario of selected) {
    log(`=== faults: ${scenario}`);
    const started = Date.now();
    let failures: string[];
    try {
      if (scenario === 'kill') {
        const r = await killScenario(seed, kills, lanes);
        counts = r.counts;
        failures = r.failures;
      } else {
        failures = await OTHERS[scenario]();
      }
    } catch (e) {
      if (e instanceof MissingPrerequisite && process.env.CI !== 'true') {
        log(`=== faults: ${scenario} skipped: ${e.message} (CI=true makes this an error)`);
        skipped.push(scenario);
        await runCleanups();
        continue;
      }
      failures = [
        e instanceof MissingPrerequisite
          ? `missing prerequisite: ${e.message}`
          : `aborted: ${(e as Error).stack ?? String(e)}`,
      ];
    }
    // Each scenario leaves nothing running for the next one.
    await runCleanups();
    log(
      `=== faults: ${scenario} ${failures.length ? `FAILED (${failures.length})` : 'passed'} in ${Math.round((Date.now() - started) / 1000)}s`,
    );
    if (failures.length) failed.push({ scenario, failures });
  }

  console.log('');
  for (const f of failed) {
    console.log(`faults: ${f.scenario} failed:`);
    for (const m of f.failures.slice(0, 30)) console.log(`  - ${m.split('\n').join('\n    ')}`);
    if (f.failures.length > 30) console.log(`  … and ${f.failures.length - 30} more`);
    console.log(`  rerun: ${rerun(f.scenario)}`);
  }
  if (counts)
    console.log(
      `faults: ${counts.kills} kills, ${counts.orphans} orphans, ${counts.duplicates} duplicates, ${counts.lost} lost`,
    );
  const passed = selected.filter((s) => !failed.some((f) => f.scenario === s));
  console.log(
    `faults: ${passed.length} of ${selected.length} scenarios passed${failed.length ? `; failed: ${failed.map((f) => f.scenario).join(', ')}` : ''} (seed ${seed})`,
  );
  return failed.length ? 1 : 0;
}

let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (exiting) process.exit(130);
    exiting = true;
    console.error(`\n${signal}: cleaning up`);
    void runCleanups().finally(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await runCleanups();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    console.error(e);
    await runCleanups();
    process.exit(1);
  });
