/**
 * 2-D DCT-II of square k×k kernels and the JPEG-like quantization of its
 * coefficients. Trained convolution kernels are smooth, so most of their energy
 * lands in the low frequencies; coarser steps for high frequencies turn the small
 * high-frequency coefficients into zeros, which a general compressor removes.
 */
import { roundHalfEven } from '../quantize-weights/math.js';

/** The symmetric int8 range of the stored coefficients (as quantize-weights: -128 unused). */
export const QMAX = 127;

/** Orthonormal DCT-II matrix C (row-major, k×k): C[u][x] = α(u)·cos(π(2x+1)u / 2k), so C·Cᵀ = I. */
export function dctMatrix(k: number): Float64Array {
  const c = new Float64Array(k * k);
  for (let u = 0; u < k; u++) {
    const alpha = Math.sqrt((u === 0 ? 1 : 2) / k);
    for (let x = 0; x < k; x++) c[u * k + x] = alpha * Math.cos((Math.PI * (2 * x + 1) * u) / (2 * k));
  }
  return c;
}

/**
 * The inverse 2-D DCT as one [k², k²] matrix B, so that a row of coefficients
 * (index u·k+v) times B is the flattened spatial kernel (index x·k+y):
 * K = Cᵀ·X·C gives B[(u,v),(x,y)] = C[u][x]·C[v][y], i.e. kron(C, C).
 * With it the graph decodes every kernel of a layer in one MatMul.
 */
export function inverseBasis(k: number): Float64Array {
  const c = dctMatrix(k);
  const n = k * k;
  const b = new Float64Array(n * n);
  for (let u = 0; u < k; u++)
    for (let v = 0; v < k; v++)
      for (let x = 0; x < k; x++)
        for (let y = 0; y < k; y++) b[(u * k + v) * n + x * k + y] = c[u * k + x]! * c[v * k + y]!;
  return b;
}

/**
 * A block of weights coded together: its length, the inverse transform as an
 * [n, n] matrix (a row of coefficients times it gives the block's weights), and
 * each coefficient's frequency (which sets its step).
 */
export interface DctBlock {
  n: number;
  basis: Float64Array;
  frequency(r: number): number;
  /** For reports: "3x3", or "1x8" for runs along input channels. */
  label: string;
}

/** k×k kernels with the 2-D DCT; coefficient (u, v) is at r = u·k + v, frequency u + v. */
export function block2d(k: number): DctBlock {
  return { n: k * k, basis: inverseBasis(k), frequency: (r) => Math.floor(r / k) + (r % k), label: `${k}x${k}` };
}

/** Runs of `length` weights (along input channels, for 1×1 kernels and dense layers) with the 1-D DCT: C is its own inverse basis. */
export function block1d(length: number): DctBlock {
  return { n: length, basis: dctMatrix(length), frequency: (r) => r, label: `1x${length}` };
}

const asBlock = (b: number | DctBlock): DctBlock => (typeof b === 'number' ? block2d(b) : b);

/** Forward DCT of every block in `data` (blocks back to back), in float64; a number means k×k kernels. */
export function dct2d(data: ArrayLike<number>, block: number | DctBlock): Float64Array {
  const { n, basis: b } = asBlock(block);
  // Orthonormal, so the forward transform is B itself read column-wise: X[r] = Σ_c B[r][c]·K[c].
  const out = new Float64Array(data.length);
  for (let off = 0; off < data.length; off += n)
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += b[r * n + c]! * data[off + c]!;
      out[off + r] = s;
    }
  return out;
}

/** JPEG's quality scaling (libjpeg): the percentage its base table is multiplied by; 50 → 100%, 100 → 0%. */
export function jpegQualityScale(quality: number): number {
  const q = Math.min(100, Math.max(1, quality));
  return (q < 50 ? 5000 / q : 200 - 2 * q) / 100;
}

export interface DctQuantized {
  /** Integer coefficients, [kernels, k²], each in [-127, 127]. */
  q: Int8Array;
  /** Step per frequency, [k²], as stored (float32) and multiplied by the decoder. */
  steps: Float32Array;
  /** The base step; `floored` when the quality asked for a finer one than int8 can hold without clamping. */
  base: number;
  floored: boolean;
}

/**
 * Quantizes the DCT coefficients of every kernel with step(u,v) = base·(1 + slope·(u+v)).
 * base = (layer max |DC| / 127)·jpegQualityScale(quality), so quality 50 gives DC
 * about 127 levels; it is raised to the smallest base at which no coefficient
 * clamps, since int8 cannot hold finer steps (every quality above that point is
 * the same).
 */
export function quantizeDct(data: ArrayLike<number>, block: number | DctBlock, quality: number, slope: number): DctQuantized {
  const blk = asBlock(block);
  const n = blk.n;
  const coef = dct2d(data, blk);
  const weight = (r: number) => 1 + slope * blk.frequency(r);
  let maxDc = 0;
  let floor = 0;
  for (let i = 0; i < coef.length; i++) {
    const a = Math.abs(coef[i]!);
    if (i % n === 0) maxDc = Math.max(maxDc, a);
    floor = Math.max(floor, a / (QMAX * weight(i % n)));
  }
  const asked = (maxDc / QMAX) * jpegQualityScale(quality);
  // A layer of zeros still needs a non-zero step (a zero step would divide by zero).
  const base = Math.max(asked, floor) || 1;
  const steps = Float32Array.from({ length: n }, (_, r) => base * weight(r));
  const q = new Int8Array(coef.length);
  // Divide by the float32 step the decoder will multiply by.
  for (let i = 0; i < coef.length; i++) q[i] = Math.max(-QMAX, Math.min(QMAX, roundHalfEven(coef[i]! / steps[i % n]!)));
  return { q, steps, base, floored: floor > asked };
}

/** The spatial kernels from quantized coefficients, as the graph computes them (q·step, then times B), rounded to float32. */
export function dequantizeDct(q: ArrayLike<number>, steps: ArrayLike<number>, block: number | DctBlock): Float32Array {
  const { n, basis: b } = asBlock(block);
  const out = new Float32Array(q.length);
  for (let off = 0; off < q.length; off += n)
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += q[off + r]! * steps[r]! * b[r * n + c]!;
      out[off + c] = s;
    }
  return out;
}

/** Empirical (order-0) entropy in bits per value of a set of integers: what an ideal entropy coder would spend per value. */
export function entropyBits(values: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) counts.set(values[i]!, (counts.get(values[i]!) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / values.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export { sqnrDb } from '../shared/sqnr.js';
