// The config files on disk: the main one (-c PATH, else /etc/falconet/falconet.yaml when it exists)
// and those its `config_files` names, as Falco reads them: in order after the main file, a directory
// giving its .yaml/.yml files sorted by name, relative paths taken from the main file's directory,
// an entry that does not exist skipped with a warning.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseConfigFile, type ConfigFile, type Env } from './file.js';
import { ConfigError } from './resolve.js';

export const DEFAULT_CONFIG = '/etc/falconet/falconet.yaml';

export interface ConfigFiles {
  /** One layer per file: the main file first, then config_files in order (later wins). */
  layers: ConfigFile[];
  /** Every file read, for a watcher. */
  files: string[];
  warnings: string[];
}

export interface ReadConfigOptions {
  /** -c PATH: it must exist. Absent: DEFAULT_CONFIG, when it exists. */
  path?: string;
  env?: Env;
  defaultPath?: string;
}

export function readConfigFiles(opts: ReadConfigOptions = {}): ConfigFiles {
  const env = opts.env ?? process.env;
  const main = opts.path ?? opts.defaultPath ?? DEFAULT_CONFIG;
  if (opts.path === undefined && !existsSync(main)) return { layers: [], files: [], warnings: [] };
  const first = readOne(main, env, opts.path !== undefined ? `-c ${opts.path}` : main);
  const out: ConfigFiles = { layers: [first], files: [main], warnings: [...first.warnings] };

  const entries = first.values.config_files;
  // A value of the wrong shape is the schema's to report, with its position.
  if (!Array.isArray(entries)) return out;
  entries.forEach((entry, i) => {
    if (typeof entry !== 'string' || entry === '') return;
    const where = first.origin(['config_files', i]);
    const path = resolve(dirname(main), entry);
    if (path === resolve(main)) {
      out.warnings.push(`${where}: config_files names the main config file itself; skipped`);
      return;
    }
    if (!existsSync(path)) {
      out.warnings.push(`${where}: config_files entry '${entry}' does not exist; skipped`);
      return;
    }
    const files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(path, f))
          .filter((f) => statSync(f).isFile())
      : [path];
    for (const file of files) {
      const layer = readOne(file, env, file);
      out.warnings.push(...layer.warnings);
      if ('config_files' in layer.values) {
        // As Falco: no nesting, which would make the merge order hard to follow.
        out.warnings.push(`${layer.origin(['config_files'])}: config_files is read from the main config file only; ignored`);
        delete layer.values.config_files;
      }
      out.layers.push(layer);
      out.files.push(file);
    }
  });
  return out;
}

function readOne(path: string, env: Env, named: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, not a config file' : err.message;
    throw new ConfigError([`${named}: cannot read the config file: ${why}`]);
  }
  return parseConfigFile(text, path, env);
}
