export { loadModel, saveModel, statModelFile, type LoadOptions, type SaveOptions, type SavedFiles } from './model-file.js';
export { resolveInside } from './paths.js';
export { writeFileAtomic, writeTemp } from './atomic.js';
