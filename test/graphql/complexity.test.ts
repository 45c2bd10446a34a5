import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject, createTask, errorCode } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

const ESTIMATE_FIELDS = `taskId estimatedTokens estimatedLoc estimatedFiles complexityScore complexityCategory
  suggestsDecomposition suggestionConfidence estimateConfidence suggestedSubtasks
  suggestedParallelGroups { groupId subtaskIds estimatedDurationMinutes canParallelize }
  subtasks { id title category dependencies complexityScore estimatedMinutes }
  estimatedDurationMinutes suggestionRationale timestamp
  shouldDecompose confidence decompositionSuggestions
  parallelizationOpportunities { groupId subtaskIds estimatedDurationMinutes canParallelize }`;

async function estimate(input: Record<string, unknown>) {
  return ts.gql(`query($i: ComplexityInput!) { estimateComplexity(input: $i) { ${ESTIMATE_FIELDS} } }`, { i: input });
}

const AUTH_DESCRIPTION = [
  'Implement distributed authentication across services:',
  '1. Design the token format',
  '2. Build the login endpoint',
  '3. Store sessions in Redis',
  '4. Rotate signing keys',
  '5. Write tests',
  '6. Document the flow',
].join('\n');
const AUTH_FILES = ['auth/token.ts', 'auth/login.ts', 'auth/session.ts', 'auth/keys.ts', 'auth/index.ts', 'auth/auth.test.ts'];

function expectAliasesEqual(e: any) {
  expect(e.shouldDecompose).toBe(e.suggestsDecomposition);
  expect(e.confidence).toBe(e.suggestionConfidence);
  expect(e.decompositionSuggestions).toEqual(e.suggestedSubtasks);
  expect(e.parallelizationOpportunities).toEqual(e.suggestedParallelGroups);
}

