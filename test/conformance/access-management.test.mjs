// Conformance: IBM's Node SDK clients for IAM Identity, Resource Manager, Resource Controller and Access Groups against a
// real Tessera process, ending with reference §9 step 18: deleting an instance removes the authorizations bound to it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IamAuthenticator } from 'ibm-cloud-sdk-core';
import IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import ResourceControllerV2 from '@ibm-cloud/platform-services/resource-controller/v2.js';
import ResourceManagerV2 from '@ibm-cloud/platform-services/resource-manager/v2.js';
import { startTessera } from './tessera-process.mjs';

const apiKey = 'conformance-operator-key-abcdefghij0123456789';
const kmsPlan = 'eedd3585-90c6-4c8d-be4a-5a0b1b9d4b08';
const cosPlan = '744bfc56-d12c-4866-88d5-dac9139e0e5d';

let tessera;
let account;
let clients;

before(async () => {
  tessera = await startTessera({ apiKey });
  const options = () => ({ authenticator: new IamAuthenticator({ apikey: apiKey, url: tessera.url }), serviceUrl: tessera.url });
  clients = {
    identity: new IamIdentityV1(options()),
    groups: new IamAccessGroupsV2(options()),
    policies: new IamPolicyManagementV1(options()),
    controller: new ResourceControllerV2(options()),
    manager: new ResourceManagerV2(options()),
  };
  const key = await clients.identity.getApiKeysDetails({ iamApiKey: apiKey });
  account = key.result.account_id;
});

after(async () => {
  await tessera?.stop();
});

describe('IBM account-management SDKs against Tessera', () => {
  test('IamIdentityV1: service IDs and their API keys', async () => {
    const created = await clients.identity.createServiceId({ accountId: account, name: 'conformance-bot', description: 'd' });
    assert.equal(created.status, 201);
    assert.match(created.result.id, /^ServiceId-/);
    assert.equal(created.result.iam_id, `iam-${created.result.id}`);

    const key = await clients.identity.createApiKey({ name: 'bot key', iamId: created.result.iam_id });
    assert.equal(key.status, 201);
    assert.ok(key.result.apikey.length >= 40);
    const details = await clients.identity.getApiKeysDetails({ iamApiKey: key.result.apikey });
    assert.equal(details.result.id, key.result.id);
    assert.equal(details.result.apikey, '');

    const fetched = await clients.identity.getServiceId({ id: created.result.id });
    const updated = await clients.identity.updateServiceId({ id: created.result.id, ifMatch: fetched.result.entity_tag, name: 'renamed' });
    assert.equal(updated.result.name, 'renamed');
    const deleted = await clients.identity.deleteServiceId({ id: created.result.id });
    assert.equal(deleted.status, 204);
    await assert.rejects(clients.identity.getServiceId({ id: created.result.id }), (error) => error.status === 404);
  });

  test('ResourceManagerV2 and ResourceControllerV2: groups, instances, and removal cascading to authorizations', async () => {
    const group = await clients.manager.createResourceGroup({ name: 'conformance', accountId: account });
    assert.equal(group.status, 201);
    assert.ok(group.result.id && group.result.crn.endsWith(`::resource-group:${group.result.id}`));

    const kms = await clients.controller.createResourceInstance({ name: 'keys', target: 'us-south', resourceGroup: group.result.id, resourcePlanId: kmsPlan });
    const cos = await clients.controller.createResourceInstance({ name: 'bucket', target: 'global', resourceGroup: group.result.id, resourcePlanId: cosPlan });
    assert.equal(kms.status, 201);
    assert.equal(kms.result.id, kms.result.crn);
    assert.equal(kms.result.state, 'active');
    assert.equal(kms.result.last_operation.type, 'create');
    assert.equal(kms.result.locked, false);
    const listed = await clients.controller.listResourceInstances({ resourceGroupId: group.result.id });
    assert.deepEqual(listed.result.resources.map((r) => r.guid).sort(), [kms.result.guid, cos.result.guid].sort());

    const policy = await clients.policies.createPolicy({
      type: 'authorization',
      subjects: [{ attributes: [{ name: 'accountId', value: account }, { name: 'serviceName', value: 'cloud-object-storage' }, { name: 'serviceInstance', value: cos.result.guid }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:Reader' }],
      resources: [{ attributes: [{ name: 'accountId', value: account }, { name: 'serviceName', value: 'kms' }, { name: 'serviceInstance', value: kms.result.guid }] }],
    });

    const removed = await clients.controller.deleteResourceInstance({ id: kms.result.guid, recursive: true });
    assert.equal(removed.status, 204);
    const after = await clients.controller.getResourceInstance({ id: kms.result.guid });
    assert.equal(after.status, 200);
    assert.equal(after.result.state, 'removed');
    assert.equal(after.result.last_operation.type, 'delete');
    const cascaded = await clients.policies.getPolicy({ policyId: policy.result.id });
    assert.equal(cascaded.result.state, 'deleted');

    await assert.rejects(clients.manager.deleteResourceGroup({ id: group.result.id }), (error) => error.status === 409);
  });

  test('IamAccessGroupsV2: groups and members', async () => {
    const created = await clients.groups.createAccessGroup({ accountId: account, name: 'conformance-group', transactionId: 'tx-groups' });
    assert.equal(created.status, 201);
    assert.equal(created.headers['transaction-id'], 'tx-groups');
    const serviceId = await clients.identity.createServiceId({ accountId: account, name: 'member' });
    const added = await clients.groups.addMembersToAccessGroup({ accessGroupId: created.result.id, members: [{ iam_id: serviceId.result.iam_id, type: 'service' }] });
    assert.equal(added.status, 207);
    assert.equal(added.result.members[0].status_code, 200);
    const members = await clients.groups.listAccessGroupMembers({ accessGroupId: created.result.id });
    assert.deepEqual(members.result.members.map((m) => m.iam_id), [serviceId.result.iam_id]);
    const deleted = await clients.groups.deleteAccessGroup({ accessGroupId: created.result.id, force: true });
    assert.equal(deleted.status, 204);
  });
});
