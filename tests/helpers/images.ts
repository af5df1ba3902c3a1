import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageFile } from '@condense/core';

/** scikit-image's sample photographs and scanned text, fetched by tools/setup.sh --test from Debian's python3-skimage. */
export const REAL_IMAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'images');

/** Photographs, micrographs, an astronomical image and scanned text: 25 real images of many kinds. */
const NAMES = [
  'astronaut.png', 'brick.png', 'bw_text.png', 'camera.png', 'cell.png', 'chelsea.png', 'clock_motion.png', 'coffee.png', 'coins.png',
  'color.png', 'grass.png', 'gravel.png', 'horse.png', 'hubble_deep_field.jpg', 'ihc.png', 'logo.png', 'microaneurysms.png', 'moon.png',
  'motorcycle_left.png', 'motorcycle_right.png', 'page.png', 'phantom.png', 'retina.jpg', 'rocket.jpg', 'text.png',
];

export const realImagesAvailable = () => NAMES.every((n) => existsSync(path.join(REAL_IMAGES, n)));

export function realImages(): ImageFile[] {
  return NAMES.map((name) => ({ name, read: () => readFileSync(path.join(REAL_IMAGES, name)) }));
}
