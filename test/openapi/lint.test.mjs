// Lints the OpenAPI document a real Tessera serves with IBM's own ruleset for IBM Cloud APIs
// (@ibm-cloud/openapi-ruleset, through @stoplight/spectral-cli; overrides in .spectral.yaml): no errors.
// The warnings are counted by rule and written to $OPENAPI_WARNINGS when set (docs/openapi.md lists them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTessera } from '../conformance/tessera-process.mjs';

test('the OpenAPI document passes IBM\'s ruleset with no errors, and describes every route', async () => {
  const server = await startTessera({ apiKey: 'openapi-lint-operator-key-0123456789abcdefgh' });
  try {
    const response = await fetch(`${server.url}/openapi/v1.json`);
    assert.equal(response.status, 200);
    const document = await response.json();
    assert.equal(document.openapi.split('.')[0], '3');
    const operations = Object.values(document.paths).flatMap((item) => Object.keys(item));
    assert.ok(operations.length >= 63, `only ${operations.length} operations are described`);
    assert.equal((await fetch(`${server.url}/docs/`)).status, 200);

    const file = join(mkdtempSync(join(tmpdir(), 'tessera-openapi-')), 'v1.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    // The results go to a file: thousands of warnings are more than a child's output buffer holds.
    const resultsFile = `${file}.results.json`;
    try {
      execFileSync('npx', ['spectral', 'lint', file, '--format', 'json', '--output', resultsFile, '--ruleset', '.spectral.yaml', '--fail-severity', 'error'],
        { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      if (error.status !== 1) throw error; // 1: it found errors, reported below; anything else is the linter failing
    }
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    const errors = results.filter((r) => r.severity === 0);
    const warnings = {};
    for (const r of results.filter((r) => r.severity === 1)) warnings[r.code] = (warnings[r.code] ?? 0) + 1;
    if (process.env.OPENAPI_WARNINGS) writeFileSync(process.env.OPENAPI_WARNINGS, JSON.stringify(warnings, null, 2));
    assert.deepEqual(errors.map((e) => `${e.code}: ${e.message} at ${e.path.join('.')}`), []);
  } finally {
    await server.stop();
  }
});
