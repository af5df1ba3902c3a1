import type { Page } from 'playwright-core';

/** Steps the page has finished (body[data-steps]); every action that starts one waits for the count to move on. */
async function stepsDone(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.body.dataset['steps'] ?? 0));
}

/**
 * Does `action`, waits for the page step it starts to end, and returns the
 * error the page shows ('' when none).
 */
export async function finishStep(page: Page, action: () => Promise<unknown>, timeout = 90_000): Promise<string> {
  const before = await stepsDone(page);
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset['steps'] ?? 0) > n, before, { timeout });
  return page.evaluate(() => {
    const box = document.getElementById('error')!;
    return box.hidden ? '' : (box.textContent ?? '');
  });
}

type Data = Record<string, string | undefined> & { text: string };

/** An element's data-* attributes (the page's raw figures) and its text. */
export async function dataOf(page: Page, selector: string): Promise<Data> {
  return page.$eval(selector, (e) => ({ ...(e as HTMLElement).dataset, text: e.textContent ?? '' }) as Data);
}

/** A report figure's raw values and text. */
export function figure(page: Page, name: string): Promise<Data> {
  return dataOf(page, `[data-figure="${name}"]`);
}
