import { convertIndexedToRgb, decode as decodePng, hasPngSignature, type DecodedPng } from 'fast-png';
import jpeg from 'jpeg-js';
import { CondenseError } from '../errors.js';
import type { Dim, TensorType } from '../ir/value.js';
import type { SampleSource } from '../runtime.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * How images (and .npy arrays) become a model input. Every field is optional:
 * layout, channel count, height and width come from the input's shape.
 */
export interface PreprocessSpec {
  /** [height, width] to feed; needed only where the input's own height or width is symbolic. */
  size?: [number, number];
  /** 'stretch' (default): bilinear resize to H×W. 'shorter': keep the aspect ratio, scale to cover H×W, crop the centre. */
  resize?: 'stretch' | 'shorter';
  /** Multiplies raw values first: default 1/255 for images; .npy data is scaled only when this is given. */
  scale?: number;
  /** Subtracted per channel after scaling (one value, or one per channel); default 0. */
  mean?: number[];
  /** Divides per channel after the mean; default 1. */
  std?: number[];
  /** Channel order the model expects; default 'rgb'. */
  channels?: 'rgb' | 'bgr';
  /** Default: NCHW when dim 1 is 1 or 3, NHWC when the last dim is. */
  layout?: 'nchw' | 'nhwc';
}

/** What a sample source needs to know about the input it feeds (a graph input Value fits). */
export interface ModelInput {
  /** The input's name, which the batches are keyed by. */
  name: string;
  /** Its element type and shape, from which layout, size and channels are read. */
  type?: TensorType | undefined;
}

/** 8-bit RGB, interleaved, row-major; alpha is dropped. */
export interface RgbImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** width × height × 3 bytes: R, G, B per pixel, rows top to bottom. */
  data: Uint8Array;
}

/** An image to read when its batch comes up, so only one batch is ever decoded at a time. */
export interface ImageFile {
  /** A name for messages (and the sort order a folder reader uses); `.png`, `.jpg` or `.jpeg` is not required. */
  name: string;
  /** The file's bytes (from disk, fetch, a zip...), called when its batch is built. */
  read(): Uint8Array | Promise<Uint8Array>;
}

const SPEC_KEYS = ['size', 'resize', 'scale', 'mean', 'std', 'channels', 'layout'];

/** Checks a spec given by code (the CLI checks its flags itself), naming the field at fault. */
export function checkPreprocess(spec: PreprocessSpec): void {
  const bad = (field: string, why: string) => new CondenseError('E_BAD_OPTION', `Preprocessing option "${field}" ${why}.`);
  const unknown = Object.keys(spec).filter((k) => !SPEC_KEYS.includes(k));
  if (unknown.length) throw bad(unknown[0]!, `is not one of ${SPEC_KEYS.join(', ')}`);
  const { size, resize, scale, mean, std, channels, layout } = spec;
  if (size !== undefined && !(Array.isArray(size) && size.length === 2 && size.every((d) => Number.isInteger(d) && d > 0))) throw bad('size', 'must be [height, width], two whole numbers above 0');
  if (resize !== undefined && resize !== 'stretch' && resize !== 'shorter') throw bad('resize', 'must be "stretch" or "shorter"');
  if (scale !== undefined && !Number.isFinite(scale)) throw bad('scale', 'must be a finite number');
  for (const [field, list] of [['mean', mean], ['std', std]] as const) {
    if (list !== undefined && !(Array.isArray(list) && list.length > 0 && list.every(Number.isFinite))) throw bad(field, 'must be a list of finite numbers');
  }
  if (std?.includes(0)) throw bad('std', 'must not hold 0 (values are divided by it)');
  if (channels !== undefined && channels !== 'rgb' && channels !== 'bgr') throw bad('channels', 'must be "rgb" or "bgr"');
  if (layout !== undefined && layout !== 'nchw' && layout !== 'nhwc') throw bad('layout', 'must be "nchw" or "nhwc"');
}

