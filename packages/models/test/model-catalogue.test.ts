/** The catalogue against the files this package ships, where models are, which files a configuration needs, copying. */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@eolgul/core';
import {
  MODEL_FILES,
  MODELS,
  SERVED_FILES,
  defaultModelBase,
  modelFilesFor,
  modelLocation,
  modelPath as deprecatedModelPath,
  modelUrl,
  modelsFor,
  type ModelName,
} from '@eolgul/models';
import { copyModelFiles, modelPath, modelsDir } from '@eolgul/models/node';

const temp: string[] = [];
afterAll(async () => {
  for (const d of temp) await rm(d, { recursive: true, force: true });
});

describe('MODELS', () => {
  it('lists every shipped file with its size in bytes, and the package ships nothing it does not list', async () => {
    const listed = Object.values(MODELS).flatMap((m) => m.files);
    for (const f of listed) expect((await stat(join(modelsDir(), f.name))).size, f.name).toBe(f.bytes);
    const shipped = (await readdir(modelsDir())).filter((f) => f !== 'NOTICE.md').sort();
    expect(listed.map((f) => f.name).sort()).toEqual(shipped);
  });

  it('names a backend that fits each file, and the embedder its calibrated threshold', () => {
    for (const [name, m] of Object.entries(MODELS)) {
      expect(m.files[0].name.endsWith(m.backend === 'onnx' ? '.onnx' : '.json'), name).toBe(true);
      expect(m.licence, name).toMatch(/MIT/);
    }
    expect(MODELS.embedder.embedding).toEqual({ dimension: 512, threshold: 1.1, modelId: 'faceplugin-fr_feature-512' });
  });
});

describe('modelLocation', () => {
  it('joins one base folder (path, URL or URL string) with the file of the model', () => {
    expect(modelLocation('rfb320', '/static/models')).toBe('/static/models/fr_detect.onnx');
    expect(modelLocation('facemesh', 'https://cdn.example/m')).toBe('https://cdn.example/m/facemesh.json');
    expect(modelLocation('embedder', new URL('https://app.example/a/models/'))).toBe(
      'https://app.example/a/models/fr_feature.onnx',
    );
    expect(modelLocation('emotion-rgb224', 'models/')).toBe('models/fr_expression.onnx');
  });

  it('defaults, in Node, to the files shipped in this package', async () => {
    expect(defaultModelBase()).toBe(modelsDir());
    for (const name of Object.keys(MODELS) as ModelName[]) {
      expect(modelLocation(name)).toBe(modelPath(name));
      expect((await stat(modelLocation(name))).isFile()).toBe(true);
    }
  });

  it('keeps the earlier names and helpers working', () => {
    expect(modelPath('detector')).toBe(modelPath('rfb320'));
    expect(deprecatedModelPath('landmarks')).toBe(modelPath('landmarks68'));
    expect(MODEL_FILES.expression).toBe('fr_expression.onnx');
    expect(MODEL_FILES.emotion).toBe('emotion.json');
    expect(modelUrl('embedder', '/models')).toBe('/models/fr_feature.onnx');
    expect(SERVED_FILES).toHaveLength(16); // 15 earlier files and the int8 embedder
    expect(SERVED_FILES).toContain('fr_feature.int8.onnx');
  });

  it('refuses a name that is not in the catalogue, naming the ones that are', () => {
    expect(() => modelLocation('facenet-v0' as ModelName)).toThrow(InvalidArgumentError);
    expect(() => modelLocation('facenet-v0' as ModelName)).toThrow(/rfb320/);
  });
});

