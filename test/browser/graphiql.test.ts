import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createProject } from '../helpers/fixtures';
import { foreignRequests, screenshot } from './support/browser';
import { responseText, run, setQuery, waitForEditor } from './support/graphiql';
import { eventually, signedIn, useBrowserSuite } from './support/suite';

const suite = useBrowserSuite();

async function openGraphiQL(): Promise<Page> {
  const page = await suite.browser.newPage();
  await page.goto(signedIn(`${suite.origin}/graphiql`));
  await waitForEditor(page);
  return page;
}

describe('GraphiQL at /graphiql', () => {
  it('runs a typed query and shows its result', async () => {
    const projectId = await createProject(suite.ts, 'GraphiQL query project');
    const page = await openGraphiQL();
    await setQuery(page, '{ projects { id name } }');
    await run(page);
    await eventually(() => responseText(page)).toContain(projectId);
    expect(await responseText(page)).toContain('"name": "GraphiQL query project"');
    await screenshot(page, 'graphiql.png');
    await page.close();
  });

  it('runs a subscription and shows an event caused by a mutation made elsewhere, loading nothing from outside the server', async () => {
    const { ts } = suite;
    const projectId = await createProject(ts, 'GraphiQL subscription project');
    const page = await openGraphiQL();
    await setQuery(page, `subscription { taskStatusChanged(projectId: "${projectId}") { taskId previousStatus status } }`);
    await run(page);
    // The subscription is live once the server's event stream counts it (graphql-ws round trip).
    await eventually(() => ts.server.services.stream.subscriberCount).toBeGreaterThan(0);

    const created = await ts.ok(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "made over HTTP" }) { id } }`, { p: projectId });
    const taskId: string = created.createTask.id;
    await eventually(() => responseText(page)).toContain(taskId);
    expect(await responseText(page)).toMatch(/"previousStatus": null,\s*"status": "READY"/);

    await ts.ok(`mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "browser-test") { id } }`, { p: projectId });
    await eventually(() => responseText(page)).toContain('"status": "RUNNING"');
    await screenshot(page, 'graphiql-subscription.png');
    await page.close();

    // Everything this page (and any earlier one) loaded came from the server: Monaco's workers and the socket included.
    const seen = suite.browser.requests;
    expect(seen.filter((u) => /\/assets\/workers\/(editor|graphql|json)\.worker-\w+\.js$/.test(u)).length).toBeGreaterThan(0);
    expect(seen).toContain(suite.ts.wsUrl);
    expect(foreignRequests(seen, suite.origin)).toEqual([]);
    expect(suite.browser.errors).toEqual([]);
  });
});
