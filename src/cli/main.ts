#!/usr/bin/env node
// falconet's command line: one file per command; this one only wires them to commander.

import { VERSION } from './version.js';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONFIG } from '../config/index.js';
import { DEFAULT_RULES, UsageError } from './rule-files.js';


const program = new Command()
  .name('falconet')
  .description('Container runtime security monitor: an eBPF syscall probe and Falco-compatible rules')
  .version(VERSION)
  .showHelpAfterError()
  // A mistyped command line is a usage error like any other: exit 2 (commander's own default is 1,
  // which falconet keeps for "the rules have errors"). Subcommands inherit this.
  .exitOverride();

const rulesOption = () => new Option('-r, --rules <file...>', 'rule files, loaded in order').default([DEFAULT_RULES], 'rules/default.yaml');
/** -r where the config file's rules_files is the default: it replaces that list. */
const settingRulesOption = () =>
  new Option('-r, --rules <path...>', "rule files and directories, loaded in order (default: the config's rules_files, else rules/default.yaml)");
const configOption = () => new Option('-c, --config <path>', `the config file (default: ${DEFAULT_CONFIG}, when it exists); see docs/config.md`);
const overrideOption = () =>
  new Option(
    '-o, --option <key=value>',
    "set a setting, with falco.yaml's key names (repeatable; wins over the config file and the flags): -o http_output.enabled=true -o rules_files[1]=/etc/falconet/extra.yaml; see docs/config.md",
  ).argParser((v: string, prev: string[] = []) => [...prev, v]);

/**
 * The options the user typed, without commander's defaults: a flag's default must not hide what the
 * config file says (settings.ts gives the defaults, from the schema).
 */
function given<T>(cmd: Command): T {
  const opts = cmd.opts();
  return Object.fromEntries(Object.keys(opts).filter((k) => cmd.getOptionValueSource(k) === 'cli').map((k) => [k, opts[k]])) as T;
}

const alertOptions = (c: Command) =>
  c
    .addOption(configOption())
    .option('--json', "print alerts in Falco's json_output shape")
    .option('--file-output <file>', "also append alerts to this file (Falco's file_output)")
    .option('--min-priority <priority>', 'skip rules less severe than this')
    .addOption(overrideOption())
    .addOption(
      new Option('--rule-matching <mode>', "Falco's rule_matching: alert on the first matching rule in load order, or on all of them")
        .choices(['first', 'all'])
        .default('first'),
    );

const cgroupHierarchyOption = () =>
  new Option(
    '--cgroup-hierarchy <name>',
    'the cgroup hierarchy that tells containers apart: auto (the unified one on cgroup v2 hosts, a v1 controller such as pids on v1 and hybrid hosts), unified, or a v1 controller name',
  ).default('auto');

/** A number parser for commander that names what it wanted, e.g. `a number from 0 to 1`. */
const numberIn = (what: string, ok: (n: number) => boolean) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !ok(n)) throw new InvalidArgumentError(`expected ${what}, got "${v}".`);
  return n;
};

/** `run`'s flags that are settings; `config` takes them too, to show what `run` would use. */
const runSettingOptions = (c: Command) =>
  c
    .addOption(settingRulesOption())
    .option('--ring-bytes <n>', 'ring buffer size in bytes (a power of two)', (v) => Number(v))
    .addOption(cgroupHierarchyOption())
    .option('--docker-socket <path>', "the Docker engine's socket, for container names, images and labels", '/var/run/docker.sock')
    .option('--no-docker', 'do not ask Docker for container metadata')
    .option(
      '--cri-socket <path...>',
      'CRI runtimes (containerd, CRI-O) to ask for container and pod metadata (default: those of /run/containerd/containerd.sock, /run/crio/crio.sock, /run/k3s/containerd/containerd.sock that exist)',
    )
    .option('--k8s-api <url>', 'a Kubernetes API server to ask for pod and namespace labels (default: in a pod, its own cluster)')
    .option('--kubeconfig <path>', 'a kubeconfig for the Kubernetes API server')
    .option('--k8s-node <name>', "this host's node name, to follow only its pods (default: $NODE_NAME)")
    .option(
      '--metadata-wait <ms>',
      "how long an alert from a container not yet known by its runtime waits for its metadata before it goes out without it (0: never wait)",
      numberIn('a whole number of milliseconds, 0 or more', (n) => Number.isInteger(n) && n >= 0),
      1000,
    )
    .option('--no-append-output', "do not append the container and pod fields to every alert (Falco's append_output)")
    .option('--no-watch-config-files', "do not reload the rules when their files change (Falco's watch_config_files; SIGHUP still reloads)")
    .option(
      '--drop-alert-threshold <fraction>',
      "alert when more than this fraction of a second's events was dropped (0: any drop; Falco's default 0.1)",
      numberIn('a fraction from 0 up to (not including) 1', (n) => n >= 0 && n < 1),
    )
    .option(
      '--drop-alert-interval <seconds>',
      'at most one drop alert per this many seconds (default 30); every drop is logged and counted',
      numberIn('a number of seconds, 0 or more', (n) => n >= 0),
    )
    .option(
      '--stats-interval <seconds>',
      'log the counters (events, alerts, drops, per-channel deliveries) every this many seconds (default 60; 0: never)',
      numberIn('a whole number of seconds, 0 or more', (n) => Number.isInteger(n) && n >= 0),
    );

