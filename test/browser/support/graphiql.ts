import type { Page } from 'playwright-core';

/** Monaco draws spaces as U+00A0; compare text after turning them back. */
export const plain = (s: string) => s.replace(/\u00a0/g, ' ');

/** The execute button shows before Monaco mounts: wait for the editor itself. */
export async function waitForEditor(page: Page): Promise<void> {
  await page.locator('.graphiql-query-editor .monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
}

const queryLines = (page: Page) => page.locator('.graphiql-query-editor .monaco-editor .view-lines').first();
const squash = (s: string) => plain(s).replace(/\s+/g, '');

/**
 * Replaces the query editor's text. insertText sends one input event, so Monaco's bracket
 * auto-closing (which reacts to typed keys) adds no braces of its own. On a loaded machine
 * GraphiQL may still be restoring its tabs when we type: read the editor back, type again.
 */
export async function setQuery(page: Page, query: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await queryLines(page).click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(query);
    let shown = '';
    for (const until = Date.now() + 2_000; Date.now() < until; await page.waitForTimeout(100)) {
      shown = squash((await queryLines(page).textContent()) ?? '');
      if (shown === squash(query)) return;
    }
    console.warn(`[graphiql] typing again: the editor showed ${JSON.stringify(shown)}`);
    if (attempt === 3) throw new Error(`the query editor shows ${JSON.stringify(shown)} after typing ${JSON.stringify(query)}`);
  }
}

/**
 * While GraphiQL still sees several operations (the example tab, before it re-parses what we
 * typed) the execute button is a dropdown trigger (aria-haspopup) and a click only opens the
 * operation menu: wait for the plain button.
 */
export async function run(page: Page): Promise<void> {
  await page.locator('.graphiql-execute-button:not([aria-haspopup])').click();
}

/** The response pane's text (Monaco renders only visible lines: keep responses short). */
export async function responseText(page: Page): Promise<string> {
  return plain((await page.locator('.graphiql-response .view-lines').first().textContent()) ?? '');
}
