// Conformance: IBM's published Node SDK (@ibm-cloud/platform-services) against a real Tessera process.
// Every call goes through the SDK exactly as an IBM Cloud customer would make it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IamAuthenticator, BearerTokenAuthenticator } from 'ibm-cloud-sdk-core';
import IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import { startTessera } from './tessera-process.mjs';
import { accountOf, rejects } from './sdk-helpers.mjs';

const apiKey = 'conformance-operator-key-0123456789abcdefghij';
const reader = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';

let tessera;
let service;
let account;

function authorization(sourceInstance, targetInstance, roles = [reader]) {
  return {
    type: 'authorization',
    subjects: [{ attributes: [
      { name: 'accountId', value: account },
      { name: 'serviceName', value: 'cloud-object-storage' },
      { name: 'serviceInstance', value: sourceInstance },
    ] }],
    roles: roles.map((role_id) => ({ role_id })),
    resources: [{ attributes: [
      { name: 'accountId', value: account, operator: 'stringEquals' },
      { name: 'serviceName', value: 'kms', operator: 'stringEquals' },
      { name: 'serviceInstance', value: targetInstance, operator: 'stringEquals' },
    ] }],
  };
}

before(async () => {
  tessera = await startTessera({ apiKey });
  account = await accountOf(tessera.url, apiKey);
  service = new IamPolicyManagementV1({
    authenticator: new IamAuthenticator({ apikey: apiKey, url: tessera.url }),
    serviceUrl: tessera.url,
  });
});

after(async () => {
  await tessera?.stop();
});

