import type { Dim } from '@condense/core';

/** How {@link importTfjs} declares the model's inputs. */
export interface ImportOptions {
  /**
   * How 4-D float inputs are declared: 'nhwc' (tfjs's own layout, the default:
   * feed the IR what you fed tfjs; the IR transposes once) or 'nchw' (ONNX's
   * layout, for pipelines that feed NCHW images; no transpose at all).
   */
  inputLayout?: 'nhwc' | 'nchw';
  /** Sizes for input dimensions the model leaves open, by input name, in tfjs's (NHWC) order. */
  inputShapes?: Record<string, Dim[]>;
}