describe('modelFilesFor', () => {
  it('lists exactly the files of each configuration', () => {
    expect(modelFilesFor()).toEqual([
      'fr_detect.onnx',
      'mtcnn-rnet.onnx',
      'mtcnn-onet.onnx',
      'fr_landmark.onnx',
      'fr_feature.onnx',
    ]);
    expect(modelFilesFor({ landmarks: 'landmarks68' })).toEqual([
      'fr_detect.onnx',
      'fr_landmark.onnx',
      'fr_feature.onnx',
    ]);
    expect(modelFilesFor({ landmarks: 'mesh', embedder: false })).toEqual([
      'fr_detect.onnx',
      'fr_landmark.onnx',
      'facemesh.json',
      'facemesh.bin',
    ]);
    expect(modelFilesFor({ detector: 'mtcnn', emotion: 'fast' })).toEqual([
      'mtcnn-pnet.onnx',
      'mtcnn-rnet.onnx',
      'mtcnn-onet.onnx',
      'fr_feature.onnx',
      'emotion.json',
      'emotion.bin',
    ]);
    expect(modelsFor({ detector: 'fr_detect', emotion: true })).toEqual([
      'rfb320',
      'mtcnn-rnet',
      'mtcnn-onet',
      'landmarks68',
      'embedder',
      'emotion-mini-xception',
      'emotion-rgb224',
    ]);
    expect(modelsFor({ detector: 'mtcnn', withLandmarks68: true, embedder: false })).toContain('landmarks68');
    expect(modelFilesFor({ landmarks: 'landmarks68', liveness: true })).toEqual([
      'fr_detect.onnx',
      'fr_landmark.onnx',
      'fr_feature.onnx',
      'fr_liveness.onnx',
    ]);
    expect(modelFilesFor({ landmarks: 'landmarks68', precision: 'int8' })).toEqual([
      'fr_detect.onnx',
      'fr_landmark.onnx',
      'fr_feature.int8.onnx',
    ]);
    expect(modelsFor({ embedder: false, landmarks: 'landmarks68', attributes: true })).toEqual([
      'rfb320',
      'landmarks68',
      'age-gender',
      'head-pose',
      'eye-state',
    ]);
  });

  it('refuses unknown values', () => {
    expect(() => modelFilesFor({ detector: 'yolo' as 'mtcnn' })).toThrow(InvalidArgumentError);
    expect(() => modelFilesFor({ landmarks: 'none' as 'onet' })).toThrow(InvalidArgumentError);
    expect(() => modelFilesFor({ emotion: 'slow' as 'fast' })).toThrow(InvalidArgumentError);
    expect(() => modelFilesFor({ precision: 'fp16' as 'int8' })).toThrow(/precision must be 'fp32' or 'int8'/);
  });
});

describe('copyModelFiles', () => {
  it("copies a configuration's files, the notices and onnxruntime-web's wasm; tfjs's wasm only with a tfjs model", async () => {
    const dest = await mkdtemp(join(tmpdir(), 'eolgul-models-'));
    temp.push(dest);
    const written = await copyModelFiles(dest, modelsFor());
    expect(written.sort()).toEqual(
      [...modelFilesFor(), 'NOTICE.md', 'ort/ort-wasm-simd-threaded.wasm', 'ort/ort-wasm-simd-threaded.mjs'].sort(),
    );
    for (const f of written) expect((await stat(join(dest, f))).size).toBeGreaterThan(0);
    expect((await stat(join(dest, 'fr_feature.onnx'))).size).toBe(MODELS.embedder.files[0].bytes);
    expect(await readdir(dest)).not.toContain('tfjs');

    const withMesh = await copyModelFiles(dest, modelsFor({ landmarks: 'mesh' }));
    expect(withMesh.filter((f) => f.startsWith('tfjs/')).sort()).toEqual([
      'tfjs/tfjs-backend-wasm-simd.wasm',
      'tfjs/tfjs-backend-wasm-threaded-simd.wasm',
      'tfjs/tfjs-backend-wasm.wasm',
    ]);
    expect((await readdir(join(dest, 'tfjs'))).length).toBe(3);
  });

  it('refuses an unknown model before copying anything', async () => {
    const dest = join(tmpdir(), `eolgul-models-none-${process.pid}`);
    await expect(copyModelFiles(dest, ['nope' as ModelName])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(stat(dest)).rejects.toThrow();
  });
});
