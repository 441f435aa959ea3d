import { describe, expect, it } from 'vitest';
import { mkdtemp, copyFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cli, DATA } from './cli-helpers.js';

const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('eolgul watch <video>', () => {
  it('identifies an enrolled person frame by frame and calls a stranger unknown', async () => {
    expect(hasFfmpeg, 'ffmpeg is needed (apt-get install ffmpeg); .ci/run installs it').toBe(true);
    const tmp = await mkdtemp(join(tmpdir(), 'eolgul-watch-'));
    const g = join(tmp, 'gallery');
    const tom = (await readdir(join(DATA, 'gallery', 'Tom_Hanks'))).map((f) => join(DATA, 'gallery', 'Tom_Hanks', f));
    expect((await cli('enroll', '--gallery', g, '--name', 'Tom_Hanks', ...tom)).code).toBe(0);
    // A 10-frame video at 5 fps: frames 0–4 Tom Hanks (a probe photo not enrolled), frames 5–9 Meryl Streep.
    const frames = join(tmp, 'frames');
    execFileSync('mkdir', ['-p', frames]);
    for (let i = 0; i < 10; i++) {
      await copyFile(
        join(DATA, 'probes', i < 5 ? 'Tom_Hanks_0008.jpg' : 'Meryl_Streep_0001.jpg'),
        join(frames, `f${String(i).padStart(3, '0')}.jpg`),
      );
    }
    const video = join(tmp, 'clip.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-framerate',
      '5',
      '-i',
      join(frames, 'f%03d.jpg'),
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-vf',
      'scale=250:250',
      video,
    ]);

    const r = await cli('watch', video, '--gallery', g, '--json');
    expect(r.code, r.err.join('\n')).toBe(0);
    const out = r.out.filter((l) => l.trim()).map((l) => JSON.parse(l));
    expect(out.map((f) => f.frame)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(out[2].time).toBeCloseTo(0.4, 3);
    for (const f of out) {
      const central = f.faces.reduce((a: { box: number[] }, b: { box: number[] }) => (d(a.box) < d(b.box) ? a : b));
      expect(central.identity, `frame ${f.frame}`).toBe(f.frame < 5 ? 'Tom_Hanks' : null);
    }
    const every = await cli('watch', video, '--gallery', g, '--json', '--every', '3');
    expect(every.out.filter((l) => l.trim()).map((l) => JSON.parse(l).frame)).toEqual([0, 3, 6, 9]);
  });

  it('names a file that is not a video', async () => {
    const r = await cli('watch', join(DATA, 'README.md'), '--gallery', join(tmpdir(), 'none'), '--json');
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/README\.md/);
  });
});

function d(box: number[]) {
  return Math.hypot(box[0] + box[2] / 2 - 125, box[1] + box[3] / 2 - 125);
}
