/**
 * The token every test helper sends. Servers under test accept it as a global admin token
 * (ADMIN_TOKEN for server processes, `adminToken` in the in-process config), so suites that
 * are not about access control need not think about it; suites that are mint their own tokens.
 */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghijklmnopqrstuvwxyz';

export const AUTH_HEADERS = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } as const;
