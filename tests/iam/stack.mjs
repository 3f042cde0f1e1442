// The stack's own names, as Terraform makes them, so that the policies are held to the names the
// stack really uses rather than to a copy of them written here by hand.
//
// For each rendered set of policies (scripts/test-iam.sh), the stack (terraform/) is applied with a
// mocked provider in the same name, partition, region and account, once with each front door that
// has resources of its own (api_gateway, alb) and every optional part on; `terraform test -json
// -verbose` prints the state of each run, and `collect` keeps what the policies are scoped by.
//
//   node stack.mjs hcl RENDER.json > tests/iam-RENDER.tftest.hcl   the runs for one render
//   terraform test -json -verbose | node stack.mjs collect RENDERS   adds `resources` to each render
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'

// The zone-ID prefix of each region the renders use: the stack picks its zones by ID.
const ZONE_PREFIX = { 'us-east-1': 'use1', 'ap-southeast-2': 'apse2', 'us-gov-west-1': 'usgw1' }

const FRONT_DOORS = {
  api_gateway: { enable_tracing: true },
  alb: { front_door: 'alb' },
}

const hcl = (v) => JSON.stringify(v) // JSON's strings, lists and numbers are HCL's too

export function runs(render) {
  const s = render.stack
  const zone = ZONE_PREFIX[s.R]
  if (!zone) throw new Error(`no zone-ID prefix for region ${s.R}: add it to ZONE_PREFIX`)
  const overrides = [
    ['data.aws_caller_identity.current', { account_id: s.A, arn: `arn:${s.P}:iam::${s.A}:user/deployer`, user_id: 'AIDADEPLOYER' }],
    ['data.aws_region.current', { id: s.R, name: s.R }],
    ['data.aws_availability_zones.available', { names: ['a', 'b', 'c'].map((l) => s.R + l), zone_ids: [1, 2, 3].map((n) => `${zone}-az${n}`) }],
    ['data.aws_route53_zone.this', { zone_id: s.zone, name: 'example.com' }],
  ].map(([target, values]) => `override_data {\n  target = ${target}\n  values = {\n${Object.entries(values).map(([k, v]) => `    ${k} = ${hcl(v)}`).join('\n')}\n  }\n}\n`)
  const common = {
    name: s.N,
    image_tag: 'abc1234-amd64',
    store: 'dynamodb',
    enable_autoscaling: true,
    autoscaling_max_capacity: 2,
    alarm_emails: ['ops@example.com'],
    domain_name: 'actors.example.com',
    route53_zone_id: s.zone,
  }
  const blocks = Object.entries(FRONT_DOORS).map(([door, vars]) =>
    `run "${door}" {\n  command = apply\n  variables {\n${Object.entries({ ...common, ...vars }).map(([k, v]) => `    ${k} = ${hcl(v)}`).join('\n')}\n  }\n}\n`)
  return [`mock_provider "aws" {\n  source = "./tests/mocks"\n}\n`, ...overrides, ...blocks].join('\n')
}

// collect: the resources of every run's state, by render, from terraform test's JSON lines.
function collect(rendersDir, lines) {
  const byRender = {}
  const failed = []
  for (const line of lines) {
    let m
    try { m = JSON.parse(line) } catch { continue }
    if (m.type === 'test_run' && m.test_run.status && m.test_run.status !== 'pass') failed.push(`${m['@testfile']} ${m['@testrun']}: ${m.test_run.status}`)
    if (m['@level'] === 'error') failed.push(`${m['@testfile'] ?? ''} ${m['@testrun'] ?? ''}: ${m.diagnostic ? `${m.diagnostic.summary}: ${m.diagnostic.detail}` : m['@message']}`)
    if (m.type !== 'test_state') continue
    const file = basename(m['@testfile']).replace(/^iam-/, '').replace(/\.tftest\.hcl$/, '.json')
    const resources = (m.test_state.root_module?.resources ?? []).map((r) => ({ address: r.address, type: r.type, values: r.values }))
    ;(byRender[file] ??= []).push(...resources)
  }
  if (failed.length) throw new Error(`terraform test on the stack failed:\n${failed.join('\n')}`)
  for (const [file, resources] of Object.entries(byRender)) {
    const path = join(rendersDir, file)
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), resources }))
  }
  return Object.keys(byRender)
}

// What the policies are scoped by, from the resources of the stack's runs.
export function names(resources) {
  const of = (type) => resources.filter((r) => r.type === type).map((r) => r.values)
  const one = (type, attr) => {
    const values = [...new Set(of(type).map((v) => v[attr]))]
    if (values.length !== 1) throw new Error(`${type}.${attr}: want one value in the stack's runs, got ${JSON.stringify(values)}`)
    return values[0]
  }
  const containers = of('aws_ecs_task_definition').flatMap((v) => JSON.parse(v.container_definitions))
  return {
    logGroups: [...new Set(of('aws_cloudwatch_log_group').map((v) => v.name))].sort(),
    // Where the tasks write their logs: what the roles' boundary must let them write to.
    containerLogGroups: [...new Set(containers.map((c) => c.logConfiguration?.options?.['awslogs-group']).filter(Boolean))].sort(),
    repository: one('aws_ecr_repository', 'name'),
    cluster: one('aws_ecs_cluster', 'name'),
    service: one('aws_ecs_service', 'name'),
    family: one('aws_ecs_task_definition', 'family'),
    // Terraform deregisters the revision it replaces unless told to keep it.
    keepsRevisions: of('aws_ecs_task_definition').every((v) => v.skip_destroy === true),
    secretPrefix: one('aws_secretsmanager_secret', 'name_prefix'),
    table: one('aws_dynamodb_table', 'name'),
    roles: of('aws_iam_role').map((v) => ({ path: v.path, prefix: v.name_prefix, boundary: v.permissions_boundary })),
    alarms: [...new Set(of('aws_cloudwatch_metric_alarm').map((v) => v.alarm_name))].sort(),
    scalableTargets: [...new Set(of('aws_appautoscaling_target').map((v) => v.resource_id))],
    topic: one('aws_sns_topic', 'name'),
    loadBalancer: one('aws_lb', 'name'),
    zones: [...new Set(of('aws_route53_record').map((v) => v.zone_id))],
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, arg] = process.argv.slice(2)
  if (command === 'hcl') process.stdout.write(runs(JSON.parse(readFileSync(arg, 'utf8'))))
  else if (command === 'collect') console.log(`stack resources for: ${collect(arg, readFileSync(0, 'utf8').split('\n')).join(', ')}`)
  else throw new Error('usage: stack.mjs hcl RENDER.json | stack.mjs collect RENDERS_DIR')
}