describe('estimateComplexity', () => {
  it('"Fix typo in documentation" is small: score < 50, LOC < 150, no decomposition, confidence > 0.5', async () => {
    const before = Date.now();
    const { data, errors } = await estimate({ description: 'Fix typo in documentation' });
    expect(errors).toBeUndefined();
    const e = data.estimateComplexity;
    expect(e).toMatchObject({
      taskId: null,
      estimatedLoc: 120,
      complexityScore: 46.5,
      estimatedTokens: 246,
      estimatedFiles: 1,
      estimatedDurationMinutes: 24,
      complexityCategory: 'medium',
      suggestsDecomposition: false,
      suggestionConfidence: 0.6,
      estimateConfidence: 0.6,
      suggestedSubtasks: [],
      subtasks: [],
      suggestedParallelGroups: [],
      suggestionRationale: 'Manageable as a single unit: complexity score 46.5, about 120 lines of code in 1 file.',
    });
    expect(new Date(e.timestamp).getTime()).toBeGreaterThanOrEqual(before - 2000);
    expectAliasesEqual(e);
  });

  it('a six-point distributed authentication feature over six files scores > 60, LOC > 200, and is decomposed', async () => {
    const { data, errors } = await estimate({ description: AUTH_DESCRIPTION, files: AUTH_FILES });
    expect(errors).toBeUndefined();
    const e = data.estimateComplexity;
    expect(e).toMatchObject({
      estimatedLoc: 836,
      complexityScore: 100,
      estimatedTokens: 1720,
      estimatedFiles: 6,
      estimatedDurationMinutes: 167,
      complexityCategory: 'very_high',
      suggestsDecomposition: true,
      suggestionConfidence: 0.7,
    });
    expect(e.suggestedSubtasks).toEqual(['Design the data model and API', 'Implement the core functionality', 'Add test coverage', 'Write user documentation']);
    expect(e.subtasks.map((s: any) => [s.id, s.category, s.dependencies])).toEqual([
      [1, 'design', []],
      [2, 'implement', [1]],
      [3, 'implement', [1]],
      [4, 'document', [2, 3]],
    ]);
    expect(e.suggestedParallelGroups).toEqual([
      { groupId: 0, subtaskIds: [1], estimatedDurationMinutes: 33, canParallelize: false },
      { groupId: 1, subtaskIds: [2, 3], estimatedDurationMinutes: 50, canParallelize: true },
      { groupId: 2, subtaskIds: [4], estimatedDurationMinutes: 20, canParallelize: false },
    ]);
    expectAliasesEqual(e);
  });

  it('blends an external estimate 0.4 / 0.6, and a confident one decides the decomposition', async () => {
    // Heuristic of "Fix typo in documentation": tokens 246, LOC 120, files 1, score 46.5.
    const external = { estimatedTokens: 1000, estimatedLoc: 200, estimatedFiles: 2, complexityScore: 30, confidence: 0.9, suggestsDecomposition: true };
    const { data, errors } = await estimate({ description: 'Fix typo in documentation', externalEstimate: external });
    expect(errors).toBeUndefined();
    expect(data.estimateComplexity).toMatchObject({
      estimatedTokens: 698, // floor(98.4 + 600)
      estimatedLoc: 168, // floor(48 + 120)
      complexityScore: 36.6, // 18.6 + 18
      suggestsDecomposition: true,
      suggestionConfidence: 0.9,
      shouldDecompose: true,
      confidence: 0.9,
    });
  });

  it('uses the task type: a bug_fix weighs less than the default feature_implementation', async () => {
    const feature = (await estimate({ description: 'Fix typo in documentation' })).data.estimateComplexity;
    const bug = (await estimate({ description: 'Fix typo in documentation', taskType: 'bug_fix' })).data.estimateComplexity;
    expect(bug.complexityScore).toBe(24.8); // 31 x 0.8
    expect(bug.complexityScore).toBeLessThan(feature.complexityScore);
    expect(bug.estimateConfidence).toBe(0.7);
  });

  it('refuses bad input with BAD_USER_INPUT naming the field', async () => {
    const empty = await estimate({ description: '   ' });
    expect(errorCode(empty)).toBe('BAD_USER_INPUT');
    expect(empty.errors![0].message).toBe('description must not be empty');
    expect(empty.errors![0].extensions.field).toBe('description');

    const score = await estimate({
      description: 'Fix typo',
      externalEstimate: { estimatedTokens: 1, estimatedLoc: 1, estimatedFiles: 1, complexityScore: 150 },
    });
    expect(errorCode(score)).toBe('BAD_USER_INPUT');
    expect(score.errors![0].message).toBe('externalEstimate.complexityScore must be between 0 and 100, got 150');
    expect(score.errors![0].extensions.field).toBe('externalEstimate.complexityScore');

    const negative = await estimate({
      description: 'Fix typo',
      externalEstimate: { estimatedTokens: -5, estimatedLoc: 1, estimatedFiles: 1, complexityScore: 10 },
    });
    expect(errorCode(negative)).toBe('BAD_USER_INPUT');
    expect(negative.errors![0].message).toMatch(/externalEstimate\.estimatedTokens must be a number of at least 0/);
  });

  it('marks the pre-rename names deprecated in introspection, pointing at the new ones', async () => {
    const data = await ts.ok(`{ __type(name: "ComplexityEstimate") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }`);
    const fields = new Map<string, any>(data.__type.fields.map((f: any) => [f.name, f]));
    const renamed: Record<string, string> = {
      shouldDecompose: 'suggestsDecomposition',
      confidence: 'suggestionConfidence',
      decompositionSuggestions: 'suggestedSubtasks',
      parallelizationOpportunities: 'suggestedParallelGroups',
    };
    for (const [old, current] of Object.entries(renamed)) {
      expect(fields.get(old)).toMatchObject({ isDeprecated: true });
      expect(fields.get(old).deprecationReason).toContain(current);
      expect(fields.get(current)).toMatchObject({ isDeprecated: false });
    }
  });
});

