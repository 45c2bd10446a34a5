/**
 * The weights config: defaults as data, overrides merged over them, and refusals that name the
 * section and key.
 */
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/domain/errors';
import {
  DEFAULT_COMPLEXITY_WEIGHTS,
  estimateComplexity,
  parseComplexityConfigText,
  parseComplexityWeights,
  subtaskCategory,
  suggestedSubtaskTitles,
  type ComplexityInput,
} from '../../src/domain/complexity';

const now = new Date(0);
const scoreWith = (weights: ReturnType<typeof parseComplexityWeights>, input: ComplexityInput) =>
  estimateComplexity({ taskType: 'chore', ...input }, { now, weights }).complexityScore;

function refusal(raw: unknown): BadInputError {
  try {
    parseComplexityWeights(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    return error as BadInputError;
  }
  throw new Error('expected the config to be refused');
}

describe('defaults', () => {
  it('hold the numbers of DESIGN.md', () => {
    const w = DEFAULT_COMPLEXITY_WEIGHTS;
    expect(w.base).toEqual({ loc: 50, score: 20 });
    expect(w.keywordGroups.high).toEqual({
      keywords: ['implement', 'create', 'build', 'develop', 'design'],
      loc: 100,
      score: 15,
    });
    expect(w.concepts.algorithm!.multiplier).toBe(1.8);
    expect(Object.values(w.concepts).map((c) => c.multiplier)).toEqual([1.8, 1, 1, 1, 1]);
    expect(w.blend).toMatchObject({ heuristic: 0.4, external: 0.6, defaultExternalConfidence: 0.7 });
    expect(w.categories).toEqual({ lowMax: 30, mediumMax: 60, highMax: 85 });
  });

  it('are frozen', () => {
    expect(Object.isFrozen(DEFAULT_COMPLEXITY_WEIGHTS.keywordGroups.high.keywords)).toBe(true);
  });

  it('come back unchanged from an empty config', () => {
    expect(parseComplexityWeights({})).toEqual(DEFAULT_COMPLEXITY_WEIGHTS);
  });
});

describe('overrides', () => {
  it("switch on the origin's unapplied concept multipliers, keeping the other sets", () => {
    const weights = parseComplexityWeights({
      concepts: { concurrency: { keywords: ['thread', 'async', 'parallel', 'concurrent', 'lock'], multiplier: 2.0 } },
    });
    expect(scoreWith(weights, { description: 'Tidy the async code' })).toBe(40);
    expect(scoreWith(weights, { description: 'Tidy the sort' })).toBe(36); // algorithm still 1.8
    expect(weights.concepts.security).toEqual(DEFAULT_COMPLEXITY_WEIGHTS.concepts.security);
  });

  it('add a task type and a concept set', () => {
    const weights = parseComplexityWeights({
      taskTypes: { defaultType: 'feature_implementation', unknownMultiplier: 1, multipliers: { spike: 0.5 } },
      concepts: { caching: { keywords: ['cache'], multiplier: 1.5 } },
    });
    expect(weights.taskTypes.multipliers.bug_fix).toBe(0.8);
    expect(scoreWith(weights, { description: 'Tidy up', taskType: 'spike' })).toBe(10);
    expect(scoreWith(weights, { description: 'Tidy the cache' })).toBe(30);
  });

  it('replace a whole section, and lists inside it', () => {
    const weights = parseComplexityWeights({
      keywordGroups: {
        high: { keywords: ['rewrite'], loc: 200, score: 30 },
        medium: { keywords: ['fix'], loc: 50, score: 8 },
        low: { keywords: ['tweak'], loc: 10, score: 1 },
      },
    });
    const e = estimateComplexity({ description: 'Rewrite and implement', taskType: 'chore' }, { now, weights });
    expect([e.estimatedLoc, e.complexityScore]).toEqual([250, 50]); // "implement" no longer counts
  });

  it('change thresholds that the decision uses', () => {
    // "Implement the fix" scores 64.5 by default: decomposed at 60, not at 70.
    const weights = parseComplexityWeights({
      decomposition: { minScore: 70, minLoc: 400, minFiles: 5, minTokens: 8000 },
    });
    expect(estimateComplexity({ description: 'Implement the fix' }, { now }).suggestsDecomposition).toBe(true);
    expect(estimateComplexity({ description: 'Implement the fix' }, { now, weights }).suggestsDecomposition).toBe(
      false,
    );
  });

  it('floor a LOC that a fractional file weight makes fractional', () => {
    const weights = parseComplexityWeights({
      files: {
        brackets: [{ maxFiles: 1, weight: 1.25 }],
        beyondWeight: 2.5,
        extensions: ['py'],
      },
    });
    // "Please comment it": LOC 70 x 1.25 = 87.5 -> 87; score 23 x 1.25 = 28.75.
    const e = estimateComplexity(
      { description: 'Please comment it', files: ['a.py'], taskType: 'chore' },
      { now, weights },
    );
    expect([e.estimatedLoc, e.complexityScore]).toEqual([87, 28.75]);
  });

  it('read YAML and JSON text', () => {
    const yaml = parseComplexityConfigText(
      ['listItems:', '  moreThan: 0', '  locPerItem: 10', '  scorePerItem: 1', ''].join('\n'),
      'complexity.yaml',
    );
    expect(yaml.listItems).toEqual({ moreThan: 0, locPerItem: 10, scorePerItem: 1 });
    const json = parseComplexityConfigText('{"rationale": {"highScore": 80}}', 'complexity.json');
    expect(json.rationale.highScore).toBe(80);
    expect(json.base).toEqual(DEFAULT_COMPLEXITY_WEIGHTS.base);
  });
});

describe('refusals', () => {
  it('a section missing a required key, naming both', () => {
    const error = refusal({
      keywordGroups: {
        medium: { keywords: ['fix'], loc: 50, score: 8 },
        low: { keywords: ['test'], loc: 20, score: 3 },
      },
    });
    expect(error.message).toBe('complexity config: section "keywordGroups" is missing "high"');
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(
      refusal({ keywordGroups: { ...DEFAULT_COMPLEXITY_WEIGHTS.keywordGroups, low: { keywords: ['x'], loc: 1 } } })
        .message,
    ).toBe('complexity config: section "keywordGroups.low" is missing "score"');
    expect(refusal({ concepts: { caching: { keywords: ['cache'] } } }).message).toBe(
      'complexity config: section "concepts.caching" is missing "multiplier"',
    );
  });

  it('an unknown section or key', () => {
    expect(refusal({ weights: {} }).message).toMatch(
      /^complexity config: unknown section "weights" \(known sections: base, keywordGroups, /,
    );
    expect(refusal({ base: { loc: 50, score: 20, tokens: 1 } }).message).toBe(
      'complexity config: section "base" has unknown key "tokens" (known keys: loc, score)',
    );
  });

  it('wrong types and ranges', () => {
    expect(refusal({ base: { loc: 'many', score: 20 } }).message).toBe(
      'complexity config: "base.loc" must be a number, got string "many"',
    );
    expect(refusal({ base: [] }).message).toBe('complexity config: section "base" must be a mapping, got a list');
    expect(refusal({ verbs: { keywords: 'add', freeCount: 3, scorePerExtra: 5 } }).message).toBe(
      'complexity config: "verbs.keywords" must be a list of strings, got string "add"',
    );
    expect(refusal({ verbs: { keywords: ['add', 7], freeCount: 3, scorePerExtra: 5 } }).message).toBe(
      'complexity config: "verbs.keywords[1]" must be a non-empty string, got number 7',
    );
    expect(refusal({ verbs: { keywords: ['add'], freeCount: 2.5, scorePerExtra: 5 } }).message).toBe(
      'complexity config: "verbs.freeCount" must be a whole number, got 2.5',
    );
    expect(refusal({ confidence: { ...DEFAULT_COMPLEXITY_WEIGHTS.confidence, base: 1.5 } }).message).toBe(
      'complexity config: "confidence.base" must be at most 1, got 1.5',
    );
    expect(
      refusal({ taskTypes: { ...DEFAULT_COMPLEXITY_WEIGHTS.taskTypes, multipliers: { bug_fix: -1 } } }).message,
    ).toBe('complexity config: "taskTypes.multipliers.bug_fix" must be at least 0, got -1');
    expect(refusal({ limits: { ...DEFAULT_COMPLEXITY_WEIGHTS.limits, charsPerToken: 0 } }).message).toBe(
      'complexity config: "limits.charsPerToken" must be greater than 0, got 0',
    );
  });

  it('inconsistent values across keys', () => {
    expect(refusal({ categories: { lowMax: 60, mediumMax: 30, highMax: 85 } }).message).toBe(
      'complexity config: section "categories" must have lowMax < mediumMax < highMax, got 60, 30, 85',
    );
    expect(refusal({ blend: { ...DEFAULT_COMPLEXITY_WEIGHTS.blend, external: 0.5 } }).message).toBe(
      'complexity config: section "blend" must have heuristic + external = 1, got 0.4 + 0.5',
    );
    expect(
      refusal({
        files: {
          ...DEFAULT_COMPLEXITY_WEIGHTS.files,
          brackets: [
            { maxFiles: 3, weight: 1 },
            { maxFiles: 3, weight: 2 },
          ],
        },
      }).message,
    ).toBe('complexity config: "files.brackets[1].maxFiles" must be greater than the previous bracket\'s (3)');
  });

  it('subtask title lists outside 3 to 7 entries', () => {
    const generic = { ...DEFAULT_COMPLEXITY_WEIGHTS.subtasks.generic, defaultTitles: ['Plan', 'Do'] };
    expect(refusal({ subtasks: { ...DEFAULT_COMPLEXITY_WEIGHTS.subtasks, generic } }).message).toBe(
      'complexity config: "subtasks.generic.defaultTitles" must have at least 3 entries, got 2',
    );
  });

  it('a top level that is not a mapping, an empty file, broken syntax', () => {
    expect(refusal([]).message).toBe('complexity config: expected a mapping of sections at the top level, got a list');
    expect(() => parseComplexityConfigText('', 'complexity.yaml')).toThrow(
      'complexity config: complexity.yaml is empty; give at least one section or remove the setting',
    );
    expect(() => parseComplexityConfigText('base: {loc: 1', 'complexity.yaml')).toThrow(
      /^complexity config: complexity\.yaml is not valid YAML or JSON: /,
    );
    expect(() => parseComplexityConfigText('{"base": {"loc": 1}}', 'c.json')).toThrow(
      'complexity config: section "base" is missing "score"',
    );
  });
});

describe('open maps', () => {
  it('keep a "__proto__" key from JSON as a plain entry', () => {
    const weights = parseComplexityConfigText(
      '{"taskTypes": {"defaultType": "feature_implementation", "unknownMultiplier": 1, "multipliers": {"__proto__": 3}}}',
    );
    expect(Object.hasOwn(weights.taskTypes.multipliers, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(weights.taskTypes.multipliers)).toBe(Object.prototype);
  });
});

describe('defaults of DESIGN.md, every list', () => {
  it('concept sets and verbs', () => {
    const w = DEFAULT_COMPLEXITY_WEIGHTS;
    expect(w.concepts).toEqual({
      algorithm: { keywords: ['algorithm', 'sort', 'search', 'optimize', 'graph'], multiplier: 1.8 },
      concurrency: { keywords: ['thread', 'async', 'parallel', 'concurrent', 'lock'], multiplier: 1 },
      security: { keywords: ['auth', 'security', 'encrypt', 'validate', 'sanitize'], multiplier: 1 },
      integration: { keywords: ['integrate', 'api', 'external', 'third-party'], multiplier: 1 },
      database: { keywords: ['database', 'schema', 'migration', 'query', 'sql'], multiplier: 1 },
    });
    expect(w.verbs).toEqual({
      keywords: ['add', 'remove', 'modify', 'update', 'create', 'delete', 'implement', 'refactor', 'optimize', 'validate', 'test', 'document', 'fix', 'enhance', 'integrate', 'configure'],
      freeCount: 3,
      scorePerExtra: 5,
    });
    expect(w.dependencies).toEqual({ one: 5, two: 12, three: 20, fourOrMore: 40 });
  });
});

describe('more overrides', () => {
  it('dependency scores', () => {
    const weights = parseComplexityWeights({ dependencies: { one: 1, two: 2, three: 3, fourOrMore: 4 } });
    expect(scoreWith(weights, { description: 'Tidy up', dependencies: ['a'] }) - scoreWith(weights, { description: 'Tidy up' })).toBe(1);
  });

  it('the default task type', () => {
    const weights = parseComplexityWeights({ taskTypes: { ...DEFAULT_COMPLEXITY_WEIGHTS.taskTypes, defaultType: 'bug_fix' } });
    expect(weights.taskTypes.defaultType).toBe('bug_fix');
    expect(estimateComplexity({ description: 'Tidy up' }, { now, weights }).complexityScore).toBe(16); // 20 x 0.8
  });

  it('the kinds of task and the subtask categories', () => {
    const weights = parseComplexityWeights({
      subtasks: {
        ...DEFAULT_COMPLEXITY_WEIGHTS.subtasks,
        kinds: [{ name: 'data', keywords: ['etl'], titles: ['Extract the rows', 'Transform them', 'Launch the load'] }],
        categories: { ...DEFAULT_COMPLEXITY_WEIGHTS.subtasks.categories, deploy: { keywords: ['launch'], multiplier: 2 } },
      },
    });
    expect(suggestedSubtaskTitles('Run the ETL', { tokens: 0, loc: 0, files: 1, score: 0, minutes: 0, confidence: 0 }, weights)).toEqual([
      'Extract the rows',
      'Transform them',
      'Launch the load',
    ]);
    expect(subtaskCategory('Launch the load', weights)).toBe('deploy');
    expect(subtaskCategory('Launch the load', DEFAULT_COMPLEXITY_WEIGHTS)).toBe('other');
  });

  it('are frozen like the defaults, sections given and kept alike', () => {
    const weights = parseComplexityWeights({ verbs: { keywords: ['add'], freeCount: 3, scorePerExtra: 5 } });
    expect(Object.isFrozen(weights)).toBe(true);
    expect(Object.isFrozen(weights.verbs)).toBe(true);
    expect(Object.isFrozen(weights.verbs.keywords)).toBe(true);
    expect(Object.isFrozen(weights.concepts.algorithm!.keywords)).toBe(true);
    expect(() => (weights.verbs.keywords as string[]).push('remove')).toThrow(TypeError);
  });

  it('a fraction may be 1 and a bound may be met exactly', () => {
    expect(parseComplexityWeights({ confidence: { ...DEFAULT_COMPLEXITY_WEIGHTS.confidence, base: 1 } }).confidence.base).toBe(1);
  });
});

describe('more refusals, each naming its path', () => {
  it('a section given as null, a mapping where a number belongs', () => {
    const e = refusal({ base: null });
    expect(e.message).toBe('complexity config: section "base" must be a mapping, got null');
    expect(e.extensions).toEqual({ path: 'base' });
    expect(refusal({ base: { loc: {}, score: 1 } }).message).toBe('complexity config: "base.loc" must be a number, got a mapping');
    expect(refusal({ concepts: [] }).message).toBe('complexity config: section "concepts" must be a mapping, got a list');
  });

  it('NaN and infinity from YAML', () => {
    expect(() => parseComplexityConfigText('base: { loc: .nan, score: 1 }')).toThrow('complexity config: "base.loc" must be a number, got NaN');
    expect(() => parseComplexityConfigText('base: { loc: .inf, score: 1 }')).toThrow('complexity config: "base.loc" must be a number, got Infinity');
  });

  it('a blank default task type', () => {
    const e = refusal({ taskTypes: { ...DEFAULT_COMPLEXITY_WEIGHTS.taskTypes, defaultType: '  ' } });
    expect(e.message).toBe('complexity config: "taskTypes.defaultType" must be a non-empty string, got string "  "');
    expect(e.extensions).toEqual({ path: 'taskTypes.defaultType' });
  });

  it('more than 7 subtask titles, a kinds list that is not a list, a kind without a name', () => {
    const titles = ['1', '2', '3', '4', '5', '6', '7'];
    const generic = (defaultTitles: string[]) => ({ subtasks: { ...DEFAULT_COMPLEXITY_WEIGHTS.subtasks, generic: { ...DEFAULT_COMPLEXITY_WEIGHTS.subtasks.generic, defaultTitles } } });
    expect(parseComplexityWeights(generic(titles)).subtasks.generic.defaultTitles).toEqual(titles);
    const e = refusal(generic([...titles, '8']));
    expect(e.message).toBe('complexity config: "subtasks.generic.defaultTitles" must have at most 7 entries, got 8');
    expect(e.extensions).toEqual({ path: 'subtasks.generic.defaultTitles' });
    expect(refusal({ subtasks: { ...DEFAULT_COMPLEXITY_WEIGHTS.subtasks, kinds: 'feature' } }).message).toBe(
      'complexity config: "subtasks.kinds" must be a list, got string "feature"',
    );
    const kinds = [DEFAULT_COMPLEXITY_WEIGHTS.subtasks.kinds[0], { keywords: ['x'], titles: ['a', 'b', 'c'] }];
    const missing = refusal({ subtasks: { ...DEFAULT_COMPLEXITY_WEIGHTS.subtasks, kinds } });
    expect(missing.message).toBe('complexity config: section "subtasks.kinds[1]" is missing "name"');
    expect(missing.extensions).toEqual({ path: 'subtasks.kinds[1].name' });
    const unnamed = [{ name: 5, keywords: ['x'], titles: ['a', 'b', 'c'] }];
    expect(refusal({ subtasks: { ...DEFAULT_COMPLEXITY_WEIGHTS.subtasks, kinds: unnamed } }).message).toBe(
      'complexity config: "subtasks.kinds[0].name" must be a non-empty string, got number 5',
    );
  });

  it('an unknown key is named with its path', () => {
    expect(refusal({ base: { loc: 50, score: 20, tokens: 1 } }).extensions).toEqual({ path: 'base.tokens' });
  });

  it('categories that are not strictly increasing, bracket and blend paths', () => {
    expect(refusal({ categories: { lowMax: 30, mediumMax: 30, highMax: 85 } }).extensions).toEqual({ path: 'categories' });
    expect(refusal({ categories: { lowMax: 30, mediumMax: 85, highMax: 85 } }).message).toBe(
      'complexity config: section "categories" must have lowMax < mediumMax < highMax, got 30, 85, 85',
    );
    const brackets = [{ maxFiles: 3, weight: 1 }, { maxFiles: 2, weight: 2 }];
    expect(refusal({ files: { ...DEFAULT_COMPLEXITY_WEIGHTS.files, brackets } }).extensions).toEqual({ path: 'files.brackets[1].maxFiles' });
    expect(refusal({ blend: { ...DEFAULT_COMPLEXITY_WEIGHTS.blend, external: 0.5 } }).extensions).toEqual({ path: 'blend' });
  });

  it('two kinds of task with one name', () => {
    const kind = DEFAULT_COMPLEXITY_WEIGHTS.subtasks.kinds[0]!;
    const e = refusal({ subtasks: { ...DEFAULT_COMPLEXITY_WEIGHTS.subtasks, kinds: [kind, { ...kind, keywords: ['other'] }] } });
    expect(e.message).toBe('complexity config: "subtasks.kinds[1].name" repeats "feature"');
    expect(e.extensions).toEqual({ path: 'subtasks.kinds[1].name' });
  });

  it('a top level that is not a mapping, or a file holding only null, names no path', () => {
    expect(refusal(5).extensions).toEqual({ path: '' });
    for (const text of ['', 'null', '~']) {
      const e = (() => {
        try {
          parseComplexityConfigText(text);
        } catch (error) {
          return error as BadInputError;
        }
        throw new Error('accepted');
      })();
      expect(e.message).toBe('complexity config: the config file is empty; give at least one section or remove the setting');
      expect(e.extensions).toEqual({ path: '' });
    }
  });

  it("a syntax error quotes the first line of the parser's message, and no path", () => {
    let error: BadInputError | undefined;
    try {
      parseComplexityConfigText('base: {loc: 1');
    } catch (e) {
      error = e as BadInputError;
    }
    expect(error!.message).toMatch(/^complexity config: the config file is not valid YAML or JSON: \S.{10,}$/);
    expect(error!.message).not.toContain('\n');
    expect(error!.extensions).toEqual({ path: '' });
  });
});
