// The head-turn challenge's logic on hand-made frame sequences (times in ms, yaw in degrees).
import { describe, expect, it } from 'vitest';
import { createHeadTurnChallenge } from '../src/index.js';

const run = (frames: [time: number, yaw: number | undefined, faceCount?: number][], options = {}) => {
  const c = createHeadTurnChallenge(options);
  for (const [time, yaw, faceCount = yaw === undefined ? 0 : 1] of frames) c.update({ time, yaw, faceCount });
  return c.status;
};

describe('createHeadTurnChallenge', () => {
  it('passes a face that looks ahead, turns to one side, then to the other', () => {
    const s = run([
      [0, 3],
      [100, 2],
      [600, 14],
      [900, 26],
      [1400, 5],
      [1900, -22],
    ]);
    expect(s).toMatchObject({ state: 'passed', firstSide: 1, elapsedMs: 1900 });
  });

  it('either side may come first; frames without a face in between are skipped', () => {
    expect(
      run([
        [0, -4],
        [500, -30],
        [700, undefined],
        [900, undefined],
        [1300, 25],
      ]).state,
    ).toBe('passed');
  });

  it('a still photo (one yaw, slightly jittering) never passes and fails after the time limit', () => {
    const frames: [number, number][] = [];
    for (let t = 0; t <= 9000; t += 100) frames.push([t, 4 + Math.sin(t) * 1.5]);
    expect(run(frames)).toMatchObject({ state: 'failed', reason: 'timeout' });
  });

  it('turning twice to the same side is not enough', () => {
    expect(
      run([
        [0, 0],
        [500, 25],
        [1000, 0],
        [1500, 28],
        [9000, 30],
      ]),
    ).toMatchObject({ state: 'failed' });
  });

  it('a second face fails it; a finished challenge keeps its result', () => {
    const c = createHeadTurnChallenge();
    c.update({ time: 0, yaw: 0, faceCount: 1 });
    expect(c.update({ time: 100, yaw: 0, faceCount: 2 })).toMatchObject({ state: 'failed', reason: 'several-faces' });
    expect(c.update({ time: 200, yaw: 30, faceCount: 1 }).state).toBe('failed');
  });

  it('another person (embedding far from the start frame) fails it', () => {
    const a = new Float32Array([1, 0]);
    const b = new Float32Array([0, 1]); // L2 distance 1.41 > 1.1
    const c = createHeadTurnChallenge();
    c.update({ time: 0, yaw: 0, faceCount: 1, embedding: a });
    expect(c.update({ time: 500, yaw: 25, faceCount: 1, embedding: b })).toMatchObject({ reason: 'another-person' });
  });

  it('refuses limits that make no sense', () => {
    expect(() => createHeadTurnChallenge({ turnYaw: 10, frontalYaw: 15 })).toThrow(/frontalYaw/);
    expect(() => createHeadTurnChallenge({ timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
  });
});
