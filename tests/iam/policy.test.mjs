// Evaluates the deployer's policies and the roles' boundary, as terraform/iam renders them, with
// @cloud-copilot/iam-simulate: an implementation of IAM's evaluation logic (every condition
// operator, explicit deny, permissions boundaries) that also validates each request against
// AWS's published actions, resource types and condition keys.
//
// scripts/test-iam.sh renders the policies with the real terraform for several stacks, applies the
// stack itself for each with a mocked provider to learn the names it gives its resources
// (stack.mjs), and points IAM_RENDERS at the result. Run it through `make test-iam` (or `make test`).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate'
import { createValidatedPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy'
import { allowed, denied, boundary, trust, refused, needsNoPermission, arns } from './calls.mjs'
import { names } from './stack.mjs'

const root = new URL('../..', import.meta.url).pathname
const rendersDir = process.env.IAM_RENDERS
if (!rendersDir) throw new Error('IAM_RENDERS is not set: run scripts/test-iam.sh')
const renders = readdirSync(rendersDir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ file: f, ...JSON.parse(readFileSync(join(rendersDir, f), 'utf8')) }))
if (renders.length === 0) throw new Error(`no rendered policies in ${rendersDir}`)

// IAM's quotas: a managed policy's document, white space not counted; managed policies per user
// or role (the default quota).
const POLICY_CHARS = 6144
const POLICIES_PER_IDENTITY = 10

// Two services keep two APIs under one action prefix, and the simulator's data lists only the
// older API's resource types for these actions, so it refuses to evaluate requests on the newer
// one's ARNs ("no.resource.types"). Those requests are evaluated without that one validation; the
// policy logic is the same.
const SHARED_PREFIX = {
  elasticloadbalancing: /^arn:[^:]+:elasticloadbalancing:[^:]+:\d+:(targetgroup|listener|listener-rule|loadbalancer)\/(app\/)?/,
  apigateway: /^arn:[^:]+:apigateway:[^:]+::\/(apis|vpclinks|domainnames|tags)(\/|$)/,
}
const unvalidated = new Set()

