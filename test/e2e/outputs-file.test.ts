// file_output through `falconet run` on the live host: alerts from real opens of files with hostile
// names land in the file, one escaped line each, the same as on stdout; missing parent directories
// are made; the file follows logrotate's rotations (rename and create, copytruncate) and SIGUSR1,
// losing nothing; and a file that cannot be written (a read-only file system, a full one) costs
// that channel only: falconet keeps running, stdout gets every alert, the error names the setting,
// the path and the errno, and the exit stats count every undelivered alert.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { HOSTILE, linesOf, Run, type FileName } from './alerting.js';
import { kernelTestsPossible, until } from './env.js';

const why = kernelTestsPossible();

/** The files falconet holds open. */
function openFiles(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** A Run (alerting on opens under `dir/w/`) writing file_output to `file`. */
type FileRun = Run & { readonly file: string };

/** Starts a Run in `dir` with file_output on, to `filename(dir)`. */
async function startFile(filename: (dir: string) => string, options: string[] = [], dir = tempDir()): Promise<FileRun> {
  const file = filename(dir);
  const run = await Run.start(['file_output.enabled=true', `file_output.filename=${file}`, ...options], dir);
  return Object.assign(run, { file });
}

/** Triggers `names` and waits until `file` holds their lines as its last ones. */
async function landed(run: FileRun, names: FileName[], file = run.file): Promise<string[]> {
  const lines = await run.trigger(names);
  await until(() => linesOf(file).slice(-lines.length).join('\n') === lines.join('\n'), 5_000);
  expect(linesOf(file).slice(-lines.length), run.live.out.stderr).toEqual(lines);
  return lines;
}

const plain = (what: string, n: number) => Array.from({ length: n }, (_, i) => `${what}-${i}`);

describe('file_output (falconet run, live kernel)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  describe('keep_alive=false, into directories that do not exist yet', () => {
    let run: FileRun | undefined;

    beforeAll(async () => {
      if (why) return;
      run = await startFile((dir) => join(dir, 'not', 'yet', 'there', 'events.txt'));
    });

    afterAll(async () => {
      await run?.live.stop();
    });

    it('makes the directories and appends every alert, escaped, the same lines as stdout', async () => {
      expect(existsSync(join(run!.dir, 'not'))).toBe(false);
      const lines = await landed(run!, HOSTILE.map((h) => h.name));
      HOSTILE.forEach((h, i) => expect(lines[i]).toContain(`: Warning opened ${run!.watched}/${h.escaped} by `));
      expect(linesOf(run!.file)).toEqual(lines);
      expect(readFileSync(run!.file, 'utf8')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202e\ufffd]/);
      // the file is opened for each write, never held
      expect(openFiles(run!.pid)).not.toContain(run!.file);
    });

    it('follows a rename-and-create rotation, losing nothing', async () => {
      const before = linesOf(run!.file);
      renameSync(run!.file, `${run!.file}.1`);
      writeFileSync(run!.file, '', { flag: 'wx' });
      const after = await landed(run!, plain('after-rename', 3));
      expect(linesOf(run!.file)).toEqual(after);
      expect([...linesOf(`${run!.file}.1`), ...linesOf(run!.file)]).toEqual(run!.lines());
      expect(before.length + after.length).toBe(run!.lines().length);
      const stats = await run!.stop();
      expect(stats.file).toMatchObject({ sent: run!.lines().length, failed: 0, dropped: 0, unsent: 0 });
    });
  });

  describe('keep_alive=true: rotations and SIGUSR1', () => {
    let run: FileRun | undefined;
    const rotated = (n: number) => `${run!.file}.${n}`;

    beforeAll(async () => {
      if (why) return;
      run = await startFile((dir) => join(dir, 'logs', 'falconet', 'events.txt'), ['file_output.keep_alive=true']);
    });

    afterAll(async () => {
      await run?.live.stop();
    });

    it('makes the directories and appends every alert, escaped, holding the file open', async () => {
      const lines = await landed(run!, HOSTILE.map((h) => h.name));
      expect(linesOf(run!.file)).toEqual(lines);
      expect(openFiles(run!.pid)).toContain(run!.file);
    });

    it('follows a rename-and-create rotation: the next alerts land in the new file, the old one is closed', async () => {
      renameSync(run!.file, rotated(1));
      writeFileSync(run!.file, '', { flag: 'wx' });
      const after = await landed(run!, plain('after-rename', 3));
      expect(linesOf(run!.file)).toEqual(after);
      expect(openFiles(run!.pid)).toContain(run!.file);
      expect(openFiles(run!.pid)).not.toContain(rotated(1));
    });

    it('follows a copytruncate rotation: the next alerts start the truncated file, no NUL hole', async () => {
      copyFileSync(run!.file, rotated(2));
      truncateSync(run!.file, 0);
      const after = await landed(run!, plain('after-truncate', 3));
      const text = readFileSync(run!.file, 'utf8');
      expect(text).not.toContain('\0');
      expect(text).toBe(after.join('\n') + '\n');
    });

    it('reopens on SIGUSR1: with the file moved away, the next alerts land in a new file at the path', async () => {
      renameSync(run!.file, rotated(3));
      // still held: nothing was written since
      expect(openFiles(run!.pid)).toContain(rotated(3));
      process.kill(run!.pid, 'SIGUSR1');
      const after = await landed(run!, plain('after-sigusr1', 3));
      expect(run!.live.child.exitCode).toBeNull();
      expect(linesOf(run!.file)).toEqual(after);
      expect(openFiles(run!.pid)).not.toContain(rotated(3));
      // nothing lost, nothing twice, in order, over the four files
      const all = [rotated(1), rotated(2), rotated(3), run!.file].flatMap(linesOf);
      expect(all).toEqual(run!.lines());
      expect(all).toHaveLength(HOSTILE.length + 9);
      const stats = await run!.stop();
      expect(stats.file).toMatchObject({ sent: all.length, failed: 0, dropped: 0, unsent: 0 });
    });
  });

  // Each a tmpfs mounted on a temp dir: read-only, or 16 KiB and filled up before falconet starts.
  for (const c of [
    { what: 'a read-only file system', errno: 'EROFS', mount: 'ro,size=16k' },
    { what: 'a full disk', errno: 'ENOSPC', mount: 'size=16k' },
  ]) {
    describe(`an output file on ${c.what} (${c.errno})`, () => {
      let run: FileRun | undefined;
      let mnt = '';

      beforeAll(async () => {
        if (why) return;
        const dir = tempDir();
        mnt = mountTmpfs(dir, c.mount);
        if (c.errno === 'ENOSPC') fill(mnt, 64 * 1024);
        run = await startFile(() => join(mnt, 'events.txt'), [], dir);
      });

      afterAll(async () => {
        await run?.live.stop();
        unmount(mnt);
      });

      it(`keeps running, stdout gets every alert, the error names the setting, the path and ${c.errno}, the stats count every alert`, async () => {
        const n = 5;
        const lines = await run!.trigger(plain('undeliverable', n));
        expect(lines).toHaveLength(n);
        const failure = failed(run!.file, c.errno);
        await until(() => failure.test(run!.live.out.stderr), 3_000);
        expect(run!.live.out.stderr).toMatch(failure);
        expect(run!.live.child.exitCode).toBeNull();
        expect(linesOf(run!.file)).toEqual([]);
        const stats = await run!.stop();
        expect(stats.file).toMatchObject({ sent: 0, failed: 0, dropped: 0, unsent: n });
        expect(stats.stdout).toMatchObject({ sent: n, dropped: 0, failed: 0, unsent: 0 });
        expect(run!.live.out.stderr).toMatch(new RegExp(`"channel":"file","alerts":${n},"spooled":false,"msg":"alerts not delivered before shutdown are lost"`));
      });
    });
  }

  describe('a disk that fills up while falconet writes, then has room again', () => {
    let run: FileRun | undefined;
    let mnt = '';

    beforeAll(async () => {
      if (why) return;
      const dir = tempDir();
      mnt = mountTmpfs(dir, 'size=16k');
      // 8 KiB left: the alerts below fill it mid-line
      writeFileSync(join(mnt, 'filler'), Buffer.alloc(8 * 1024, 'x'));
      run = await startFile(() => join(mnt, 'events.txt'), [], dir);
    });

    afterAll(async () => {
      await run?.live.stop();
      unmount(mnt);
    });

    it('leaves no torn line and loses nothing: every alert once, whole, in order', async () => {
      // one process creating 30 files: ~330-byte lines, 10 KiB in all (and all of it fits in 16)
      const n = 30;
      const burst = `for (let i = 0; i < ${n}; i++) require('fs').writeFileSync(process.argv[1] + '/fill-' + String(i).padStart(2, '0') + '-' + 'y'.repeat(60), '')`;
      expect(spawnSync(process.execPath, ['-e', burst, run!.watched]).status).toBe(0);
      await until(() => run!.lines().length >= n, 5_000);
      expect(run!.lines()).toHaveLength(n);
      const failure = failed(run!.file, 'ENOSPC');
      await until(() => failure.test(run!.live.out.stderr), 5_000);
      expect(run!.live.out.stderr).toMatch(failure);
      const written = linesOf(run!.file);
      expect(written.length).toBeGreaterThan(0);
      expect(written.length).toBeLessThan(n);
      expect(written).toEqual(run!.lines().slice(0, written.length));
      rmSync(join(mnt, 'filler'));
      await landed(run!, plain('with-room', 3));
      expect(linesOf(run!.file)).toEqual(run!.lines());
      const stats = await run!.stop();
      expect(stats.file).toMatchObject({ sent: n + 3, failed: 0, dropped: 0, unsent: 0 });
    });
  });
});

/** The log line of a failed write to `file`, naming the setting, the path and the errno. */
const failed = (file: string, errno: string) =>
  new RegExp(`"channel":"file","err":"file_output\\.filename ${file}: ${errno}: [^"]*".*"msg":"alert delivery failed; retrying"`);

/** A 16 KiB (or `options`) tmpfs on `dir/mnt`; unmount() it in afterAll. */
function mountTmpfs(dir: string, options: string): string {
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  sh('mount', ['-t', 'tmpfs', '-o', options, 'falconet-test', mnt]);
  return mnt;
}

function unmount(mnt: string): void {
  if (mnt && spawnSync('umount', [mnt]).status !== 0) spawnSync('umount', ['-l', mnt]);
}

/** Writes a file of up to `bytes` into `dir`, until the file system is full. */
function fill(dir: string, bytes: number): void {
  try {
    writeFileSync(join(dir, 'filler'), Buffer.alloc(bytes, 'x'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    return;
  }
  throw new Error(`${dir} took ${bytes} bytes: it is not full`);
}
