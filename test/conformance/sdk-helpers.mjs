// What the SDK suites share: the account an API key belongs to (read from its token), and an expected failure.
import assert from 'node:assert/strict';

/** The account of the identity behind `apiKey`: its token's account.bss claim. */
export async function accountOf(url, apiKey) {
  const token = await fetch(`${url}/identity/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: apiKey }),
  }).then((r) => r.json());
  return JSON.parse(Buffer.from(token.access_token.split('.')[1], 'base64url')).account.bss;
}

/** The error a call that must fail fails with. */
export async function rejects(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('the call was expected to fail');
}