async function simulate(policies, boundaryPolicy, principal, action, resource, context, account) {
  const simulation = {
    request: { principal, action, resource: { resource, accountId: account }, contextVariables: context },
    identityPolicies: policies.map((p, i) => ({ name: `p${i}`, policy: p })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }
  if (boundaryPolicy) simulation.permissionBoundaryPolicies = [{ name: 'boundary', policy: boundaryPolicy }]
  const r = await runSimulation(simulation, {})
  if (r.resultType === 'error' && r.errors.message === 'no.resource.types' && SHARED_PREFIX[action.split(':')[0]]?.test(resource)) {
    unvalidated.add(`${action} on ${resource.replace(/\d{12}/, 'ACCOUNT')}`)
    return { result: runUnsafeSimulation(simulation, {}), ignored: [] }
  }
  if (r.resultType === 'error') return { result: 'error', detail: r.errors.message + ' ' + JSON.stringify(r.errors) }
  const ignored = r.resultType === 'single' ? r.result.ignoredContextKeys : r.results.flatMap((x) => x.ignoredContextKeys ?? [])
  return { result: r.overallResult, ignored: ignored ?? [] }
}

// A role's trust policy decides AssumeRoleWithWebIdentity alone. The claims of GitHub's tokens
// (sub, aud) are condition keys of the provider's own, which the simulator's validation does not
// list for this action, so the trust is evaluated without that validation; the policy itself is
// checked as a trust policy.
function assume(trustPolicy, role, account, c) {
  const policy = createValidatedPolicy(trustPolicy, validateTrustPolicy, { name: 'trust' })
  if (policy.errors.length) return { result: 'error', detail: JSON.stringify(policy.errors) }
  return {
    result: runUnsafeSimulation({
      request: { principal: c.principal, action: c.action, resource: { resource: role, accountId: account }, contextVariables: c.context },
      identityPolicies: [], serviceControlPolicies: [], resourceControlPolicies: [], resourcePolicy: policy,
    }, {}),
  }
}

const describe = (c) => `${c.action} on ${c.resource}${Object.keys(c.context).length ? ' ' + JSON.stringify(c.context) : ''}`

for (const render of renders) {
  if (!render.resources) throw new Error(`${render.file}: no stack resources (scripts/test-iam.sh applies the stack for each render)`)
  const s = { ...render.stack, names: names(render.resources) }
  const deployer = Object.entries(render.deployer).map(([part, json]) => ({ part, json, doc: JSON.parse(json) }))
  const policies = deployer.map((d) => d.doc)
  const label = `${render.file} (name ${s.N}, ${s.N.length} characters, ${s.P} ${s.R})`
  const a = arns(s)

  test(`${label}: the stack's names, as Terraform gives them`, (t) => {
    const n = s.names
    t.diagnostic(`log groups ${n.logGroups.join(' ')}; repository ${n.repository}; service ${n.cluster}/${n.service}; family ${n.family}; secret ${n.secretPrefix}*; table ${n.table}; ${n.alarms.length} alarms; topic ${n.topic}; load balancer ${n.loadBalancer}; revisions kept: ${n.keepsRevisions}`)
    // The calls below are made on these names: here, that the runs had each kind of resource.
    for (const [what, v] of Object.entries(n)) if (Array.isArray(v)) assert.ok(v.length > 0, `the stack's runs have no ${what}`)
    assert.ok(n.containerLogGroups.every((g) => n.logGroups.includes(g)), `the tasks log to ${n.containerLogGroups}, not all of them the stack's log groups ${n.logGroups}`)
    for (const r of n.roles) assert.equal(r.boundary, a.boundary, `role ${r.path}${r.prefix}*: its boundary is not the IAM set-up's`)
  })

  test(`${label}: every policy fits IAM's limits`, (t) => {
    const sizes = Object.fromEntries([...deployer.map((d) => [d.part, d.json]), ['boundary', render.boundary]]
      .map(([k, v]) => [k, v.replace(/\s/g, '').length]))
    t.diagnostic(`characters without white space: ${JSON.stringify(sizes)} (limit ${POLICY_CHARS})`)
    for (const [k, n] of Object.entries(sizes)) assert.ok(n <= POLICY_CHARS, `${k}: ${n} characters, IAM takes at most ${POLICY_CHARS}`)
    assert.ok(deployer.length <= POLICIES_PER_IDENTITY, `${deployer.length} deployer policies; an identity takes ${POLICIES_PER_IDENTITY}`)
  })

  test(`${label}: every call the stack and the scripts make is allowed`, async (t) => {
    const failures = []
    const calls = allowed(s)
    for (const c of calls) {
      const r = await simulate(policies, null, a.user, c.action, c.resource, c.context, s.A)
      if (r.result !== 'Allowed') failures.push(`${r.result}: ${describe(c)} (for ${c.for.join(', ')})${r.detail ? ' ' + r.detail : ''}`)
      else if (r.ignored.length) failures.push(`context keys AWS would not send for ${c.action}: ${r.ignored.join(', ')}`)
    }
    t.diagnostic(`${calls.length - failures.length} of ${calls.length} allowed`)
    assert.deepEqual(failures, [], 'calls the deployer needs and is refused')
  })

  test(`${label}: escalation and calls outside the stack are denied`, async (t) => {
    const failures = []
    const calls = denied(s)
    for (const c of calls) {
      const r = await simulate(policies, null, a.user, c.action, c.resource, c.context, s.A)
      if (r.result === 'error') failures.push(`invalid request: ${describe(c)}: ${r.detail}`)
      else if (r.result === 'Allowed') failures.push(`ALLOWED (${c.why}): ${describe(c)}`)
    }
    t.diagnostic(`${calls.length - failures.length} of ${calls.length} denied`)
    assert.deepEqual(failures, [], 'calls the deployer must not be able to make')
  })

  test(`${label}: a role of the stack gets no more than its boundary, whatever its own policy`, async () => {
    const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
    const limit = JSON.parse(render.boundary)
    const { allowed: ok, denied: no } = boundary(s)
    const failures = []
    for (const [action, resource] of ok) {
      const r = await simulate([admin], limit, a.task, action, resource, {}, s.A)
      if (r.result !== 'Allowed') failures.push(`${r.result}: ${action} on ${resource}${r.detail ? ' ' + r.detail : ''}`)
    }
    for (const [action, resource] of no) {
      const r = await simulate([admin], limit, a.task, action, resource, {}, s.A)
      if (r.result === 'Allowed' || r.result === 'error') failures.push(`${r.result}: ${action} on ${resource}${r.detail ? ' ' + r.detail : ''}`)
    }
    if (render.task) {
      // The administrator's extra statements reach the application through the boundary too.
      for (const st of JSON.parse(render.task).Statement) {
        const r = await simulate([admin], limit, a.task, [st.Action].flat()[0], [st.Resource].flat()[0], {}, s.A)
        if (r.result !== 'Allowed') failures.push(`task_role_statements not in the boundary: ${st.Action} (${r.result})`)
      }
    }
    assert.deepEqual(failures, [])
  })

  if (render.trust) {
    test(`${label}: only the deploy job of ${s.repo} (environment ${s.env}${s.ref ? `, ${s.ref}` : ''}) may assume the CI role`, (t) => {
      const doc = JSON.parse(render.trust)
      const { role, allowed: ok, denied: no } = trust(s)
      const failures = []
      for (const c of ok) {
        const r = assume(doc, role, s.A, c)
        if (r.result !== 'Allowed') failures.push(`${r.result}: ${c.why} ${JSON.stringify(c.context)}${r.detail ? ' ' + r.detail : ''}`)
      }
      for (const c of no) {
        const r = assume(doc, role, s.A, c)
        if (r.result === 'Allowed' || r.result === 'error') failures.push(`${r.result} (${c.why}): ${c.principal} ${JSON.stringify(c.context)}${r.detail ? ' ' + r.detail : ''}`)
      }
      t.diagnostic(`${ok.length} allowed, ${no.length} denied`)
      assert.deepEqual(failures, [])

      // The cases must tell a right trust from the usual mistakes: a subject pattern for the
      // whole owner, or no subject at all, would let some of them in.
      const cond = doc.Statement[0].Condition.StringEquals
      const owner = s.repo.split('/')[0]
      const { 'token.actions.githubusercontent.com:sub': _, ...withoutSub } = cond
      for (const [mistake, broken] of [
        ['sub matching the owner\'s repositories', { ...doc, Statement: [{ ...doc.Statement[0], Condition: { StringEquals: withoutSub, StringLike: { 'token.actions.githubusercontent.com:sub': `repo:${owner}/*` } } }] }],
        ['no sub', { ...doc, Statement: [{ ...doc.Statement[0], Condition: { StringEquals: withoutSub } }] }],
      ]) {
        const admitted = no.filter((c) => assume(broken, role, s.A, c).result === 'Allowed')
        assert.ok(admitted.length > 0, `a trust with ${mistake} would pass these cases too`)
      }
    })
  }
}

test('the renders cover a stack with a GitHub repository and a remote state, and one without', () => {
  assert.ok(renders.some((r) => r.trust && r.stack.bucket), 'no render with github_repository and state_bucket: the CI role\'s trust and the state policy go unevaluated')
  assert.ok(renders.some((r) => !r.trust && !r.stack.bucket), 'no render without them')
})

test('requests evaluated without the simulator\'s resource-type check (shared prefixes)', (t) => {
  t.diagnostic(`${unvalidated.size} distinct: ELB v2 tagging and API Gateway v2, which the data files under v1`)
  for (const u of unvalidated) assert.match(u, /^(elasticloadbalancing:(AddTags|RemoveTags)|apigateway:(GET|POST|PUT|PATCH|DELETE)) on /, u)
})

// Every resource and data source type the stack declares, and every AWS CLI call of the scripts,
// must be in the lists above: a new one fails here until its calls are added (or refused).
test('the lists cover every resource type of terraform/*.tf and every aws call of scripts/deploy', () => {
  const s = { ...renders[0].stack, names: names(renders[0].resources) }
  const covered = new Set(allowed(s).flatMap((c) => c.for))
  const tf = readdirSync(join(root, 'terraform')).filter((f) => f.endsWith('.tf'))
    .map((f) => readFileSync(join(root, 'terraform', f), 'utf8')).join('\n')
  const types = new Set([...tf.matchAll(/^(?:resource|data) "(aws_[a-z0-9_]+)"/gm)].map((m) => m[1]))
  const missing = [...types].filter((t) => !covered.has(t) && !(t in refused) && !needsNoPermission.includes(t)).sort()
  assert.deepEqual(missing, [], 'resource types with no calls in tests/iam/calls.mjs')

  const actions = new Set(allowed(s).map((c) => c.action))
  const scripts = readdirSync(join(root, 'scripts/deploy')).filter((f) => f.endsWith('.sh'))
  const unlisted = []
  for (const f of scripts) {
    const src = readFileSync(join(root, 'scripts/deploy', f), 'utf8')
    for (const m of src.matchAll(/\baws ([a-z0-9-]+) ([a-z0-9-]+)/g)) {
      const [, service, op] = m
      const needed = {
        'sts get-caller-identity': [], // needs no permission
        'configure get': [], // reads local files
        'sso login': [],
        'ecs wait': ['ecs:DescribeServices'],
        'ecr get-login-password': ['ecr:GetAuthorizationToken'],
        'logs tail': ['logs:FilterLogEvents', 'logs:StartLiveTail'],
        // API Gateway v2 is authorised by HTTP method on the resource's path.
        'apigatewayv2 get-vpc-link': ['apigateway:GET'],
      }[`${service} ${op}`] ?? [`${service}:${op.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}`]
      for (const action of needed) if (!actions.has(action)) unlisted.push(`${f}: aws ${service} ${op} (${action})`)
    }
  }
  assert.deepEqual(unlisted, [], 'aws CLI calls of the scripts missing from the allowed list')
})
