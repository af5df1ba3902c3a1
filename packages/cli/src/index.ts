export { main, VERSION } from './main.js';
export type { Streams } from './io.js';