/** PNG (any bit depth, palette, gray, alpha) or JPEG bytes as 8-bit RGB. `what` names the source in errors. */
export function decodeImage(bytes: Uint8Array, what: string): RgbImage {
  const isPng = hasPngSignature(bytes);
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!isPng && !isJpeg) throw new CondenseError('E_BAD_OPTION', `${what} is neither a PNG nor a JPEG image.`, { context: { file: what } });
  try {
    // Decoders index past the end of truncated data rather than check it, so any throw means a broken file.
    if (isPng) return pngToRgb(decodePng(bytes));
    const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
    return { width, height, data };
  } catch (e) {
    throw new CondenseError('E_BAD_OPTION', `${what} is not a readable ${isPng ? 'PNG' : 'JPEG'} image (${(e as Error).message}).`, { cause: e, context: { file: what } });
  }
}

function pngToRgb(png: DecodedPng): RgbImage {
  if (png.palette) return toRgb(png, convertIndexedToRgb(png), png.palette[0]?.length ?? 3, 255);
  if (png.depth < 8) return toRgb(png, unpackGray(png), 1, (1 << png.depth) - 1);
  return toRgb(png, png.data, png.channels, png.depth === 16 ? 65535 : 255);
}

/** Gray PNGs of 1, 2 or 4 bits keep their samples packed, each row starting on a byte. */
function unpackGray({ width, height, depth, data }: DecodedPng): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * width + x] = (data[y * rowBytes + (bit >> 3)]! >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** Interleaved gray/gray+alpha/RGB/RGBA samples of range 0..max as 8-bit RGB. */
function toRgb({ width, height }: { width: number; height: number }, samples: ArrayLike<number>, channels: number, max: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  const gray = channels < 3;
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.round((samples[p * channels + (gray ? 0 : c)]! * 255) / max);
  }
  return { width, height, data };
}

/**
 * Bilinear resize to height×width with half-pixel centres and edge clamping
 * (OpenCV's INTER_LINEAR, torch's align_corners=False), no antialiasing.
 * 'shorter' scales by the larger of the two ratios, so the image covers the
 * target, and keeps the centre. Returns RGB floats in 0..255, interleaved.
 */
