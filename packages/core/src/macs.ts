// The cost model lives in cost/; this path stays for the modules that import countMacs from here.
export { countMacs, type MacCount } from './cost/macs.js';
