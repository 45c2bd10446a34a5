/**
 * Suggested subtasks: the kind chosen from the description, each subtask's category and
 * dependencies from its own title, its share of the work, and the parallel groups.
 */
import { describe, expect, it } from 'vitest';
import type { Figures } from '../../src/domain/complexity/heuristic';
import {
  DEFAULT_COMPLEXITY_WEIGHTS as W,
  estimateComplexity,
  parallelGroups,
  planSubtasks,
  subtaskCategory,
  suggestedSubtaskTitles,
} from '../../src/domain/complexity';

const small: Figures = { tokens: 500, loc: 100, files: 1, score: 60, minutes: 120, confidence: 0.6 };
const kindOf = (description: string, f: Figures = small) => suggestedSubtaskTitles(description, f, W);
const structure = (description: string, f: Figures = small) =>
  planSubtasks(kindOf(description, f), f, W).map((s) => [s.category, s.dependencies]);
const levels = (description: string, f: Figures = small) =>
  parallelGroups(planSubtasks(kindOf(description, f), f, W)).map((g) => g.subtaskIds);

describe('the kind of task', () => {
  it('feature: design, then two implementations, then documentation', () => {
    expect(kindOf('Build a reporting dashboard')).toEqual([
      'Design the data model and API',
      'Implement the core functionality',
      'Add test coverage',
      'Write user documentation',
    ]);
    // "Add test coverage" contains "add": an implement subtask, as the origin's rules have it.
    expect(structure('Build a reporting dashboard')).toEqual([
      ['design', []],
      ['implement', [1]],
      ['implement', [1]],
      ['document', [2, 3]],
    ]);
    expect(levels('Build a reporting dashboard')).toEqual([[1], [2, 3], [4]]);
    expect(kindOf('Please add feature flags')).toEqual(kindOf('Build a reporting dashboard'));
  });

  it('bug: reproduce and fix in parallel, verify last', () => {
    const description = 'Crash when saving: error on save';
    expect(kindOf(description)).toEqual([
      'Reproduce the bug with a minimal test',
      'Identify the root cause and implement the fix',
      'Add regression tests',
      'Verify the fix in a production-like environment',
    ]);
    expect(structure(description)).toEqual([
      ['test', []],
      ['implement', []],
      ['implement', []],
      ['test', [2, 3]],
    ]);
    expect(levels(description)).toEqual([[1, 2, 3], [4]]);
  });

  it('refactor: analysis, plan, execution and validation', () => {
    const description = 'Refactor the billing module';
    expect(kindOf(description)).toEqual([
      'Analyze the current structure',
      'Plan the refactoring',
      'Execute the refactoring with tests kept green',
      'Validate behaviour and performance',
    ]);
    // No implement subtask, so the tests depend on nothing; "analyze" matches no category.
    expect(structure(description)).toEqual([
      ['other', []],
      ['design', []],
      ['test', []],
      ['test', []],
    ]);
    expect(levels(description)).toEqual([[1, 2, 3, 4]]);
  });

  it('integration: interfaces, layer and tests, documentation', () => {
    const description = 'Connect to the payments API';
    expect(kindOf(description)).toEqual([
      'Design the interfaces and contracts',
      'Implement the integration layer with error handling',
      'Add integration tests',
      'Document setup and usage',
    ]);
    expect(structure(description)).toEqual([
      ['design', []],
      ['implement', [1]],
      ['implement', [1]],
      ['document', [2, 3]],
    ]);
  });

  it('database: schema design, migrations, models, staging test', () => {
    const description = 'Split the orders table: schema change';
    expect(kindOf(description)).toEqual([
      'Design the schema change and migration strategy',
      'Implement the migrations with rollback',
      'Update the ORM models and queries',
      'Test the migration on staging',
    ]);
    // "models" contains "model": a design subtask.
    expect(structure(description)).toEqual([
      ['design', []],
      ['implement', [1]],
      ['design', []],
      ['test', [2]],
    ]);
    expect(levels(description)).toEqual([[1, 3], [2], [4]]);
  });

  it('takes the first kind that matches, in order feature, bug, refactor, integration, database', () => {
    expect(kindOf('Build an API')[0]).toBe('Design the data model and API');
    expect(kindOf('Fix the API')[0]).toBe('Reproduce the bug with a minimal test');
    expect(kindOf('Refactor the schema')[0]).toBe('Analyze the current structure');
    expect(kindOf('Connect the database')[0]).toBe('Design the interfaces and contracts');
    expect(kindOf('There is an issue with the build')[0]).toBe('Design the data model and API');
  });

  it('generic by size: 4 steps for more than 5 files, 3 for more than 300 LOC, else 3', () => {
    const many = kindOf('Tidy up', { ...small, files: 6 });
    expect(many).toHaveLength(4);
    expect(structure('Tidy up', { ...small, files: 6 })).toEqual([
      ['design', []],
      ['implement', [1]],
      ['implement', [1]],
      ['test', [2, 3]],
    ]);
    expect(kindOf('Tidy up', { ...small, files: 5, loc: 301 })).toEqual([
      'Plan the implementation in stages',
      'Implement the core of the change',
      'Test and verify the complete change',
    ]);
    expect(kindOf('Tidy up', { ...small, files: 5, loc: 300 })).toEqual([
      'Plan the approach',
      'Implement the change',
      'Verify the change with tests',
    ]);
    expect(structure('Tidy up')).toEqual([
      ['design', []],
      ['implement', [1]],
      ['test', [2]],
    ]);
  });
});

