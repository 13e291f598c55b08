// Conformance, v2: IBM's published Node SDK's v2 policy calls (reference §9, steps 8–13) against a real Tessera process:
// create, get (with format=display), replace with If-Match, list with V2PoliciesPager, delete; the same policy seen
// and deleted through v1; and v2-only content (stringExists, a time-based rule) round-tripped through the SDK.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IamAuthenticator } from 'ibm-cloud-sdk-core';
import IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import { startTessera } from './tessera-process.mjs';
import { accountOf, rejects } from './sdk-helpers.mjs';

const apiKey = 'conformance-v2-operator-key-0123456789abcdefgh';
const reader = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';

let tessera;
let service;
let account;

const attribute = (key, value, operator = 'stringEquals') => ({ key, operator, value });

function v2Authorization(targetInstance, extraSubject = []) {
  return {
    type: 'authorization',
    control: { grant: { roles: [{ role_id: reader }] } },
    subject: { attributes: [attribute('accountId', account), attribute('serviceName', 'cloud-object-storage'), ...extraSubject] },
    resource: { attributes: [attribute('accountId', account), attribute('serviceName', 'kms'), attribute('serviceInstance', targetInstance)] },
    description: 'v2',
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

describe('IamPolicyManagementV1 v2 calls against Tessera', () => {
  test('createV2Policy answers 201 with the control as sent, every attribute with its operator, and an ETag', async () => {
    const body = v2Authorization('kms-v2-create');
    const created = await service.createV2Policy(body);

    assert.equal(created.status, 201);
    assert.match(created.headers.etag, /^1-[0-9a-f]{32}$/);
    assert.deepEqual(created.result.control, body.control);
    assert.deepEqual(created.result.subject, body.subject);
    assert.deepEqual(created.result.resource, body.resource);
    assert.equal(created.result.state, 'active');
    assert.match(created.result.href, new RegExp(`/v1/policies/${created.result.id}$`));
  });

  test('getV2Policy, with format=display enriching the roles, and getPolicy show the same policy', async () => {
    const { result: { id } } = await service.createV2Policy(v2Authorization('kms-v2-get'));

    const plain = await service.getV2Policy({ id });
    assert.deepEqual(plain.result.control, { grant: { roles: [{ role_id: reader }] } });
    assert.ok(plain.headers.etag);
    const display = await service.getV2Policy({ id, format: 'display' });
    const role = display.result.control.grant.roles[0];
    assert.equal(role.display_name, 'Reader');
    assert.ok(role.actions.some((a) => a.id === 'kms.secrets.unwrap'));
    const v1 = await service.getPolicy({ policyId: id });
    assert.equal(v1.result.id, id);
    assert.equal(v1.result.roles[0].display_name, 'Reader');
  });

  test('replaceV2Policy takes the ETag, answers a new one, and refuses the stale one', async () => {
    const created = await service.createV2Policy(v2Authorization('kms-v2-replace'));
    const replacement = { ...v2Authorization('kms-v2-replace'), description: 'replaced' };

    const replaced = await service.replaceV2Policy({ id: created.result.id, ifMatch: created.headers.etag, ...replacement });
    assert.equal(replaced.status, 200);
    assert.notEqual(replaced.headers.etag, created.headers.etag);
    assert.equal(replaced.result.description, 'replaced');
    const stale = await rejects(service.replaceV2Policy({ id: created.result.id, ifMatch: created.headers.etag, ...replacement }));
    assert.equal(stale.status, 412);
  });

  test('listV2Policies filters and sorts, and V2PoliciesPager collects every page', async () => {
    for (let i = 0; i < 3; i++) await service.createV2Policy(v2Authorization(`kms-v2-page-${i}`));

    const sorted = await service.listV2Policies({ accountId: account, type: 'authorization', serviceName: 'kms', sort: '-last_modified_at' });
    const times = sorted.result.policies.map((p) => p.last_modified_at);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.ok(sorted.result.policies.every((p) => p.resource.attributes.every((a) => a.operator)));

    const all = await new IamPolicyManagementV1.V2PoliciesPager(service, { accountId: account, type: 'authorization', limit: 2 }).getAll();
    const ids = all.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), sorted.result.policies.map((p) => p.id).sort());
  });

  test('soft delete and restore work across the views: deleted through v2, restored through v1', async () => {
    const { result: { id } } = await service.createV2Policy(v2Authorization('kms-v2-delete'));

    assert.equal((await service.deleteV2Policy({ id })).status, 204);
    const deleted = await service.getV2Policy({ id });
    assert.equal(deleted.result.state, 'deleted');
    const restored = await service.updatePolicyState({ policyId: id, ifMatch: deleted.headers.etag, state: 'active' });
    assert.equal(restored.result.state, 'active');
    // Terraform's path: created through v2, deleted through v1.
    assert.equal((await service.deletePolicy({ policyId: id })).status, 204);
    assert.equal((await service.getV2Policy({ id })).result.state, 'deleted');
  });

  test('a stringExists subject and a time-bound rule round-trip through the SDK', async () => {
    const body = {
      ...v2Authorization('kms-v2-rule', [attribute('resourceGroupId', true, 'stringExists')]),
      pattern: 'time-based-conditions:once',
      rule: {
        operator: 'and',
        conditions: [
          { key: '{{environment.attributes.current_date_time}}', operator: 'dateTimeGreaterThanOrEquals', value: '2026-01-01T00:00:00+00:00' },
          { key: '{{environment.attributes.current_date_time}}', operator: 'dateTimeLessThan', value: '2099-01-01T00:00:00+00:00' },
        ],
      },
    };

    const created = await service.createV2Policy(body);
    const fetched = await service.getV2Policy({ id: created.result.id });

    assert.equal(fetched.result.subject.attributes[2].value, true);
    assert.deepEqual(fetched.result.rule, body.rule);
    assert.equal(fetched.result.pattern, body.pattern);
  });

  test('listRoles for an unknown service is a 404 that names the nearest one', async () => {
    const error = await rejects(service.listRoles({ serviceName: 'event-notification', sourceServiceName: 'logs', policyType: 'authorization' }));

    assert.equal(error.status, 404);
    assert.match(error.message, /did you mean 'event-notifications'\?/);
  });
});
