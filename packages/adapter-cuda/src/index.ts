/**
 * The condense Runtime on onnxruntime-node's CUDA execution provider, for
 * NVIDIA GPUs; it reports what is missing instead of falling back to the CPU.
 *
 * @packageDocumentation
 */
import { CondenseError, type Runtime } from '@condense/core';
import { createOrtRuntime, type OrtModule } from '@condense/ort-runtime';

/** Options of the cuda runtime: given to cudaRuntime() as defaults, or per session to createSession. */
export interface CudaOptions {
  /** Which GPU. Default 0. */
  deviceId?: number;
  /** onnxruntime's graph optimization level applied when the session loads the model. Default 'all'. */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** The pieces onnxruntime's CUDA provider loads, how to recognise each one missing, and how to get it. */
const MISSING: Array<{ pattern: RegExp; piece: string; fix: string }> = [
  { pattern: /libonnxruntime_providers_(cuda|shared)|providers_cuda/i, piece: "onnxruntime-node's CUDA provider library", fix: 'reinstall onnxruntime-node without ONNXRUNTIME_NODE_INSTALL=skip (its install step downloads the CUDA provider), on a machine that can reach its download site' },
  { pattern: /libcudnn/i, piece: 'the cuDNN 9 libraries', fix: 'install cuDNN 9 for CUDA 12 and put its lib folder on LD_LIBRARY_PATH' },
  { pattern: /libcublas|libcudart|libcufft|libcurand/i, piece: 'the CUDA 12 runtime libraries', fix: 'install the CUDA 12 toolkit or runtime and put its lib64 folder on LD_LIBRARY_PATH' },
  { pattern: /libcuda\.so|driver|no CUDA-capable device|CUDA failure 100/i, piece: 'an NVIDIA GPU and driver', fix: 'run on a machine with an NVIDIA GPU and a driver new enough for CUDA 12 (nvidia-smi should list the GPU)' },
];

/**
 * Names what is missing when onnxruntime cannot start its CUDA provider (never
 * falling back to the CPU); undefined for other failures (a bad model), which
 * the shared glue reports as E_RUNTIME.
 */
export function explainCudaFailure(error: unknown): CondenseError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const found = MISSING.find((m) => m.pattern.test(message)) ?? (/shared library|dlopen|cannot open/i.test(message) ? MISSING[0] : undefined);
  if (!found) return undefined;
  const what = `${found.piece} could not be loaded. To fix: ${found.fix}.`;
  return new CondenseError('E_RUNTIME_UNAVAILABLE', `The cuda runtime is not available here: ${what} condense does not fall back to the CPU; use @condense/adapter-cpu for that.`, { cause: error, context: { adapter: 'cuda' } });
}

/** onnxruntime-node on the CUDA execution provider (NVIDIA GPUs). */
export function cudaRuntime(defaults: CudaOptions = {}): Runtime {
  return createOrtRuntime<CudaOptions>(
    {
      name: 'cuda',
      load: async () => (await import('onnxruntime-node')) as unknown as OrtModule,
      sessionOptions: (o) => {
        if (o.deviceId !== undefined && (!Number.isInteger(o.deviceId) || o.deviceId < 0)) {
          throw new CondenseError('E_BAD_OPTION', `Option "deviceId" of the cuda runtime must be a GPU index (0, 1, ...); got ${JSON.stringify(o.deviceId)}.`, { context: { adapter: 'cuda' } });
        }
        return { executionProviders: [{ name: 'cuda', deviceId: o.deviceId ?? 0 }], graphOptimizationLevel: o.graphOptimization ?? 'all', logSeverityLevel: 3 };
      },
      explain: explainCudaFailure,
    },
    defaults,
  );
}