export function resizeImage(img: RgbImage, height: number, width: number, resize: PreprocessSpec['resize'] = 'stretch'): Float32Array {
  const s = Math.max(height / img.height, width / img.width);
  const [scaledH, scaledW] = resize === 'shorter' ? [Math.round(img.height * s), Math.round(img.width * s)] : [height, width];
  const ys = taps(img.height, scaledH, Math.floor((scaledH - height) / 2), height);
  const xs = taps(img.width, scaledW, Math.floor((scaledW - width) / 2), width);
  const out = new Float32Array(height * width * 3);
  const src = img.data;
  for (let y = 0; y < height; y++) {
    const r0 = ys.lo[y]! * img.width;
    const r1 = ys.hi[y]! * img.width;
    const fy = ys.frac[y]!;
    for (let x = 0; x < width; x++) {
      const [x0, x1, fx] = [xs.lo[x]!, xs.hi[x]!, xs.frac[x]!];
      for (let c = 0; c < 3; c++) {
        const top = src[(r0 + x0) * 3 + c]! * (1 - fx) + src[(r0 + x1) * 3 + c]! * fx;
        const bottom = src[(r1 + x0) * 3 + c]! * (1 - fx) + src[(r1 + x1) * 3 + c]! * fx;
        out[(y * width + x) * 3 + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** For each of `count` outputs starting at `offset` on an axis of `from` pixels scaled to `to`: the two source pixels and the weight of the second. */
function taps(from: number, to: number, offset: number, count: number) {
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const frac = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const at = Math.min(Math.max(((i + offset + 0.5) * from) / to - 0.5, 0), from - 1);
    lo[i] = Math.floor(at);
    hi[i] = Math.min(lo[i]! + 1, from - 1);
    frac[i] = at - lo[i]!;
  }
  return { lo, hi, frac };
}

/** Per-channel (x * scale - mean) / std, with one-value lists broadcast. */
export interface Normalization {
  /** Multiplies raw values first. */
  scale: number;
  /** Subtracted per channel after scaling. */
  mean: number[];
  /** Divides per channel after the mean. */
  std: number[];
}

export function normalization(spec: PreprocessSpec, channels: number, input: string, defaultScale: number): Normalization {
  const perChannel = (field: 'mean' | 'std', fallback: number) => {
    const list = spec[field] ?? [fallback];
    if (list.length === 1) return Array<number>(channels).fill(list[0]!);
    if (list.length !== channels) throw new CondenseError('E_BAD_OPTION', `Preprocessing option "${field}" has ${list.length} values but input "${input}" takes ${channels} channel${channels === 1 ? '' : 's'}: give 1 value or ${channels}.`);
    return list;
  };
  return { scale: spec.scale ?? defaultScale, mean: perChannel('mean', 0), std: perChannel('std', 1) };
}

/** Where an image input keeps its channels; `nhw` is a rank-3 input without a channel axis (gray). */
export type Layout = 'nchw' | 'nhwc' | 'nhw';

/** Where the channels of `input` are: the spec's layout, else dim 1 or the last dim holding 1 or 3; rank 3 is [N, H, W]. */
export function inputLayout(input: ModelInput, spec: PreprocessSpec): { layout: Layout; shape: Dim[]; channels: Dim } {
  const shape = input.type?.shape;
  if (shape?.length === 3) return { layout: 'nhw', shape, channels: 1 };
  if (shape?.length !== 4) {
    throw new CondenseError('E_BAD_OPTION', `Input "${input.name}" has ${shape ? `shape [${shape.join(', ')}]` : 'no declared shape'}; image data needs [N, C, H, W], [N, H, W, C] or [N, H, W].`);
  }
  const isChannels = (d: Dim | undefined) => d === 1 || d === 3;
  const layout = spec.layout ?? (isChannels(shape[1]) ? 'nchw' : isChannels(shape[3]) ? 'nhwc' : undefined);
  if (!layout) {
    throw new CondenseError('E_BAD_OPTION', `Cannot tell whether input "${input.name}" [${shape.join(', ')}] is NCHW or NHWC (neither dim 1 nor the last is 1 or 3): give preprocessing option "layout" (nchw or nhwc).`);
  }
  return { layout, shape, channels: shape[layout === 'nchw' ? 1 : 3]! };
}

/** The size the input takes per batch: its static batch dimension wins over the one asked for. */
export function inputBatchSize(input: ModelInput, requested: number): { size: number; fixed: boolean } {
  const first = input.type?.shape?.[0];
  return typeof first === 'number' && first > 0 ? { size: first, fixed: true } : { size: requested, fixed: false };
}

/** How images are turned into batches for one input: decided once, before any image is read. */
export interface ImagePlan {
  /** The input fed. */
  input: string;
  /** Where its channels are: NCHW, NHWC, or [N, H, W] without a channel axis. */
  layout: Layout;
  /** 3 for RGB (or BGR), 1 for gray. */
  channels: 1 | 3;
  /** Height fed, in pixels. */
  height: number;
  /** Width fed, in pixels. */
  width: number;
  /** How each image is fitted to height × width. */
  resize: 'stretch' | 'shorter';
  /** Whether channels go in BGR order. */
  bgr: boolean;
  /** The scale, mean and std per channel. */
  norm: Normalization;
}

/**
 * Decides, from the input's shape and `spec`, how images become batches for
 * `input`, and checks it (symbolic sizes need `spec.size`; the input must take
 * float32 with 1 or 3 channels) before any image is read.
 */
export function planImages(input: ModelInput, spec: PreprocessSpec = {}): ImagePlan {
  checkPreprocess(spec);
  if (input.type && input.type.dtype !== 'float32') throw new CondenseError('E_BAD_OPTION', `Input "${input.name}" takes ${input.type.dtype}; images are fed as float32.`);
  const { layout, shape, channels } = inputLayout(input, spec);
  if (channels !== 1 && channels !== 3 && typeof channels === 'number') {
    throw new CondenseError('E_BAD_OPTION', `Input "${input.name}" [${shape.join(', ')}] takes ${channels} channels; images give 3 (RGB) or 1 (gray).`);
  }
  const [hDim, wDim] = layout === 'nchw' ? [shape[2], shape[3]] : [shape[1], shape[2]];
  const [height, width] = spec.size ?? [hDim, wDim];
  if (typeof height !== 'number' || typeof width !== 'number') {
    throw new CondenseError('E_BAD_OPTION', `Input "${input.name}" [${shape.join(', ')}] has a symbolic height or width: give the image size with preprocessing option "size" ([height, width]; --size HxW on the command line).`);
  }
  if ((typeof hDim === 'number' && hDim !== height) || (typeof wDim === 'number' && wDim !== width)) {
    throw new CondenseError('E_BAD_OPTION', `Preprocessing option "size" ${height}x${width} does not match input "${input.name}" [${shape.join(', ')}].`);
  }
  const c = channels === 1 ? 1 : 3;
  return { input: input.name, layout, channels: c, height, width, resize: spec.resize ?? 'stretch', bgr: spec.channels === 'bgr', norm: normalization(spec, c, input.name, 1 / 255) };
}

/** Decoded images as one float32 batch in the plan's layout, normalized. */
export function imageBatch(images: RgbImage[], plan: ImagePlan): Tensor {
  const { layout, channels: C, height: H, width: W, norm } = plan;
  const out = new Float32Array(images.length * C * H * W);
  // Element (n, c, y, x) of the batch sits at n * nStride + c * cStride + (y * W + x) * pStride.
  const [cStride, pStride] = layout === 'nhwc' ? [1, C] : [H * W, 1];
  images.forEach((img, n) => {
    const rgb = resizeImage(img, H, W, plan.resize);
    const put = (c: number, p: number, v: number) => (out[n * C * H * W + c * cStride + p * pStride] = (v * norm.scale - norm.mean[c]!) / norm.std[c]!);
    for (let p = 0; p < H * W; p++) {
      // ITU-R BT.601 luma, as PIL's convert('L') and OpenCV's RGB2GRAY use.
      if (C === 1) put(0, p, 0.299 * rgb[p * 3]! + 0.587 * rgb[p * 3 + 1]! + 0.114 * rgb[p * 3 + 2]!);
      else for (let c = 0; c < 3; c++) put(c, p, rgb[p * 3 + (plan.bgr ? 2 - c : c)]!);
    }
  });
  const shape = layout === 'nchw' ? [images.length, C, H, W] : layout === 'nhwc' ? [images.length, H, W, C] : [images.length, H, W];
  return Tensor.from('float32', shape, out);
}

/**
 * Images as a replayable sample source feeding `input`, decoded a batch at a
 * time, so memory does not grow with the number of files. A model with a
 * fixed batch size gets batches of that size; files left over that cannot
 * fill one are not fed.
 */
export function imageSamples(files: readonly ImageFile[], input: ModelInput, spec: PreprocessSpec = {}, batchSize = 32): SampleSource {
  const plan = planImages(input, spec);
  const batch = inputBatchSize(input, batchSize);
  return {
    async *[Symbol.asyncIterator]() {
      for (let start = 0; start < files.length; start += batch.size) {
        const group = files.slice(start, start + batch.size);
        if (batch.fixed && group.length < batch.size) return;
        const images = await Promise.all(group.map(async (f) => decodeImage(await f.read(), f.name)));
        yield { [plan.input]: imageBatch(images, plan) };
      }
    },
  };
}
