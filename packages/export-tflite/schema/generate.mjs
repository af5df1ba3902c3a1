// Generates src/generated/ (TypeScript readers and builders) from tflite.fbs.
// The code flatc writes calls the flatbuffers runtime, so the two must agree:
// flatc 2.0.x (Debian's flatbuffers-compiler 2.0.8) for flatbuffers 2.0.7 from npm.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fail = (message) => {
  console.error(`@condense/export-tflite: ${message}`);
  process.exit(1);
};

let version;
try {
  version = execFileSync('flatc', ['--version'], { encoding: 'utf8' }).trim();
} catch {
  fail("flatc was not found. Install Debian's flatbuffers-compiler (apt-get install flatbuffers-compiler); tools/setup.sh does.");
}
if (!/^flatc version 2\.0\./.test(version)) fail(`${version} found; the generated code must match the pinned flatbuffers 2.0.x runtime, so flatc 2.0.x is needed.`);

execFileSync('flatc', ['--ts', '--ts-flat-files', '-o', path.join(here, '..', 'src', 'generated'), path.join(here, 'tflite.fbs')], { stdio: 'inherit' });
