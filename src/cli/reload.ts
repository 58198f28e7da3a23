// Hot reload of the rules and the config, as Falco's watch_config_files and better: when a rules or
// config file changes (a file watcher) or on SIGHUP, the new ruleset is built beside the running one and, only if it
// loads without errors, swapped in between two batches, with the probe's captured event types
// updated in place (no detach, no restart: no event is dropped and no alert lost). A broken change
// keeps the old rules, logs the positioned errors and raises an internal alert.

import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { formatDiagnostic, summarizeDiagnostics } from '../rules/index.js';
import type { CompiledRules } from '../rules/compiler/index.js';
import type { Loaded } from './rule-files.js';

export interface ReloadLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ReloadOptions {
  /** The rule files and directories, and the config files, to watch. */
  paths: readonly string[];
  /** Loads the rules anew (throws a UsageError when a file cannot be read). */
  load(): Loaded;
  /** Puts a good ruleset to work: the engine's swap and the probe's event types. Returns warnings. */
  apply(ruleset: CompiledRules): string[];
  /** A reload that failed: the message for the internal alert. */
  failed(message: string): void;
  log: ReloadLog;
  /** Told each reload's outcome (the metrics count them). */
  onResult?(ok: boolean): void;
  /** Changes closer together than this make one reload (editors write a file in several steps). */
  debounceMs?: number;
}

export interface ReloadCounts {
  ok: number;
  failed: number;
}

export class RulesReloader {
  readonly counts: ReloadCounts = { ok: 0, failed: 0 };
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly onHup = () => this.reload('SIGHUP');
  private paths: readonly string[];
  private watching = false;

  constructor(private readonly o: ReloadOptions) {
    this.paths = o.paths;
  }

  /** Watches these paths from now on (a reload changed rules_files or config_files). */
  repath(paths: readonly string[]): void {
    if (paths.length === this.paths.length && paths.every((p, i) => p === this.paths[i])) return;
    this.paths = paths;
    if (!this.watching) return;
    for (const w of this.watchers.splice(0)) w.close();
    this.watchPaths();
  }

  /** Reloads on SIGHUP and, with `watchFiles`, when the paths change (watched through their directories, so a file replaced by rename is still seen). */
  start(watchFiles: boolean): void {
    process.on('SIGHUP', this.onHup);
    if (!watchFiles) return;
    this.watching = true;
    this.watchPaths();
  }

  private watchPaths(): void {
    const dirs = new Map<string, Set<string> | 'all'>();
    for (const p of this.paths.map((x) => resolve(x))) {
      // A directory of rules: any change in it; a file: changes of that name in its directory.
      if (isDir(p)) dirs.set(p, 'all');
      else {
        const d = dirname(p);
        const cur = dirs.get(d);
        if (cur !== 'all') dirs.set(d, new Set([...(cur ?? []), basename(p)]));
      }
    }
    for (const [dir, names] of dirs) {
      try {
        const w = watch(dir, (_event, file) => {
          // A ConfigMap mounted by the kubelet changes by swapping its `..data` symlink, not the file.
          if (names === 'all' || (file !== null && (names.has(String(file)) || String(file).startsWith('..data')))) this.schedule();
        });
        w.on('error', (err) => this.o.log.warn({ dir, err: err.message }, 'cannot watch a rules directory any more'));
        this.watchers.push(w);
      } catch (err) {
        this.o.log.warn({ dir, err: (err as Error).message }, 'cannot watch a rules directory: changes there need a SIGHUP');
      }
    }
  }

  stop(): void {
    this.watching = false;
    clearTimeout(this.timer);
    for (const w of this.watchers.splice(0)) w.close();
    process.off('SIGHUP', this.onHup);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload('file changed'), this.o.debounceMs ?? 200);
  }

  /** Builds the new ruleset and swaps it in if it loads cleanly; true when it did. */
  reload(reason: string): boolean {
    let loaded: Loaded;
    try {
      loaded = this.o.load();
    } catch (err) {
      return this.fail(reason, (err as Error).message, []);
    }
    if (!loaded.ok) {
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      const first = formatDiagnostic(errors[0]!).split('\n')[0]!;
      return this.fail(reason, `${first}${errors.length > 1 ? ` (${summarizeDiagnostics(errors)})` : ''}`, errors.map(formatDiagnostic));
    }
    let warnings: string[];
    try {
      warnings = this.o.apply(loaded.ruleset);
    } catch (err) {
      return this.fail(reason, `the new rules could not be put to work: ${(err as Error).message}`, []);
    }
    this.counts.ok++;
    this.o.onResult?.(true);
    this.o.log.info({ reason, rules: loaded.ruleset.rules().length, warnings }, 'rules reloaded');
    return true;
  }

  private fail(reason: string, message: string, errors: string[]): boolean {
    this.counts.failed++;
    this.o.onResult?.(false);
    this.o.log.error({ reason, errors: errors.length ? errors : [message] }, 'reload failed; the running rules and settings stay in force');
    this.o.failed(message);
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
