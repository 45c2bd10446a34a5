import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server';
import { createProject } from '../helpers/fixtures';
import { ensureWebBuilt } from './support/web-build';
import { foreignRequests, launchBrowser, screenshot, type Browser } from './support/browser';
import { responseText, run, setQuery, waitForEditor } from './support/graphiql';

let ts: TestServer;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  await ensureWebBuilt();
  [ts, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  origin = new URL(ts.url).origin;
});
afterAll(async () => {
  await browser?.close();
  await ts?.close();
});

async function openGraphiQL(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${origin}/graphiql`);
  await waitForEditor(page);
  return page;
}

describe('GraphiQL at /graphiql', () => {
  it('runs a typed query and shows its result', async () => {
    const projectId = await createProject(ts, 'GraphiQL query project');
    const page = await openGraphiQL();
    await setQuery(page, '{ projects { id name } }');
    await run(page);
    await expect.poll(() => responseText(page), { timeout: 10_000 }).toContain(projectId);
    expect(await responseText(page)).toContain('"name": "GraphiQL query project"');
    await screenshot(page, 'graphiql.png');
    await page.close();
  });

  it('runs a subscription and shows an event caused by a mutation made elsewhere', async () => {
    const projectId = await createProject(ts, 'GraphiQL subscription project');
    const page = await openGraphiQL();
    await setQuery(page, `subscription { taskStatusChanged(projectId: "${projectId}") { taskId previousStatus status } }`);
    await run(page);
    // The subscription is live once the server's event stream counts it (graphql-ws round trip).
    await expect.poll(() => ts.server.services.stream.subscriberCount, { timeout: 10_000 }).toBeGreaterThan(0);

    const created = await ts.ok(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "made over HTTP" }) { id } }`, { p: projectId });
    const taskId: string = created.createTask.id;
    await expect.poll(() => responseText(page), { timeout: 10_000 }).toContain(taskId);
    expect(await responseText(page)).toMatch(/"previousStatus": null,\s*"status": "READY"/);

    await ts.ok(`mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "browser-test") { id } }`, { p: projectId });
    await expect.poll(() => responseText(page), { timeout: 10_000 }).toContain('"status": "RUNNING"');
    await screenshot(page, 'graphiql-subscription.png');
    await page.close();
  });
});

afterAll(() => {
  expect(foreignRequests(browser.requests, origin)).toEqual([]);
});
