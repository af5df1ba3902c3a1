/**
 * TensorFlow's SAME padding along one axis: the output has ceil(size / stride)
 * elements and any odd padding goes at the end (ONNX's SAME_UPPER).
 */
export function samePads(size: number, kernel: number, stride: number, dilation: number): [before: number, after: number] {
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}