function run(action: () => number | Promise<number>): void {
  Promise.resolve()
    .then(action)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        if (err instanceof UsageError) {
          process.stderr.write(`falconet: ${err.message}\n`);
          process.exitCode = 2;
        } else {
          process.stderr.write(`falconet: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
          process.exitCode = 70;
        }
      },
    );
}

program
  .command('validate')
  .description("check a config file and the rules it names (or -r's) without starting the probe, reporting every problem with its file:line:col (Falco's --dry-run)")
  .addOption(configOption())
  .addOption(settingRulesOption())
  .addOption(overrideOption())
  .option('-q, --quiet', 'errors only, no warnings')
  .action((_o: unknown, cmd: Command) => run(async () => (await import('./validate.js')).validate(given(cmd))));

alertOptions(
  runSettingOptions(
    program
      .command('config')
      .description("print the effective configuration as YAML, each value with where it came from (default, a file:line:col, a flag, an -o option); takes run's flags, to show what they change"),
  ),
).action((_o: unknown, cmd: Command) => run(async () => (await import('./config.js')).printConfig(given(cmd))));

program
  .command('list-rules')
  .description('list the loaded rules with their priority and event types')
  .addOption(rulesOption())
  .option('--json', 'as JSON')
  .action((o: { rules: string[]; json?: boolean }) => run(async () => (await import('./list-rules.js')).listRules(o)));

program
  .command('list-fields')
  .description('list every field conditions and outputs can use')
  .option('--json', 'as JSON')
  .option('--available', 'only the fields falconet fills')
  .action((o: { json?: boolean; available?: boolean }) => run(async () => (await import('./list-fields.js')).listFields(o)));

alertOptions(
  program
    .command('replay')
    .description('run a recorded event file (JSON Lines) through the rules')
    .argument('<file>', 'event file, as written by `falconet capture`')
    .addOption(settingRulesOption())
    .option('-q, --quiet', 'no progress or summary on stderr')
    .option('--no-append-output', "do not append the container and pod fields to every alert (Falco's append_output)"),
).action((file: string, _o: unknown, cmd: Command) =>
  run(async () => (await import('./replay.js')).replay(file, given(cmd))),
);

alertOptions(
  runSettingOptions(program.command('run').description('watch this host live with the rules (root)')).option(
    '--duration <seconds>',
    'stop after this many seconds',
    (v) => Number(v),
  ),
).action((_o: unknown, cmd: Command) => run(async () => (await import('./run.js')).runLive(given(cmd))));

program
  .command('capture')
  .description('record live events with the process table to a file for `replay`')
  .requiredOption('-w, --write <file>', 'the event file to write')
  .option('-r, --rules <file...>', 'capture only the event types these rules need (default: every type)')
  .option('--duration <seconds>', 'stop after this many seconds', (v) => Number(v))
  .addOption(cgroupHierarchyOption())
  .addOption(
    new Option('--format <format>', 'raw: the probe\'s batches as delivered, decoded by `replay`; json: one event line a record')
      .choices(['raw', 'json'])
      .default('raw'),
  )
  .action((o: import('./capture.js').CaptureOptions) => run(async () => (await import('./capture.js')).capture(o)));

program.parseAsync().catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // commander has printed the message (and the help) already; --help and --version end with 0
    process.exitCode = err.exitCode === 0 ? 0 : 2;
    return;
  }
  process.stderr.write(`falconet: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
