/**
 * Every number and keyword list of the complexity heuristic (DESIGN.md, "The complexity
 * estimator"), in one place, as data. The defaults reproduce the origin's estimates; a config file
 * may override them (see weights-config.ts). Keywords are matched as case-insensitive substrings
 * of the description, each keyword counting once.
 */

export interface KeywordGroup {
  readonly keywords: readonly string[];
  /** Added to the LOC estimate per keyword present. */
  readonly loc: number;
  /** Added to the score per keyword present. */
  readonly score: number;
}

export interface ConceptSet {
  readonly keywords: readonly string[];
  /** The score is multiplied by this once when any keyword of the set is present. */
  readonly multiplier: number;
}

export interface FileWeightBracket {
  /** Applies to file lists of up to this many entries (and more than the previous bracket's). */
  readonly maxFiles: number;
  readonly weight: number;
}

/** A kind of task (feature, bug, …) recognised from the description, with its subtask titles. */
export interface SubtaskKind {
  readonly name: string;
  readonly keywords: readonly string[];
  readonly titles: readonly string[];
}

/** How a subtask's own title maps to a category, and that category's complexity multiplier. */
export interface SubtaskCategoryRule {
  readonly keywords: readonly string[];
  readonly multiplier: number;
}

export interface ComplexityWeights {
  /** Step 1: the starting point. */
  readonly base: { readonly loc: number; readonly score: number };
  /** Step 2. */
  readonly keywordGroups: { readonly high: KeywordGroup; readonly medium: KeywordGroup; readonly low: KeywordGroup };
  /** Step 3: weight by the length of `files`, else count file names in the text. */
  readonly files: {
    readonly brackets: readonly FileWeightBracket[];
    /** Weight for lists longer than the last bracket. */
    readonly beyondWeight: number;
    /** Extensions of the file-name pattern `\b\w+\.(ext|…)\b`, in the origin's order. */
    readonly extensions: readonly string[];
  };
  /** Step 4: named concept sets (an open map: a config may add sets). */
  readonly concepts: Readonly<Record<string, ConceptSet>>;
  /** Step 5: verbs present beyond `freeCount` add `scorePerExtra` each. */
  readonly verbs: { readonly keywords: readonly string[]; readonly freeCount: number; readonly scorePerExtra: number };
  /** Step 6: when more than `moreThan` list items, each adds LOC and score. */
  readonly listItems: { readonly moreThan: number; readonly locPerItem: number; readonly scorePerItem: number };
  /** Step 7: score added for 1, 2, 3, and 4 or more dependencies. */
  readonly dependencies: {
    readonly one: number;
    readonly two: number;
    readonly three: number;
    readonly fourOrMore: number;
  };
  /** Step 8. */
  readonly taskTypes: {
    readonly defaultType: string;
    readonly unknownMultiplier: number;
    readonly multipliers: Readonly<Record<string, number>>;
  };
  /** Step 9. */
  readonly limits: {
    readonly maxScore: number;
    readonly charsPerToken: number;
    readonly tokensPerLoc: number;
    readonly locPerMinute: number;
    readonly minMinutes: number;
  };
  /** Steps 10 and 11. The ambiguous zone is centred on decomposition.minScore. */
  readonly confidence: {
    readonly base: number;
    readonly filesBonus: number;
    readonly typeBonus: number;
    readonly ambiguousMargin: number;
    readonly ambiguousFactor: number;
  };
  /** Step 11: any one of these suggests decomposition. */
  readonly decomposition: {
    readonly minScore: number;
    readonly minLoc: number;
    readonly minFiles: number;
    readonly minTokens: number;
  };
  /** Step 14: the score named as a reason from this value on. */
  readonly rationale: { readonly highScore: number };
  /** Step 12. */
  readonly blend: {
    readonly heuristic: number;
    readonly external: number;
    readonly defaultExternalConfidence: number;
    /** From this external confidence on, the external side decides whether to decompose. */
    readonly externalDecidesAt: number;
    /** suggestionConfidence when the blended figures decide. */
    readonly fallbackConfidence: number;
  };
  /** Step 13: upper bounds (inclusive) of low, medium and high; above is very_high. */
  readonly categories: { readonly lowMax: number; readonly mediumMax: number; readonly highMax: number };
  /** Suggested subtasks: kinds in matching order, the generic fallback, per-subtask categories. */
  readonly subtasks: {
    readonly kinds: readonly SubtaskKind[];
    readonly generic: {
      readonly manyFilesAbove: number;
      readonly manyFilesTitles: readonly string[];
      readonly largeLocAbove: number;
      readonly largeLocTitles: readonly string[];
      readonly defaultTitles: readonly string[];
    };
    readonly categories: {
      readonly design: SubtaskCategoryRule;
      readonly implement: SubtaskCategoryRule;
      readonly test: SubtaskCategoryRule;
      readonly document: SubtaskCategoryRule;
      readonly integrate: SubtaskCategoryRule;
      readonly deploy: SubtaskCategoryRule;
    };
    readonly otherMultiplier: number;
  };
}

