// The loaders' message helpers live in core, shared by every format's reader.
export { quoted, shapeText } from '@condense/core';