describe('IamPolicyManagementV1 against Tessera', () => {
  test('createPolicy echoes the policy exactly and returns an ETag', async () => {
    const body = authorization('src-create', 'kms-create');
    const response = await service.createPolicy({ ...body, description: 'd', acceptLanguage: 'en' });

    assert.equal(response.status, 201);
    assert.match(response.headers.etag, /^1-[0-9a-f]{32}$/);
    assert.deepEqual(response.result.subjects, body.subjects);
    assert.deepEqual(response.result.resources, body.resources);
    assert.equal(response.result.state, 'active');
    assert.equal(response.result.description, 'd');
    assert.ok(response.result.href.endsWith(`/v1/policies/${response.result.id}`));
    assert.ok(response.result.created_at && response.result.last_modified_at && response.result.created_by_id);
  });

  test('getPolicy returns the ETag and roles with display names', async () => {
    const created = await service.createPolicy(authorization('src-get', 'kms-get'));
    const fetched = await service.getPolicy({ policyId: created.result.id });

    assert.equal(fetched.status, 200);
    assert.equal(fetched.headers.etag, created.headers.etag);
    assert.deepEqual(fetched.result.roles.map((r) => [r.role_id, r.display_name]), [[reader, 'Reader']]);
  });

  test('replacePolicy takes the fresh ETag and refuses a stale one with 412', async () => {
    const created = await service.createPolicy(authorization('src-replace', 'kms-replace'));
    // Key Protect takes only Reader from object storage, so the replacement narrows the scope instead.
    const replacement = authorization('src-replace', 'kms-replace-narrower');

    const replaced = await service.replacePolicy({ policyId: created.result.id, ifMatch: created.headers.etag, ...replacement });
    assert.equal(replaced.status, 200);
    assert.notEqual(replaced.headers.etag, created.headers.etag);
    assert.deepEqual(replaced.result.resources, replacement.resources);
    assert.equal((await service.getPolicy({ policyId: created.result.id })).headers.etag, replaced.headers.etag);

    const stale = await rejects(service.replacePolicy({ policyId: created.result.id, ifMatch: created.headers.etag, ...replacement }));
    assert.equal(stale.status, 412);
    assert.equal(stale.result.errors[0].code, 'precondition_failed');
  });

  test('listPolicies pages with next.start and PoliciesPager collects every policy', async () => {
    for (let i = 0; i < 3; i++) await service.createPolicy(authorization(`src-page-${i}`, 'kms-page'));

    const first = await service.listPolicies({ accountId: account, type: 'authorization', limit: 1 });
    assert.equal(first.status, 200);
    assert.equal(first.result.policies.length, 1);
    assert.ok(first.result.next.start);

    const all = await new IamPolicyManagementV1.PoliciesPager(service, { accountId: account, type: 'authorization', limit: 1 }).getAll();
    const ids = all.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    const everything = await service.listPolicies({ accountId: account, type: 'authorization', limit: 100 });
    assert.deepEqual([...ids].sort(), everything.result.policies.map((p) => p.id).sort());
  });

  test('listPolicies accepts state, sort and format', async () => {
    const response = await service.listPolicies({
      accountId: account, type: 'authorization', state: 'active', sort: '-last_modified_at', format: 'include_last_permit',
    });
    const times = response.result.policies.map((p) => p.last_modified_at);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.ok(response.result.policies.every((p) => p.state === 'active'));
  });

  test('deletePolicy is soft and updatePolicyState restores', async () => {
    const created = await service.createPolicy(authorization('src-delete', 'kms-delete'));
    const policyId = created.result.id;

    assert.equal((await service.deletePolicy({ policyId })).status, 204);
    const deleted = await service.getPolicy({ policyId });
    assert.equal(deleted.result.state, 'deleted');
    const listed = await service.listPolicies({ accountId: account, state: 'deleted', limit: 100 });
    assert.ok(listed.result.policies.some((p) => p.id === policyId));

    const restored = await service.updatePolicyState({ policyId, ifMatch: deleted.headers.etag, state: 'active' });
    assert.equal(restored.status, 200);
    assert.equal(restored.result.state, 'active');
  });

  test('listRoles answers the pair with the CRNs used above', async () => {
    const roles = await service.listRoles({ serviceName: 'kms', sourceServiceName: 'cloud-object-storage', policyType: 'authorization', accountId: account });

    assert.equal(roles.status, 200);
    assert.deepEqual(roles.result.service_roles.map((r) => [r.display_name, r.crn]), [['Reader', reader]]);
    assert.deepEqual(roles.result.custom_roles, []);
  });

  test('a duplicate is a 409 policy_conflict_error carrying the existing policy', async () => {
    const body = authorization('src-dup', 'kms-dup');
    const created = await service.createPolicy(body);
    const error = await rejects(service.createPolicy(body));

    assert.equal(error.status, 409);
    assert.equal(error.result.errors[0].code, 'policy_conflict_error');
    assert.equal(error.message, error.result.errors[0].message);
    assert.equal(error.result.errors[0].details.conflicts_with.etag, created.headers.etag);
    assert.equal(error.result.errors[0].details.conflicts_with.policy.id, created.result.id);
    assert.match(error.result.trace, /^[0-9a-f]{32}$/);
  });

  test('an unknown policy is a 404 policy_not_found', async () => {
    const error = await rejects(service.getPolicy({ policyId: 'nonexistent' }));

    assert.equal(error.status, 404);
    assert.equal(error.result.errors[0].code, 'policy_not_found');
    assert.equal(error.result.errors[0].message, 'Policy with Id nonexistent not found.');
    assert.equal(error.result.status_code, 404);
  });

  test('a bad API key and a bad token are refused', async () => {
    const badKey = new IamPolicyManagementV1({
      authenticator: new IamAuthenticator({ apikey: 'not-a-key', url: tessera.url }),
      serviceUrl: tessera.url,
    });
    const keyError = await rejects(badKey.listPolicies({ accountId: account }));
    assert.equal(keyError.status, 400);

    const badToken = new IamPolicyManagementV1({
      authenticator: new BearerTokenAuthenticator({ bearerToken: 'not.a.token' }),
      serviceUrl: tessera.url,
    });
    const tokenError = await rejects(badToken.listPolicies({ accountId: account }));
    assert.equal(tokenError.status, 401);
    assert.equal(tokenError.message, 'Access is denied due to invalid credentials.');
  });

  test('Transaction-Id is echoed', async () => {
    const response = await service.listPolicies({ accountId: account, headers: { 'Transaction-Id': 'tx-1' } });

    assert.equal(response.headers['transaction-id'], 'tx-1');
  });
});
