/** The dispose contract: dispose waits for the calls already running; later calls reject with ModelDisposedError. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ModelDisposedError } from '@eolgul/core';
import { createCallGate } from '@eolgul/runtime';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createCallGate', () => {
  it('frees only after the running calls settle, once, and refuses later calls', async () => {
    const gate = createCallGate('test model');
    const events: string[] = [];
    const running = [1, 2, 3].map((i) =>
      gate.run(async () => {
        await tick(10 * i);
        events.push(`call ${i}`);
        return i;
      }),
    );
    const closed = gate.close(async () => {
      events.push('freed');
    });
    expect(gate.close(async () => events.push('freed twice'))).toBe(closed);
    await expect(Promise.all(running)).resolves.toEqual([1, 2, 3]);
    await closed;
    expect(events).toEqual(['call 1', 'call 2', 'call 3', 'freed']);
    const err = await gate.run(async () => 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelDisposedError);
    expect(err).toBeInstanceOf(InvalidArgumentError); // code that caught misuse before keeps catching it
    expect((err as ModelDisposedError).code).toBe('MODEL_DISPOSED');
    expect((err as Error).message).toBe('this test model was disposed; create a new one');
  });

  it('a failing call still lets dispose go on', async () => {
    const gate = createCallGate('test model');
    const failing = gate.run(async () => {
      await tick(5);
      throw new Error('boom');
    });
    const closed = gate.close(async () => {});
    await expect(failing).rejects.toThrow('boom');
    await expect(closed).resolves.toBeUndefined();
  });
});
