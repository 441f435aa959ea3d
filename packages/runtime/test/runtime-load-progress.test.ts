/**
 * Loading with progress: from files (Node reports each file's size once read) and over real HTTP on 127.0.0.1 (bytes
 * counted as they arrive, as the browser build does), with the same model as the result.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '@eolgul/core';
import { modelPath } from '@eolgul/models/node';
import { loadModel, type LoadProgress } from '@eolgul/runtime';

const ONET = modelPath('mtcnn-onet');
const input = { input: { data: new Float32Array(3 * 48 * 48).fill(0.25), dims: [1, 3, 48, 48] } };

let server: Server;
let base = '';
beforeAll(async () => {
  const onet = await readFile(ONET);
  server = createServer((req, res) => {
    if (req.url === '/chunked/mtcnn-onet.onnx' || req.url === '/sized/mtcnn-onet.onnx') {
      // /chunked: no Content-Length (the size is unknown until the end); /sized: with it. 64 KiB writes.
      res.writeHead(200, req.url.startsWith('/sized') ? { 'Content-Length': String(onet.length) } : {});
      for (let o = 0; o < onet.length; o += 65536) res.write(onet.subarray(o, o + 65536));
      res.end();
    } else {
      res.writeHead(404).end('no such file');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function outputs(source: string, onProgress?: (p: LoadProgress) => void) {
  const m = await loadModel(source, { onProgress });
  try {
    return Array.from((await m.run(input)).points.data);
  } finally {
    await m.dispose();
  }
}

describe('loadModel onProgress', () => {
  it("reports a local file's size once it is read, and loads the same model", async () => {
    const seen: LoadProgress[] = [];
    const got = await outputs(ONET, (p) => seen.push(p));
    const size = (await readFile(ONET)).length;
    expect(seen).toEqual([{ file: 'mtcnn-onet.onnx', loaded: size, total: size }]);
    expect(got).toEqual(await outputs(ONET));
  });

  it('counts the bytes of a download as they arrive, with and without Content-Length', async () => {
    const size = (await readFile(ONET)).length;
    const reference = await outputs(ONET);
    for (const kind of ['sized', 'chunked']) {
      const seen: LoadProgress[] = [];
      expect(await outputs(`${base}/${kind}/mtcnn-onet.onnx`, (p) => seen.push(p))).toEqual(reference);
      expect(seen.length, kind).toBeGreaterThan(2);
      for (let i = 1; i < seen.length; i++) expect(seen[i].loaded).toBeGreaterThanOrEqual(seen[i - 1].loaded);
      for (const p of seen) {
        expect(p.file).toBe('mtcnn-onet.onnx');
        expect(p.loaded).toBeLessThanOrEqual(p.total);
      }
      expect(seen.at(-1)).toEqual({ file: 'mtcnn-onet.onnx', loaded: size, total: size });
      if (kind === 'sized') expect(seen.every((p) => p.total === size)).toBe(true);
    }
  });

  it("uses the caller's sizeHint as the total when the server sends no length", async () => {
    const size = (await readFile(ONET)).length;
    const seen: LoadProgress[] = [];
    const m = await loadModel(`${base}/chunked/mtcnn-onet.onnx`, { onProgress: (p) => seen.push(p), sizeHint: size });
    await m.dispose();
    expect(seen.every((p) => p.total === size)).toBe(true);
  });

  it('reports every file of a tfjs model: model.json, then its weights', async () => {
    const seen: LoadProgress[] = [];
    const m = await loadModel(modelPath('facemesh'), { backend: 'tfjs', onProgress: (p) => seen.push(p) });
    await m.dispose();
    expect(seen.map((p) => p.file)).toEqual(['facemesh.json', 'facemesh.bin']);
    for (const p of seen) expect(p.loaded).toBe(p.total);
  });

  it('refuses a missing file on the server with ModelLoadError naming the URL and the status', async () => {
    const err = await loadModel(`${base}/nope/fr_detect.onnx`, { onProgress: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toContain(`${base}/nope/fr_detect.onnx`);
    expect((err as Error).message).toContain('404');
  });
});