describe('Task.complexity', () => {
  it('is stored at creation, with taskId = the task id and the estimate of its title and description', async () => {
    const p = await createProject(ts);
    const dep = await createTask(ts, { projectId: p, title: 'Prepare' });
    const task = await createTask(ts, { projectId: p, title: 'Implement distributed authentication', description: AUTH_DESCRIPTION.split('\n').slice(1).join('\n'), dependencies: [dep.id] });
    const data = await ts.ok(`query($id: ID!) { task(id: $id) { createdAt complexity { ${ESTIMATE_FIELDS} } } }`, { id: task.id });
    const stored = data.task.complexity;
    expect(stored.taskId).toBe(task.id);
    expect(Math.abs(new Date(stored.timestamp).getTime() - new Date(data.task.createdAt).getTime())).toBeLessThan(1000);
    expectAliasesEqual(stored);

    const direct = (await estimate({ description: `Implement distributed authentication\n${AUTH_DESCRIPTION.split('\n').slice(1).join('\n')}`, dependencies: [dep.id] })).data.estimateComplexity;
    const { taskId: _a, timestamp: _b, ...storedFigures } = stored;
    const { taskId: _c, timestamp: _d, ...directFigures } = direct;
    expect(storedFigures).toEqual(directFigures);
    expect(stored.suggestsDecomposition).toBe(true);
  });

  it('is listed for many tasks from the rows themselves', async () => {
    const p = await createProject(ts);
    for (let i = 0; i < 5; i++) await createTask(ts, { projectId: p, title: `Fix bug ${i}` });
    const data = await ts.ok(`query($p: ID!) { tasks(filter: { projectId: $p }) { edges { node { id complexity { taskId complexityScore } } } } }`, { p });
    for (const { node } of data.tasks.edges) {
      expect(node.complexity.taskId).toBe(node.id);
      expect(node.complexity.complexityScore).toBeGreaterThan(0);
    }
  });

  it('updateTask re-estimates when the title or description changes, and only then', async () => {
    const p = await createProject(ts);
    const task = await createTask(ts, { projectId: p, title: 'Fix typo in documentation' });
    const read = async () => (await ts.ok(`query($id: ID!) { task(id: $id) { complexity { taskId complexityScore suggestsDecomposition timestamp } } }`, { id: task.id })).task.complexity;
    const before = await read();
    expect(before).toMatchObject({ complexityScore: 46.5, suggestsDecomposition: false, taskId: task.id });

    const update = (input: Record<string, unknown>) =>
      ts.ok(`mutation($id: ID!, $i: UpdateTaskInput!) { updateTask(id: $id, input: $i) { id complexity { complexityScore suggestsDecomposition timestamp } } }`, { id: task.id, i: input });
    const contextOnly = (await update({ context: { repo: 'docs' } })).updateTask.complexity;
    expect(contextOnly).toEqual({ complexityScore: 46.5, suggestsDecomposition: false, timestamp: before.timestamp });

    const bigger = (await update({ title: 'Implement distributed authentication', description: AUTH_DESCRIPTION.split('\n').slice(1).join('\n') })).updateTask.complexity;
    expect(bigger.complexityScore).toBe(100);
    expect(bigger.suggestsDecomposition).toBe(true);
    expect(new Date(bigger.timestamp).getTime()).toBeGreaterThanOrEqual(new Date(before.timestamp).getTime());
    expect(await read()).toMatchObject({ complexityScore: 100, suggestsDecomposition: true, taskId: task.id });
  });
});

describe('Task.complexity on tasks from the claim and completion paths', () => {
  it('is loaded on demand (those paths leave the column out) and matches the stored estimate', async () => {
    const p = await createProject(ts);
    const created = await ts.ok(`mutation($i: CreateTaskInput!) { createTask(input: $i) { id complexity { complexityScore estimatedLoc taskId } } }`, {
      i: { projectId: p, title: 'Implement and test the login flow' },
    });
    const claimed = await ts.ok(`mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "w") { id complexity { complexityScore estimatedLoc taskId } } }`, { p });
    expect(claimed.claimNextTask.complexity).toEqual(created.createTask.complexity);
    expect(claimed.claimNextTask.complexity.taskId).toBe(created.createTask.id);
    const done = await ts.ok(`mutation($id: ID!) { completeTask(id: $id, workerId: "w") { complexity { complexityScore } } }`, { id: created.createTask.id });
    expect(done.completeTask.complexity.complexityScore).toBe(created.createTask.complexity.complexityScore);
  });
});
