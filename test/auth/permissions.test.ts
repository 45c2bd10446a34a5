import { describe, expect, it } from 'vitest';
import { buildAppSchema } from '../../src/graphql/schema';
import { NOT_YET_IN_SCHEMA, PERMISSIONS, RootType } from '../../src/auth/permissions';
import { displayPrefix, hashToken, isWellFormedToken, mintToken, TOKEN_LENGTH } from '../../src/auth/token-format';

describe('the permission table', () => {
  it('has an entry for every root field of the schema (fail closed: an operation without a permission cannot ship)', async () => {
    const schema = await buildAppSchema();
    const roots: [RootType, ReturnType<typeof schema.getQueryType>][] = [
      ['Query', schema.getQueryType()],
      ['Mutation', schema.getMutationType()],
      ['Subscription', schema.getSubscriptionType()],
    ];
    const missing: string[] = [];
    for (const [root, type] of roots) {
      for (const name of Object.keys(type!.getFields())) if (!(name in PERMISSIONS[root])) missing.push(`${root}.${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('names no field that is absent from the schema, except the Part 2 operations other branches are adding', async () => {
    const schema = await buildAppSchema();
    const present = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) => Object.keys(t!.getFields())));
    const stale = Object.values(PERMISSIONS)
      .flatMap((table) => Object.keys(table))
      .filter((name) => !present.has(name) && !NOT_YET_IN_SCHEMA.has(name));
    expect(stale).toEqual([]);
  });

  it('follows the role table of DESIGN: only an ADMIN manages tokens and projects; a VIEWER changes nothing', () => {
    for (const [name, p] of Object.entries(PERMISSIONS.Mutation)) {
      expect(p.roles, name).not.toContain('VIEWER');
      expect(p.roles, name).toContain('ADMIN');
    }
    for (const name of ['createProject', 'pauseProject', 'resumeProject', 'createApiToken', 'revokeApiToken']) expect(PERMISSIONS.Mutation[name]!.roles).toEqual(['ADMIN']);
    expect(PERMISSIONS.Mutation.createProject!.globalOnly).toBe(true);
    expect(PERMISSIONS.Query.apiTokens!.roles).toEqual(['ADMIN']);
  });
});

describe('token format', () => {
  it('is tsk_ + 32 base62 characters + a 6-character checksum, different every time', () => {
    const a = mintToken();
    const b = mintToken();
    expect(a).toMatch(/^tsk_[0-9A-Za-z]{38}$/);
    expect(a).toHaveLength(TOKEN_LENGTH);
    expect(a).not.toBe(b);
    expect(isWellFormedToken(a)).toBe(true);
    expect(displayPrefix(a)).toBe(a.slice(0, 8));
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses any one-character typo by its checksum, and other formats', () => {
    const token = mintToken();
    let refused = 0;
    for (let i = 4; i < token.length; i++) {
      const swapped = token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1);
      if (!isWellFormedToken(swapped)) refused++;
    }
    expect(refused).toBe(token.length - 4);
    for (const other of ['', 'tsk_', token.slice(0, -1), token + 'x', token.replace('tsk_', 'tsq_'), 'ghp_' + token.slice(4), `${token.slice(0, 10)} ${token.slice(11)}`]) {
      expect(isWellFormedToken(other), other).toBe(false);
    }
  });
});
