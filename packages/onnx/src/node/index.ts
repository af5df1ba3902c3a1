export { loadModel, saveModel, statModelFile, type LoadOptions, type SaveOptions, type SavedFiles } from './model-file.js';
export { resolveInside } from './paths.js';
export { writeFileAtomic, writeFilesAtomic, writeTemp, type PendingFile } from './atomic.js';
export { undoInFlightWrites, watchWrites } from './in-flight.js';