describe('each subtask', () => {
  it('takes its category from the first matching rule of its own title', () => {
    expect(subtaskCategory('Plan the architecture', W)).toBe('design');
    expect(subtaskCategory('Design and implement', W)).toBe('design');
    expect(subtaskCategory('Develop the parser', W)).toBe('implement');
    expect(subtaskCategory('Validate the output', W)).toBe('test');
    expect(subtaskCategory('Update the README', W)).toBe('document');
    expect(subtaskCategory('Hook up the webhook', W)).toBe('integrate');
    expect(subtaskCategory('Release version two', W)).toBe('deploy');
    expect(subtaskCategory('Celebrate', W)).toBe('other');
  });

  it('depends on earlier subtasks by category, and shares the work by multiplier', () => {
    const titles = [
      'Plan the rollout',
      'Implement the service',
      'Write docs',
      'Hook up monitoring',
      'Ship it',
      'Tidy the backlog',
    ];
    // n = 6 of score 60 and 120 minutes: shares of 10 and 20, times 0.8, 1.2, 0.5, 1.0, 0.9, 1.0.
    expect(planSubtasks(titles, small, W)).toEqual([
      {
        id: 1,
        title: 'Plan the rollout',
        category: 'design',
        dependencies: [],
        complexityScore: 8,
        estimatedMinutes: 16,
      },
      {
        id: 2,
        title: 'Implement the service',
        category: 'implement',
        dependencies: [1],
        complexityScore: 12,
        estimatedMinutes: 24,
      },
      { id: 3, title: 'Write docs', category: 'document', dependencies: [2], complexityScore: 5, estimatedMinutes: 15 },
      {
        id: 4,
        title: 'Hook up monitoring',
        category: 'integrate',
        dependencies: [2],
        complexityScore: 10,
        estimatedMinutes: 20,
      },
      {
        id: 5,
        title: 'Ship it',
        category: 'deploy',
        dependencies: [1, 2, 3, 4],
        complexityScore: 9,
        estimatedMinutes: 18,
      },
      {
        id: 6,
        title: 'Tidy the backlog',
        category: 'other',
        dependencies: [5],
        complexityScore: 10,
        estimatedMinutes: 20,
      },
    ]);
    expect(parallelGroups(planSubtasks(titles, small, W))).toEqual([
      { groupId: 0, subtaskIds: [1], estimatedDurationMinutes: 16, canParallelize: false },
      { groupId: 1, subtaskIds: [2], estimatedDurationMinutes: 24, canParallelize: false },
      { groupId: 2, subtaskIds: [3, 4], estimatedDurationMinutes: 20, canParallelize: true },
      { groupId: 3, subtaskIds: [5], estimatedDurationMinutes: 18, canParallelize: false },
      { groupId: 4, subtaskIds: [6], estimatedDurationMinutes: 20, canParallelize: false },
    ]);
  });

  it('caps a subtask score at 100', () => {
    const [only] = planSubtasks(['Implement everything'], { ...small, score: 100, minutes: 60 }, W);
    expect(only).toMatchObject({ complexityScore: 100, estimatedMinutes: 72 }); // 100 x 1.2, 60 x 1.2
  });
});

describe('end to end', () => {
  it('suggests subtasks only when decomposing', () => {
    const now = new Date(0);
    expect(estimateComplexity({ description: 'Refactor it' }, { now }).suggestedSubtasks).toEqual([]);
    // "refactor": LOC 100, score 28 x1.2 (refactoring) = 33.6; 12 files -> x2.5 = LOC 250,
    // score 70 x 1.2 = 84; decomposed (score and files).
    const files = Array.from({ length: 12 }, (_, i) => `m${i}.py`);
    const e = estimateComplexity({ description: 'Refactor it', files, taskType: 'refactoring' }, { now });
    expect(e.complexityScore).toBe(84);
    expect(e.suggestsDecomposition).toBe(true);
    expect(e.suggestedSubtasks[0]).toBe('Analyze the current structure');
    expect(e.suggestedParallelGroups).toEqual([
      { groupId: 0, subtaskIds: [1, 2, 3, 4], estimatedDurationMinutes: 15, canParallelize: true },
    ]);
  });
});
