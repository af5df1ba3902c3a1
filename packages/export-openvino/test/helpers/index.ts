export * from './data.js';
export * from './ort.js';
