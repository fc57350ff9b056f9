/** Exit codes of the `sluice` command; docs/cli.md lists them for scripts. */
export const ExitCode = {
  /** Done, and the result is good (synced, healthy, valid). */
  Ok: 0,
  /** The operation ran and failed: a sync failed, a target is unhealthy, a diff found changes with --exit-code. */
  Failed: 1,
  /** The command line is wrong: unknown flag, missing argument. */
  Usage: 2,
  /** Input is invalid: sluice.yaml, a manifest, an overlay, a policy violation at error severity. */
  Invalid: 3,
  /** What was named does not exist: app, environment, sync, file. */
  NotFound: 4,
  /** Something needed could not be reached: the Sluice server, a Git remote, a target. */
  Unreachable: 5,
  /** A dry run of set-image or promote found a gate that would block the change (approvals aside). */
  GateWouldBlock: 6,
  /** Refused by the state of things until someone changes it: a digest held in the environment. */
  Refused: 7,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
