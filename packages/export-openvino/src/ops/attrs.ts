import { opFail } from './op-error.js';

/** Typed access to a layer's `<data>` attributes (all strings in the XML). */
export class LayerAttrs {
  constructor(readonly data: Readonly<Record<string, string>>) {}

  has(name: string): boolean {
    return this.data[name] !== undefined;
  }

  string(name: string, fallback?: string): string {
    const v = this.data[name] ?? fallback;
    if (v === undefined) opFail(`attribute "${name}" is missing`);
    return v;
  }

  oneOf<const T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const v = this.string(name, fallback).toLowerCase();
    if (!(allowed as readonly string[]).includes(v)) opFail(`attribute ${name}="${v}" is not one of ${allowed.join(', ')}`);
    return v as T;
  }

  int(name: string, fallback?: number): number {
    const text = this.data[name];
    if (text === undefined) {
      if (fallback === undefined) opFail(`attribute "${name}" is missing`);
      return fallback;
    }
    const v = Number(text);
    if (!Number.isInteger(v)) opFail(`attribute ${name}="${text}" is not an integer`);
    return v;
  }

  float(name: string, fallback?: number): number {
    const text = this.data[name];
    if (text === undefined) {
      if (fallback === undefined) opFail(`attribute "${name}" is missing`);
      return fallback;
    }
    const v = parseFloat(text);
    if (Number.isNaN(v) && text.trim().toLowerCase() !== 'nan') opFail(`attribute ${name}="${text}" is not a number`);
    return v;
  }

  bool(name: string, fallback?: boolean): boolean {
    const text = this.data[name];
    if (text === undefined) {
      if (fallback === undefined) opFail(`attribute "${name}" is missing`);
      return fallback;
    }
    const t = text.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    return opFail(`attribute ${name}="${text}" is not true or false`);
  }

  ints(name: string, fallback?: number[]): number[] {
    const text = this.data[name];
    if (text === undefined) {
      if (fallback === undefined) opFail(`attribute "${name}" is missing`);
      return fallback;
    }
    return parseIntList(text, name);
  }
}

/** "1,2" or "1, 2" (or "" for none) as numbers. */
export function parseIntList(text: string, what: string): number[] {
  const t = text.trim();
  if (t === '') return [];
  return t.split(',').map((s) => {
    const v = Number(s.trim());
    if (s.trim() === '' || !Number.isInteger(v)) opFail(`${what}="${text}" is not a list of integers`);
    return v;
  });
}

/**
 * A shape attribute (Parameter, Const): "1, 3, 224, 224", "" for a scalar,
 * "?" or "1..10" for a dimension known only at run time (→ -1), "..." for an
 * unknown rank (→ undefined).
 */
export function parseShape(text: string, what: string): number[] | undefined {
  const t = text.trim().replace(/^\[|\]$/g, '').trim();
  if (t === '...') return undefined;
  if (t === '') return [];
  return t.split(',').map((s) => {
    const d = s.trim();
    if (d === '?' || d === '-1' || d.includes('..')) return -1;
    const v = Number(d);
    if (!Number.isInteger(v) || v < 0) opFail(`${what}="${text}" is not a shape`);
    return v;
  });
}

export const formatInts = (values: readonly number[]): string => values.join(',');
