import { GALLERY_KERNEL_WASM_BASE64 } from './gallery-kernel-wasm.js';

/**
 * The WebAssembly SIMD dot-product kernel (`kernel/gallery-kernel.wat`, 350 bytes): `dots(data, rows, D, probe, out)`
 * writes `out[r] = Σ_j data[r·D + j] · probe[j]` for `rows` rows, accumulating in float32 over 16 lanes; D must be a
 * multiple of 16. The gallery's matrix lives inside the kernel's memory (so the search reads it in place), laid out as:
 *
 * | bytes | content |
 * | --- | --- |
 * | `[0, 256 KiB)` | probes (a batch of up to 256 KiB / (4·D) probes) |
 * | `[256 KiB, 384 KiB)` | `out`: up to 32768 float32 results |
 * | `[384 KiB, …)` | the matrix `[capacity, D]` float32 (at most ~4 GiB in total) |
 *
 * The memory is never grown: `memory.grow` detaches the old `ArrayBuffer`, and the first detach in a process makes V8
 * drop an optimisation for every typed-array loop of the process (measured: a plain `Float32Array` sum 1.5 → 2.4 ms).
 * A larger matrix gets a new kernel instance instead, and the rows are copied (amortised by doubling).
 *
 * Used only where WebAssembly SIMD is available (Node ≥ 16.4, current browsers); otherwise, or for D not a multiple of
 * 16, or above {@link KERNEL_MAX_DATA_BYTES}, the plain TypeScript kernel runs. `EOLGUL_GALLERY_KERNEL=js` forces it.
 * @module
 */

export const KERNEL_PROBE_OFF = 0;
export const KERNEL_PROBE_BYTES = 256 * 1024;
export const KERNEL_OUT_OFF = 256 * 1024;
export const KERNEL_OUT_FLOATS = 32 * 1024;
export const KERNEL_DATA_OFF = 384 * 1024;
const PAGE = 65536;
/** Largest matrix kept in WebAssembly memory (wasm32: 4 GiB minus the header and a page of slack). */
export const KERNEL_MAX_DATA_BYTES = 65535 * PAGE - KERNEL_DATA_OFF;

let compiled: WebAssembly.Module | null | undefined;

function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    const env = typeof process !== 'undefined' ? process.env?.EOLGUL_GALLERY_KERNEL : undefined;
    if (env === 'js' || typeof WebAssembly === 'undefined') return compiled;
    const bin = atob(GALLERY_KERNEL_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

/** One kernel instance with its own memory, holding one matrix. */
export class KernelMemory {
  private constructor(
    private readonly memory: WebAssembly.Memory,
    /** The kernel function (see module doc). */
    readonly dots: (data: number, rows: number, D: number, probe: number, out: number) => void,
  ) {}

  /** A kernel whose memory holds `dataBytes` of matrix, or `null` when the kernel cannot be used. */
  static create(dataBytes: number, dimension: number): KernelMemory | null {
    if (dimension % 16 !== 0 || dataBytes > KERNEL_MAX_DATA_BYTES) return null;
    const mod = kernelModule();
    if (!mod) return null;
    try {
      const memory = new WebAssembly.Memory({ initial: Math.ceil((KERNEL_DATA_OFF + dataBytes) / PAGE) });
      const instance = new WebAssembly.Instance(mod, { env: { mem: memory } });
      return new KernelMemory(memory, instance.exports.dots as KernelMemory['dots']);
    } catch {
      return null;
    }
  }

  /** A float32 view of the memory. */
  f32(byteOffset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, byteOffset, length);
  }
}
