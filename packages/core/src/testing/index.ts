export { runtimeConformance, type ConformanceCheck } from './conformance.js';
