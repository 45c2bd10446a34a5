import { describe, expect, it } from 'vitest';
import { createProject } from '../helpers/fixtures';
import { TEST_ADMIN_TOKEN } from '../helpers/auth';
import { mintToken } from '../helpers/tokens';
import { responseText, run, setQuery, waitForEditor } from './support/graphiql';
import { eventually, signedIn, useBrowserSuite } from './support/suite';

const suite = useBrowserSuite();
/** An option's text without the " (#id)" the dashboard appends. */
const names = (text: string) => text.replace(/ \(#[^)]*\)$/, '');

describe('signing in to the web pages', () => {
  it('the dashboard asks for a token, keeps it in session storage, then loads', async () => {
    const projectId = await createProject(suite.ts, 'sign-in project');
    const page = await suite.browser.newPage();
    await page.goto(`${suite.origin}/`);
    const gate = page.getByTestId('token-gate');
    await gate.waitFor();
    expect(await page.getByTestId('token-message').textContent()).toContain('requires an API token');
    await page.getByTestId('token-input').fill(TEST_ADMIN_TOKEN);
    await page.getByTestId('token-save').click();
    const select = page.getByTestId('project-select');
    await eventually(async () => (await select.locator('option').allTextContents()).map(names)).toContain('sign-in project');
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('taskq:token'))).toBe(TEST_ADMIN_TOKEN);
    expect(await page.getByTestId('token-gate').count()).toBe(0);
    expect(projectId).toBeTruthy();
    await page.close();
  });

  it('the sign-in link /#token=… signs in and leaves the address bar', async () => {
    const { token } = await mintToken(suite.ts, { role: 'VIEWER', projectId: await createProject(suite.ts, 'link project') });
    const page = await suite.browser.newPage();
    await page.goto(signedIn(`${suite.origin}/`, token));
    await eventually(async () => (await page.getByTestId('project-select').locator('option').allTextContents()).map(names)).toEqual(['link project']);
    expect(page.url()).not.toContain('token');
    expect(page.url()).not.toContain(token);
    await page.close();
  });

  it('a refused token shows why and asks for another (dashboard and GraphiQL)', async () => {
    const project = await createProject(suite.ts, 'revoked project');
    const minted = await mintToken(suite.ts, { role: 'VIEWER', projectId: project });
    await suite.ts.ok(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: minted.id });
    const page = await suite.browser.newPage();
    await page.goto(signedIn(`${suite.origin}/`, minted.token));
    await page.getByTestId('token-gate').waitFor();
    await eventually(() => page.getByTestId('token-message').textContent()).toContain('The server refused the token: This API token was revoked');
    await page.close();

    const graphiql = await suite.browser.newPage();
    // GraphiQL loads the schema at once: that request is refused and the form says why.
    await graphiql.goto(signedIn(`${suite.origin}/graphiql`, minted.token));
    await graphiql.getByTestId('token-gate').waitFor();
    await eventually(() => graphiql.getByTestId('token-message').textContent()).toContain('revoked');
    await graphiql.close();
  });

  it('GraphiQL sends the token: a VIEWER reads, and is told FORBIDDEN for a mutation', async () => {
    const project = await createProject(suite.ts, 'viewer project');
    const { token } = await mintToken(suite.ts, { role: 'VIEWER', projectId: project });
    const page = await suite.browser.newPage();
    await page.goto(signedIn(`${suite.origin}/graphiql`, token));
    await waitForEditor(page);
    await setQuery(page, '{ viewer { role projectId } }');
    await run(page);
    await eventually(() => responseText(page)).toContain('"role": "VIEWER"');
    await setQuery(page, `mutation { createTask(input: { projectId: "${project}", title: "no" }) { id } }`);
    await run(page);
    await eventually(() => responseText(page)).toContain('FORBIDDEN');
    await page.close();
  });
});