export const DEFAULT_COMPLEXITY_WEIGHTS: ComplexityWeights = deepFreeze({
  base: { loc: 50, score: 20 },
  keywordGroups: {
    high: { keywords: ['implement', 'create', 'build', 'develop', 'design'], loc: 100, score: 15 },
    medium: { keywords: ['fix', 'update', 'refactor', 'modify', 'enhance'], loc: 50, score: 8 },
    low: { keywords: ['test', 'document', 'comment', 'format'], loc: 20, score: 3 },
  },
  files: {
    brackets: [
      { maxFiles: 1, weight: 1.0 },
      { maxFiles: 3, weight: 1.3 },
      { maxFiles: 6, weight: 1.6 },
      { maxFiles: 10, weight: 2.0 },
    ],
    beyondWeight: 2.5,
    extensions: ['py', 'js', 'ts', 'java', 'go', 'rs', 'cpp', 'c', 'h'],
  },
  concepts: {
    algorithm: { keywords: ['algorithm', 'sort', 'search', 'optimize', 'graph'], multiplier: 1.8 },
    // The origin configured 2.0, 1.7 and 1.3 for the next three but never applied them: off (1.0)
    // by default so estimates match; a config file may switch them on.
    concurrency: { keywords: ['thread', 'async', 'parallel', 'concurrent', 'lock'], multiplier: 1.0 },
    security: { keywords: ['auth', 'security', 'encrypt', 'validate', 'sanitize'], multiplier: 1.0 },
    integration: { keywords: ['integrate', 'api', 'external', 'third-party'], multiplier: 1.0 },
    database: { keywords: ['database', 'schema', 'migration', 'query', 'sql'], multiplier: 1.0 },
  },
  verbs: {
    keywords: [
      'add',
      'remove',
      'modify',
      'update',
      'create',
      'delete',
      'implement',
      'refactor',
      'optimize',
      'validate',
      'test',
      'document',
      'fix',
      'enhance',
      'integrate',
      'configure',
    ],
    freeCount: 3,
    scorePerExtra: 5,
  },
  listItems: { moreThan: 2, locPerItem: 30, scorePerItem: 5 },
  dependencies: { one: 5, two: 12, three: 20, fourOrMore: 40 },
  taskTypes: {
    defaultType: 'feature_implementation',
    unknownMultiplier: 1,
    multipliers: {
      feature_implementation: 1.5,
      bug_fix: 0.8,
      refactoring: 1.2,
      testing: 0.6,
      documentation: 0.4,
      performance_optimization: 1.7,
      security_enhancement: 1.8,
      api_design: 1.6,
      schema_migration: 1.4,
      dependency_upgrade: 1.3,
      build_config: 1.2,
      code_review: 0.7,
    },
  },
  limits: { maxScore: 100, charsPerToken: 4, tokensPerLoc: 2, locPerMinute: 5, minMinutes: 15 },
  confidence: { base: 0.6, filesBonus: 0.1, typeBonus: 0.1, ambiguousMargin: 10, ambiguousFactor: 0.8 },
  decomposition: { minScore: 60, minLoc: 400, minFiles: 5, minTokens: 8000 },
  rationale: { highScore: 70 },
  blend: {
    heuristic: 0.4,
    external: 0.6,
    defaultExternalConfidence: 0.7,
    externalDecidesAt: 0.7,
    fallbackConfidence: 0.6,
  },
  categories: { lowMax: 30, mediumMax: 60, highMax: 85 },
  subtasks: {
    kinds: [
      {
        name: 'feature',
        keywords: ['implement', 'create', 'build', 'add feature'],
        titles: [
          'Design the data model and API',
          'Implement the core functionality',
          'Add test coverage',
          'Write user documentation',
        ],
      },
      {
        name: 'bug',
        keywords: ['fix', 'bug', 'issue', 'error'],
        titles: [
          'Reproduce the bug with a minimal test',
          'Identify the root cause and implement the fix',
          'Add regression tests',
          'Verify the fix in a production-like environment',
        ],
      },
      {
        name: 'refactor',
        keywords: ['refactor'],
        titles: [
          'Analyze the current structure',
          'Plan the refactoring',
          'Execute the refactoring with tests kept green',
          'Validate behaviour and performance',
        ],
      },
      {
        name: 'integration',
        keywords: ['integrate', 'connect', 'api'],
        titles: [
          'Design the interfaces and contracts',
          'Implement the integration layer with error handling',
          'Add integration tests',
          'Document setup and usage',
        ],
      },
      {
        name: 'database',
        keywords: ['database', 'schema', 'migration'],
        titles: [
          'Design the schema change and migration strategy',
          'Implement the migrations with rollback',
          'Update the ORM models and queries',
          'Test the migration on staging',
        ],
      },
    ],
    generic: {
      manyFilesAbove: 5,
      manyFilesTitles: [
        'Plan the change across the affected files',
        'Implement the changes in the first half of the files',
        'Implement the changes in the remaining files',
        'Test the changes together',
      ],
      largeLocAbove: 300,
      largeLocTitles: [
        'Plan the implementation in stages',
        'Implement the core of the change',
        'Test and verify the complete change',
      ],
      defaultTitles: ['Plan the approach', 'Implement the change', 'Verify the change with tests'],
    },
    categories: {
      design: { keywords: ['design', 'plan', 'architecture', 'model'], multiplier: 0.8 },
      implement: { keywords: ['implement', 'build', 'create', 'develop', 'add'], multiplier: 1.2 },
      test: { keywords: ['test', 'verify', 'validate'], multiplier: 0.7 },
      document: { keywords: ['document', 'write docs', 'readme'], multiplier: 0.5 },
      integrate: { keywords: ['integrate', 'connect', 'hook up'], multiplier: 1.0 },
      deploy: { keywords: ['deploy', 'release', 'ship'], multiplier: 0.9 },
    },
    otherMultiplier: 1.0,
  },
});

/** Freezes nested objects and arrays so the shared defaults cannot be changed by accident. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
