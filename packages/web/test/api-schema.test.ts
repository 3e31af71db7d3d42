// The typed client cannot drift from the server: the checked-in types must be exactly what the
// generator writes for the current OpenAPI document.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateApiTypes, SCHEMA_FILE } from '../scripts/generate-api.ts';

describe('generated API types', () => {
  it('match the server (run `npm run generate:api -w @orderdesk/web` after changing the API)', async () => {
    const expected = await generateApiTypes();
    expect(expected).toContain("'/api/v1/orders/validate'");
    const actual = readFileSync(SCHEMA_FILE, 'utf8');
    expect(actual === expected, 'src/api/schema.d.ts is out of date').toBe(true);
  });
});
