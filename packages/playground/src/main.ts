import './style.css';
import { WorkerClient, WorkerError } from './client.js';
import type { Backend, ModelInfo, NamedBytes, PresetInfo } from './protocol.js';
import { showComparison } from './ui/compare-view.js';
import { byId, el } from './ui/dom.js';
import { formatBytes, formatCount } from './ui/format.js';
import { showReport } from './ui/report-view.js';

const client = new WorkerClient(new Worker(new URL('./worker/index.ts', import.meta.url), { type: 'module' }));
/** onnxruntime-web's files, served by this page's origin (see vite/ort-files.ts). */
const ortBase = new URL(`${import.meta.env.BASE_URL}ort/`, location.href).href;

const presetSelect = byId<HTMLSelectElement>('preset');
const compressButton = byId<HTMLButtonElement>('compress');
const compareButton = byId<HTMLButtonElement>('compare');
let presets: PresetInfo[] = [];
let model: ModelInfo | undefined;

/** Runs one step with the controls locked and progress shown; a failure is shown, never thrown. */
async function step(label: string, work: (progress: (message: string, done?: number, total?: number) => void) => Promise<void>): Promise<void> {
  const bar = byId<HTMLProgressElement>('progress');
  const text = byId('status-text');
  byId('error').hidden = true;
  document.body.dataset['busy'] = 'true';
  for (const b of [compressButton, compareButton]) b.disabled = true;
  bar.hidden = false;
  bar.removeAttribute('value');
  text.textContent = label;
  try {
    await work((message, done, total) => {
      text.textContent = `${label}: ${message}`;
      if (done !== undefined && total) {
        bar.max = total;
        bar.value = done;
      } else bar.removeAttribute('value');
    });
    text.textContent = `${label}: done`;
  } catch (e) {
    showError(e);
    text.textContent = `${label}: failed`;
  } finally {
    bar.hidden = true;
    compressButton.disabled = !model;
    compareButton.disabled = false;
    delete document.body.dataset['busy'];
    // Scripts (and the end-to-end test) wait for this count to move on.
    document.body.dataset['steps'] = String(Number(document.body.dataset['steps'] ?? 0) + 1);
  }
}

function showError(e: unknown): void {
  const box = byId('error');
  const code = e instanceof WorkerError ? e.code : undefined;
  box.textContent = `${code ? `${code}: ` : ''}${e instanceof Error ? e.message : String(e)}`;
  box.dataset['code'] = code ?? '';
  box.hidden = false;
}

async function readFile(file: File): Promise<NamedBytes> {
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

async function loadModel(file: File): Promise<void> {
  model = undefined;
  compressButton.disabled = true;
  byId('model-info').hidden = true;
  byId('report-section').hidden = true;
  byId('compare-section').hidden = true;
  await step(`Loading ${file.name}`, async () => {
    model = await client.request({ type: 'load', file: await readFile(file) });
    showModel(model);
  });
}

function showModel(m: ModelInfo): void {
  const io = (list: ModelInfo['inputs']) => list.map((v) => `${v.name} ${v.dtype ?? '?'}[${v.shape?.join(', ') ?? '?'}]`).join(', ');
  const info = byId('model-info');
  info.replaceChildren(
    el('p', `${m.name}: ${formatBytes(m.bytes)}, ${formatCount(m.nodes)} nodes, ${formatCount(m.parameters)} parameters, opset ${m.opset ?? '?'}`, { 'data-parameters': String(m.parameters) }),
    el('p', `inputs: ${io(m.inputs)}; outputs: ${io(m.outputs)}`),
  );
  info.hidden = false;
}

function describePreset(): void {
  const p = presets.find((x) => x.name === presetSelect.value);
  byId('preset-description').textContent = p ? `${p.description}${p.needsSamples ? ' Calibrates on sample data.' : ''}` : '';
}

async function compressModel(): Promise<void> {
  const images = await Promise.all([...(byId<HTMLInputElement>('images').files ?? [])].map(readFile));
  await step(`Compressing with ${presetSelect.value}`, async (progress) => {
    const outcome = await client.request({ type: 'compress', preset: presetSelect.value, images }, progress);
    showReport(outcome);
    byId('comparison').querySelector('tbody')!.replaceChildren();
    byId('compare-section').hidden = false;
  });
}

async function compareModels(): Promise<void> {
  const backend = byId<HTMLSelectElement>('backend').value as Backend;
  const runs = Math.max(1, Math.min(200, Number(byId<HTMLInputElement>('runs').value) || 20));
  await step(`Running both models on ${backend}`, async (progress) => showComparison(await client.request({ type: 'compare', backend, runs }, progress)));
}

function wireDropZone(): void {
  const drop = byId('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void loadModel(file);
  });
  const input = byId<HTMLInputElement>('model-file');
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void loadModel(file);
    // Choosing the same file again should load it again.
    input.value = '';
  });
}

async function start(): Promise<void> {
  wireDropZone();
  presetSelect.addEventListener('change', describePreset);
  compressButton.addEventListener('click', () => void compressModel());
  compareButton.addEventListener('click', () => void compareModels());
  if (!('gpu' in navigator)) {
    const option = byId('backend').querySelector<HTMLOptionElement>('option[value="webgpu"]')!;
    option.disabled = true;
    option.textContent = 'WebGPU (not in this browser)';
  }
  await step('Starting', async () => {
    presets = (await client.request({ type: 'init', ortBase })).presets;
    presetSelect.replaceChildren(...presets.map((p) => el('option', `${p.name}${p.needsSamples ? ' (calibrates)' : ''}`, { value: p.name })));
    presetSelect.value = presets.some((p) => p.name === 'int8-weights') ? 'int8-weights' : (presets[0]?.name ?? '');
    presetSelect.disabled = false;
    describePreset();
  });
  document.body.dataset['ready'] = 'true';
}

void start();
