// The two lists the deployer policy is held to, as IAM authorises them: one request per resource
// IAM evaluates (a call that touches two resources, such as CreateSubnet in a VPC, is two), with
// the condition keys AWS puts in its context.
//
//   allowed(s): every call the stack (Terraform, per resource type), the scripts and the remote
//               state make;
//   denied(s):  privilege escalation and calls outside the stack;
//   boundary(s): what a role of the stack may do however much its own policy grants;
//   trust(s):   who may assume the role GitHub Actions deploys with, and who not.
//
// s is the stack: { P (partition), R (region), A (account), N (name), zone (route53 zone id),
// names, and when rendered with them: repo, env, ref (GitHub), provider (its OIDC provider's
// ARN), bucket, key (the remote state) }, where names are the stack's own as Terraform makes them
// (stack.mjs: its log groups, repository, cluster, service, family, secret prefix, table, roles,
// alarms, topic, load balancer, zones), so that the calls are made on the resources the stack
// really has. Each allowed call names the resource types (`for`) or script verbs that make it, so
// the test can check that every resource type of terraform/*.tf is accounted for. The denied calls
// are made on others' resources, named after the stack's name.

const tags = (N, extra = {}) => {
  const t = { ManagedBy: 'terraform', Project: N, ...extra }
  const ctx = { 'aws:TagKeys': Object.keys(t) }
  for (const [k, v] of Object.entries(t)) ctx[`aws:RequestTag/${k}`] = v
  return ctx
}
const ours = (N) => ({ 'aws:ResourceTag/Project': N })

// The ARNs of the stack's resources: by the names Terraform gives them when s.names has them,
// else by the stack's name (the denied list's, whose "other" resources are changes of these).
export function arns(s) {
  const { P, R, A, N } = s
  const ra = `${R}:${A}`
  const n = s.names
  const role = (part) => {
    const r = n.roles.find((x) => x.prefix.endsWith(`-${part}-`))
    if (!r) throw new Error(`no ${part} role among the stack's roles ${JSON.stringify(n.roles)}`)
    return `arn:${P}:iam::${A}:role${r.path}${r.prefix}20260101000000000000000001`
  }
  const mine = n && {
    exec: role('exec'),
    task: role('task'),
    repo: `arn:${P}:ecr:${ra}:repository/${n.repository}`,
    cluster: `arn:${P}:ecs:${ra}:cluster/${n.cluster}`,
    service: `arn:${P}:ecs:${ra}:service/${n.cluster}/${n.service}`,
    taskdef: `arn:${P}:ecs:${ra}:task-definition/${n.family}:7`,
    ecsTask: `arn:${P}:ecs:${ra}:task/${n.cluster}/0123456789abcdef0123456789abcdef`,
    secret: `arn:${P}:secretsmanager:${ra}:secret:${n.secretPrefix}20260101000000000000000001-AbCdEf`,
    table: `arn:${P}:dynamodb:${ra}:table/${n.table}`,
    topic: `arn:${P}:sns:${ra}:${n.topic}`,
    lb: `arn:${P}:elasticloadbalancing:${ra}:loadbalancer/app/${n.loadBalancer}/0123456789abcdef`,
    listener: `arn:${P}:elasticloadbalancing:${ra}:listener/app/${n.loadBalancer}/0123456789abcdef/fedcba9876543210`,
  }
  return {
    user: `arn:${P}:iam::${A}:user/deployer`,
    role: (r) => `arn:${P}:iam::${A}:role/${N}/${r}`,
    exec: `arn:${P}:iam::${A}:role/${N}/${N}-exec-20260101000000000000000001`,
    task: `arn:${P}:iam::${A}:role/${N}/${N}-task-20260101000000000000000001`,
    boundary: `arn:${P}:iam::${A}:policy/${N}/${N}-boundary`,
    taskPolicy: `arn:${P}:iam::${A}:policy/${N}/${N}-task`,
    policy: (p) => `arn:${P}:iam::${A}:policy/${N}/${N}-${p}`,
    // GitHub Actions' role, outside /<name>/ (terraform/iam/github.tf), and its OIDC provider.
    ciRole: `arn:${P}:iam::${A}:role/${N}-github-deploy`,
    oidc: (host) => `arn:${P}:iam::${A}:oidc-provider/${host}`,
    // The remote state (backend.hcl); a stack rendered without one gets a stand-in to be denied.
    state: `arn:${P}:s3:::${s.bucket ?? 'terraform-state'}/${s.key ?? `${N}/terraform.tfstate`}`,
    bucket: `arn:${P}:s3:::${s.bucket ?? 'terraform-state'}`,
    repo: `arn:${P}:ecr:${ra}:repository/${N}`,
    ec2: (t, id) => `arn:${P}:ec2:${ra}:${t}/${id}`,
    cluster: `arn:${P}:ecs:${ra}:cluster/${N}`,
    service: `arn:${P}:ecs:${ra}:service/${N}/${N}`,
    taskdef: `arn:${P}:ecs:${ra}:task-definition/${N}:7`,
    ecsTask: `arn:${P}:ecs:${ra}:task/${N}/0123456789abcdef0123456789abcdef`,
    logGroup: (g) => `arn:${P}:logs:${ra}:log-group:${g}`,
    secret: `arn:${P}:secretsmanager:${ra}:secret:${N}-credentials-20260101000000000000000001-AbCdEf`,
    table: `arn:${P}:dynamodb:${ra}:table/${N}`,
    alarm: (a) => `arn:${P}:cloudwatch:${ra}:alarm:${a}`,
    topic: `arn:${P}:sns:${ra}:${N}-alarms`,
    scalable: `arn:${P}:application-autoscaling:${ra}:scalable-target/0123456789abcdef0123456789abcdef`,
    lb: `arn:${P}:elasticloadbalancing:${ra}:loadbalancer/app/${N}/0123456789abcdef`,
    listener: `arn:${P}:elasticloadbalancing:${ra}:listener/app/${N}/0123456789abcdef/fedcba9876543210`,
    tg: `arn:${P}:elasticloadbalancing:${ra}:targetgroup/${N.slice(0, 5).replace(/-$/, '')}-2026010100000000000001/0123456789abcdef`,
    cert: `arn:${P}:acm:${ra}:certificate/01234567-89ab-cdef-0123-456789abcdef`,
    zone: `arn:${P}:route53:::hostedzone/${s.zone}`,
    api: (path) => `arn:${P}:apigateway:${R}::${path}`,
    namespace: `arn:${P}:servicediscovery:${ra}:namespace/ns-0123456789abcdef`,
    discovery: `arn:${P}:servicediscovery:${ra}:service/srv-0123456789abcdef`,
    ...mine,
  }
}

export function allowed(s) {
  const { N } = s
  const n = s.names
  if (!n) throw new Error('allowed(s): s.names (the stack\'s names, stack.mjs) is missing')
  const a = arns(s)
  const calls = []
  // add(for, action, resource, context)
  const add = (forWhat, action, resource, context = {}) => calls.push({ for: [forWhat].flat(), action, resource, context })
  const vpc = a.ec2('vpc', 'vpc-0123456789abcdef0')
  const subnet = a.ec2('subnet', 'subnet-0123456789abcdef0')
  const rt = a.ec2('route-table', 'rtb-0123456789abcdef0')
  const sg = a.ec2('security-group', 'sg-0123456789abcdef0')
  const igw = a.ec2('internet-gateway', 'igw-0123456789abcdef0')
  const rule = a.ec2('security-group-rule', 'sgr-0123456789abcdef0')
  const bounded = { 'iam:PermissionsBoundary': a.boundary }

  // ---- reads every plan makes, and the data sources
  add(['aws_availability_zones'], 'ec2:DescribeAvailabilityZones', '*')
  add(['aws_vpc', 'aws_subnet', 'aws_security_group', 'aws_route_table'], 'ec2:DescribeVpcs', '*')
  add(['aws_subnet'], 'ec2:DescribeSubnets', '*')
  add(['aws_security_group', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'], 'ec2:DescribeSecurityGroups', '*')
  add(['aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'], 'ec2:DescribeSecurityGroupRules', '*')
  add(['aws_route_table', 'aws_route', 'aws_route_table_association'], 'ec2:DescribeRouteTables', '*')
  add(['aws_internet_gateway'], 'ec2:DescribeInternetGateways', '*')
  add(['aws_secretsmanager_random_password'], 'secretsmanager:GetRandomPassword', '*')
  add(['aws_route53_zone'], 'route53:GetHostedZone', a.zone)
  add(['aws_route53_zone'], 'route53:ListHostedZones', '*')
  add(['aws_route53_zone'], 'route53:ListTagsForResource', a.zone)

  // ---- ECR
  add('aws_ecr_repository', 'ecr:CreateRepository', a.repo, tags(N))
  for (const act of ['DescribeRepositories', 'ListTagsForResource', 'PutImageTagMutability', 'PutImageScanningConfiguration', 'DeleteRepository', 'UntagResource'])
    add('aws_ecr_repository', `ecr:${act}`, a.repo)
  add('aws_ecr_repository', 'ecr:TagResource', a.repo, tags(N))
  for (const act of ['PutLifecyclePolicy', 'GetLifecyclePolicy', 'DeleteLifecyclePolicy'])
    add('aws_ecr_lifecycle_policy', `ecr:${act}`, a.repo)

  // ---- the network
  add('aws_vpc', 'ec2:CreateVpc', a.ec2('vpc', '*'), tags(N, { Name: N }))
  add('aws_vpc', 'ec2:CreateTags', a.ec2('vpc', '*'), { ...tags(N, { Name: N }), 'ec2:CreateAction': 'CreateVpc' })
  for (const act of ['DescribeVpcAttribute', 'ModifyVpcAttribute', 'DeleteVpc']) add('aws_vpc', `ec2:${act}`, vpc, ours(N))
  add('aws_vpc', 'ec2:CreateTags', vpc, { ...ours(N), ...tags(N, { Name: N }) })
  add('aws_internet_gateway', 'ec2:CreateInternetGateway', a.ec2('internet-gateway', '*'), tags(N, { Name: N }))
  add('aws_internet_gateway', 'ec2:CreateTags', a.ec2('internet-gateway', '*'), { ...tags(N, { Name: N }), 'ec2:CreateAction': 'CreateInternetGateway' })
  for (const act of ['AttachInternetGateway', 'DetachInternetGateway']) {
    add('aws_internet_gateway', `ec2:${act}`, igw, ours(N))
    add('aws_internet_gateway', `ec2:${act}`, vpc, ours(N))
  }
  add('aws_internet_gateway', 'ec2:DeleteInternetGateway', igw, ours(N))
  add('aws_subnet', 'ec2:CreateSubnet', a.ec2('subnet', '*'), tags(N, { Name: `${N}-public-a` }))
  add('aws_subnet', 'ec2:CreateSubnet', vpc, { ...ours(N), ...tags(N, { Name: `${N}-public-a` }) })
  add('aws_subnet', 'ec2:CreateTags', a.ec2('subnet', '*'), { ...tags(N), 'ec2:CreateAction': 'CreateSubnet' })
  for (const act of ['ModifySubnetAttribute', 'DeleteSubnet']) add('aws_subnet', `ec2:${act}`, subnet, ours(N))
  add('aws_route_table', 'ec2:CreateRouteTable', a.ec2('route-table', '*'), tags(N))
  add('aws_route_table', 'ec2:CreateRouteTable', vpc, { ...ours(N), ...tags(N) })
  add('aws_route_table', 'ec2:CreateTags', a.ec2('route-table', '*'), { ...tags(N), 'ec2:CreateAction': 'CreateRouteTable' })
  add('aws_route_table', 'ec2:DeleteRouteTable', rt, ours(N))
  for (const act of ['CreateRoute', 'DeleteRoute', 'ReplaceRoute']) add('aws_route', `ec2:${act}`, rt, ours(N))
  for (const act of ['AssociateRouteTable', 'DisassociateRouteTable']) {
    add('aws_route_table_association', `ec2:${act}`, rt, ours(N))
    add('aws_route_table_association', `ec2:${act}`, subnet, ours(N))
  }
  add('aws_security_group', 'ec2:CreateSecurityGroup', a.ec2('security-group', '*'), tags(N, { Name: `${N}-tasks` }))
  add('aws_security_group', 'ec2:CreateSecurityGroup', vpc, { ...ours(N), ...tags(N, { Name: `${N}-tasks` }) })
  add('aws_security_group', 'ec2:CreateTags', a.ec2('security-group', '*'), { ...tags(N), 'ec2:CreateAction': 'CreateSecurityGroup' })
  // The provider removes the default allow-all egress rule of a new group.
  for (const act of ['RevokeSecurityGroupEgress', 'DeleteSecurityGroup']) add('aws_security_group', `ec2:${act}`, sg, ours(N))
  for (const [type, dir] of [['aws_vpc_security_group_ingress_rule', 'Ingress'], ['aws_vpc_security_group_egress_rule', 'Egress']]) {
    add(type, `ec2:AuthorizeSecurityGroup${dir}`, sg, { ...ours(N), ...tags(N) })
    add(type, `ec2:AuthorizeSecurityGroup${dir}`, a.ec2('security-group-rule', '*'), tags(N))
    add(type, 'ec2:CreateTags', a.ec2('security-group-rule', '*'), { ...tags(N), 'ec2:CreateAction': `AuthorizeSecurityGroup${dir}` })
    add(type, `ec2:RevokeSecurityGroup${dir}`, sg, ours(N))
    add(type, 'ec2:ModifySecurityGroupRules', sg, ours(N))
    add(type, 'ec2:ModifySecurityGroupRules', rule, ours(N))
  }

  // ---- ECS, its roles and logs
  add('aws_ecs_cluster', 'ecs:CreateCluster', a.cluster, tags(N))
  for (const act of ['DescribeClusters', 'UpdateCluster', 'UpdateClusterSettings', 'DeleteCluster']) add('aws_ecs_cluster', `ecs:${act}`, a.cluster)
  add('aws_ecs_cluster', 'ecs:TagResource', a.cluster, tags(N))
  for (const g of n.logGroups) {
    add('aws_cloudwatch_log_group', 'logs:CreateLogGroup', a.logGroup(g), tags(N))
    add('aws_cloudwatch_log_group', 'logs:TagResource', a.logGroup(g), tags(N))
    for (const act of ['PutRetentionPolicy', 'DeleteLogGroup', 'ListTagsForResource']) add('aws_cloudwatch_log_group', `logs:${act}`, a.logGroup(g))
  }
  add('aws_cloudwatch_log_group', 'logs:DescribeLogGroups', '*')
  add('aws_ecs_task_definition', 'ecs:RegisterTaskDefinition', a.taskdef, tags(N))
  add('aws_ecs_task_definition', 'ecs:DescribeTaskDefinition', '*')
  // Replacing a revision deregisters the old one, unless the stack keeps it (skip_destroy).
  if (!n.keepsRevisions) add('aws_ecs_task_definition', 'ecs:DeregisterTaskDefinition', '*')
  add('aws_ecs_task_definition', 'ecs:TagResource', a.taskdef, tags(N))
  for (const r of [a.exec, a.task])
    add('aws_ecs_task_definition', 'iam:PassRole', r, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' })
  add('aws_ecs_service', 'ecs:CreateService', a.service, { ...tags(N), 'ecs:cluster': a.cluster })
  for (const act of ['UpdateService', 'DescribeServices']) add('aws_ecs_service', `ecs:${act}`, a.service, { 'ecs:cluster': a.cluster })
  add('aws_ecs_service', 'ecs:DeleteService', a.service, { 'ecs:cluster': a.cluster })
  add('aws_ecs_service', 'ecs:TagResource', a.service, tags(N))
  add('aws_ecs_service', 'iam:CreateServiceLinkedRole', `arn:${s.P}:iam::${s.A}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`, { 'iam:AWSServiceName': 'ecs.amazonaws.com' })
  for (const r of [a.exec, a.task]) {
    add('aws_iam_role', 'iam:CreateRole', r, { ...bounded, ...tags(N) })
    for (const act of ['GetRole', 'ListRolePolicies', 'ListAttachedRolePolicies', 'ListInstanceProfilesForRole', 'UpdateRoleDescription'])
      add('aws_iam_role', `iam:${act}`, r, act === 'GetRole' ? bounded : {})
    add('aws_iam_role', 'iam:TagRole', r, tags(N))
    for (const act of ['UpdateAssumeRolePolicy', 'DeleteRole']) add('aws_iam_role', `iam:${act}`, r, bounded)
    add('aws_iam_role', 'iam:PutRolePermissionsBoundary', r, bounded)
    add('aws_iam_role_policy', 'iam:PutRolePolicy', r, bounded)
    add('aws_iam_role_policy', 'iam:GetRolePolicy', r)
    add('aws_iam_role_policy', 'iam:DeleteRolePolicy', r, bounded)
  }
  add('aws_iam_role_policy_attachment', 'iam:AttachRolePolicy', a.task, { ...bounded, 'iam:PolicyARN': a.taskPolicy })
  add('aws_iam_role_policy_attachment', 'iam:DetachRolePolicy', a.task, { ...bounded, 'iam:PolicyARN': a.taskPolicy })
  add('aws_iam_role_policy_attachment', 'iam:GetPolicy', a.taskPolicy)

  // ---- the secret and the table
  add('aws_secretsmanager_secret', 'secretsmanager:CreateSecret', a.secret, { ...tags(N), 'secretsmanager:Name': `${n.secretPrefix}20260101000000000000000001` })
  for (const act of ['DescribeSecret', 'GetResourcePolicy', 'DeleteSecret', 'UntagResource']) add('aws_secretsmanager_secret', `secretsmanager:${act}`, a.secret, ours(N))
  add('aws_secretsmanager_secret', 'secretsmanager:TagResource', a.secret, { ...ours(N), ...tags(N) })
  for (const act of ['PutSecretValue', 'GetSecretValue', 'ListSecretVersionIds', 'UpdateSecretVersionStage']) add('aws_secretsmanager_secret_version', `secretsmanager:${act}`, a.secret, ours(N))
  add('aws_dynamodb_table', 'dynamodb:CreateTable', a.table, tags(N))
  for (const act of ['DescribeTable', 'UpdateTable', 'DeleteTable', 'DescribeContinuousBackups', 'UpdateContinuousBackups', 'DescribeTimeToLive', 'UpdateTimeToLive', 'ListTagsOfResource', 'UntagResource'])
    add('aws_dynamodb_table', `dynamodb:${act}`, a.table)
  add('aws_dynamodb_table', 'dynamodb:TagResource', a.table, tags(N))

  // ---- alarms, topic, autoscaling
  for (const name of n.alarms) {
    add('aws_cloudwatch_metric_alarm', 'cloudwatch:PutMetricAlarm', a.alarm(name), tags(N))
    add('aws_cloudwatch_metric_alarm', 'cloudwatch:TagResource', a.alarm(name), tags(N))
    for (const act of ['DescribeAlarms', 'ListTagsForResource', 'DeleteAlarms', 'UntagResource']) add('aws_cloudwatch_metric_alarm', `cloudwatch:${act}`, a.alarm(name))
  }
  add('aws_sns_topic', 'sns:CreateTopic', a.topic, tags(N))
  add('aws_sns_topic', 'sns:TagResource', a.topic, tags(N))
  for (const act of ['GetTopicAttributes', 'SetTopicAttributes', 'ListTagsForResource', 'DeleteTopic']) add('aws_sns_topic', `sns:${act}`, a.topic)
  add('aws_sns_topic_subscription', 'sns:Subscribe', a.topic, { 'sns:Protocol': 'email', 'sns:Endpoint': 'ops@example.com' })
  for (const act of ['GetSubscriptionAttributes', 'Unsubscribe']) add('aws_sns_topic_subscription', `sns:${act}`, a.topic)
  add('aws_appautoscaling_target', 'application-autoscaling:RegisterScalableTarget', a.scalable, { ...tags(N), 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' })
  add('aws_appautoscaling_target', 'application-autoscaling:RegisterScalableTarget', a.scalable, { ...ours(N), 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' })
  add('aws_appautoscaling_target', 'application-autoscaling:DeregisterScalableTarget', a.scalable, { ...ours(N), 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' })
  add('aws_appautoscaling_target', 'application-autoscaling:DescribeScalableTargets', '*')
  add('aws_appautoscaling_target', 'application-autoscaling:TagResource', a.scalable, { ...ours(N), ...tags(N) })
  add('aws_appautoscaling_target', 'iam:CreateServiceLinkedRole', `arn:${s.P}:iam::${s.A}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`, { 'iam:AWSServiceName': 'ecs.application-autoscaling.amazonaws.com' })
  for (const act of ['PutScalingPolicy', 'DeleteScalingPolicy'])
    add('aws_appautoscaling_policy', `application-autoscaling:${act}`, a.scalable, { ...ours(N), 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' })
  add('aws_appautoscaling_policy', 'application-autoscaling:DescribeScalingPolicies', '*')
  // Target tracking's own alarms, made with the caller's rights and named after the target.
  for (const target of n.scalableTargets) {
    add('aws_appautoscaling_policy', 'cloudwatch:PutMetricAlarm', a.alarm(`TargetTracking-${target}-AlarmHigh-01234567-89ab-cdef-0123-456789abcdef`))
    add('aws_appautoscaling_policy', 'cloudwatch:DeleteAlarms', a.alarm(`TargetTracking-${target}-AlarmLow-01234567-89ab-cdef-0123-456789abcdef`))
  }

  // ---- the ALB front door, certificate and DNS
  add('aws_lb', 'elasticloadbalancing:CreateLoadBalancer', a.lb, tags(N))
  add('aws_lb', 'elasticloadbalancing:AddTags', a.lb, { ...tags(N), 'elasticloadbalancing:CreateAction': 'CreateLoadBalancer' })
  for (const act of ['ModifyLoadBalancerAttributes', 'SetSecurityGroups', 'SetSubnets', 'DeleteLoadBalancer', 'RemoveTags']) add('aws_lb', `elasticloadbalancing:${act}`, a.lb, ours(N))
  add(['aws_lb', 'aws_lb_target_group', 'aws_lb_listener'], 'elasticloadbalancing:DescribeLoadBalancers', '*')
  add('aws_lb', 'iam:CreateServiceLinkedRole', `arn:${s.P}:iam::${s.A}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`, { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' })
  add('aws_lb_target_group', 'elasticloadbalancing:CreateTargetGroup', a.tg, tags(N))
  add('aws_lb_target_group', 'elasticloadbalancing:AddTags', a.tg, { ...tags(N), 'elasticloadbalancing:CreateAction': 'CreateTargetGroup' })
  for (const act of ['ModifyTargetGroup', 'ModifyTargetGroupAttributes', 'DeleteTargetGroup', 'RemoveTags']) add('aws_lb_target_group', `elasticloadbalancing:${act}`, a.tg, ours(N))
  add('aws_lb_target_group', 'elasticloadbalancing:AddTags', a.tg, { ...ours(N), ...tags(N) })
  add('aws_lb_listener', 'elasticloadbalancing:CreateListener', a.lb, { ...ours(N), ...tags(N) })
  add('aws_lb_listener', 'elasticloadbalancing:AddTags', a.listener, { ...tags(N), 'elasticloadbalancing:CreateAction': 'CreateListener' })
  for (const act of ['ModifyListener', 'DeleteListener']) add('aws_lb_listener', `elasticloadbalancing:${act}`, a.listener, ours(N))
  add('aws_acm_certificate', 'acm:RequestCertificate', '*', { ...tags(N, { Name: N }), 'acm:DomainNames': ['actors.example.com'], 'acm:ValidationMethod': 'DNS' })
  add('aws_acm_certificate', 'acm:AddTagsToCertificate', a.cert, tags(N, { Name: N }))
  for (const act of ['DescribeCertificate', 'ListTagsForCertificate']) add(['aws_acm_certificate', 'aws_acm_certificate_validation'], `acm:${act}`, a.cert)
  add('aws_acm_certificate', 'acm:DeleteCertificate', a.cert, ours(N))
  add('aws_acm_certificate', 'acm:AddTagsToCertificate', a.cert, { ...ours(N), ...tags(N) })
  add('aws_acm_certificate', 'acm:RemoveTagsFromCertificate', a.cert, { ...ours(N), 'aws:TagKeys': ['Name'] })
  for (const zone of n.zones) {
    add('aws_route53_record', 'route53:ChangeResourceRecordSets', `arn:${s.P}:route53:::hostedzone/${zone}`, {
      'route53:ChangeResourceRecordSetsActions': ['UPSERT'], 'route53:ChangeResourceRecordSetsRecordTypes': ['A'],
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['actors.example.com'],
    })
  }
  add('aws_route53_record', 'route53:GetChange', `arn:${s.P}:route53:::change/C0123456789ABCDEFGHIJ`)
  add('aws_route53_record', 'route53:ListResourceRecordSets', a.zone)

  // ---- the API Gateway front door (HTTP API, VPC link, custom domain) and Cloud Map
  const api = 'a1b2c3d4e5'
  const apiArn = a.api(`/apis/${api}`)
  add('aws_apigatewayv2_api', 'apigateway:POST', a.api('/apis'), tags(N))
  // A change of tags after creation (var.tags): every tag but Project, which never changes.
  add(['aws_apigatewayv2_api', 'aws_apigatewayv2_vpc_link', 'aws_apigatewayv2_domain_name'], 'apigateway:POST', a.api(`/tags/${encodeURIComponent(apiArn)}`), { 'aws:TagKeys': ['Owner'], 'aws:RequestTag/Owner': 'team' })
  for (const act of ['GET', 'PATCH', 'DELETE']) add('aws_apigatewayv2_api', `apigateway:${act}`, apiArn, ours(N))
  add('aws_apigatewayv2_stage', 'apigateway:POST', a.api(`/apis/${api}/stages`), { ...ours(N), ...tags(N) })
  for (const act of ['PATCH', 'DELETE']) add('aws_apigatewayv2_stage', `apigateway:${act}`, a.api(`/apis/${api}/stages/$default`), ours(N))
  for (const act of ['CreateLogDelivery', 'UpdateLogDelivery', 'DeleteLogDelivery', 'GetLogDelivery', 'ListLogDeliveries', 'PutResourcePolicy', 'DescribeResourcePolicies'])
    add('aws_apigatewayv2_stage', `logs:${act}`, '*')
  add('aws_apigatewayv2_route', 'apigateway:POST', a.api(`/apis/${api}/routes`), ours(N))
  for (const act of ['GET', 'PATCH', 'DELETE']) add('aws_apigatewayv2_route', `apigateway:${act}`, a.api(`/apis/${api}/routes/r0123`), ours(N))
  add('aws_apigatewayv2_integration', 'apigateway:POST', a.api(`/apis/${api}/integrations`), ours(N))
  for (const act of ['GET', 'PATCH', 'DELETE']) add('aws_apigatewayv2_integration', `apigateway:${act}`, a.api(`/apis/${api}/integrations/i0123`), ours(N))
  add('aws_apigatewayv2_vpc_link', 'apigateway:POST', a.api('/vpclinks'), tags(N))
  for (const act of ['GET', 'PATCH', 'DELETE']) add('aws_apigatewayv2_vpc_link', `apigateway:${act}`, a.api('/vpclinks/v0123'), ours(N))
  add('aws_apigatewayv2_vpc_link', 'iam:CreateServiceLinkedRole', `arn:${s.P}:iam::${s.A}:role/aws-service-role/ops.apigateway.amazonaws.com/AWSServiceRoleForAPIGateway`, { 'iam:AWSServiceName': 'ops.apigateway.amazonaws.com' })
  add('aws_apigatewayv2_domain_name', 'apigateway:POST', a.api('/domainnames'), tags(N))
  for (const act of ['GET', 'PATCH', 'DELETE']) add('aws_apigatewayv2_domain_name', `apigateway:${act}`, a.api('/domainnames/actors.example.com'), ours(N))
  add('aws_apigatewayv2_api_mapping', 'apigateway:POST', a.api('/domainnames/actors.example.com/apimappings'), ours(N))
  for (const act of ['GET', 'PATCH', 'DELETE']) add('aws_apigatewayv2_api_mapping', `apigateway:${act}`, a.api('/domainnames/actors.example.com/apimappings/m0123'), ours(N))
  add(['aws_apigatewayv2_api', 'aws_apigatewayv2_stage'], 'apigateway:DELETE', a.api(`/tags/${encodeURIComponent(apiArn)}`), { 'aws:TagKeys': ['Name'] })
  add('aws_service_discovery_private_dns_namespace', 'servicediscovery:CreatePrivateDnsNamespace', '*', tags(N))
  // Cloud Map makes the namespace's private zone with the caller's rights.
  add('aws_service_discovery_private_dns_namespace', 'route53:CreateHostedZone', '*')
  add('aws_service_discovery_private_dns_namespace', 'route53:ListHostedZonesByName', '*')
  for (const act of ['GetNamespace', 'DeleteNamespace', 'UpdatePrivateDnsNamespace']) add('aws_service_discovery_private_dns_namespace', `servicediscovery:${act}`, a.namespace, ours(N))
  add(['aws_service_discovery_private_dns_namespace', 'aws_service_discovery_service'], 'servicediscovery:GetOperation', a.namespace, ours(N))
  add(['aws_service_discovery_private_dns_namespace', 'aws_service_discovery_service'], 'servicediscovery:ListTagsForResource', '*')
  add(['aws_service_discovery_private_dns_namespace', 'aws_service_discovery_service'], 'servicediscovery:TagResource', '*', { 'aws:TagKeys': ['Name'], 'aws:RequestTag/Name': N })
  add('aws_service_discovery_service', 'servicediscovery:CreateService', a.namespace, { ...ours(N), ...tags(N), 'servicediscovery:NamespaceArn': a.namespace })
  add('aws_service_discovery_service', 'servicediscovery:CreateService', a.discovery, { ...tags(N), 'servicediscovery:NamespaceArn': a.namespace })
  for (const act of ['GetService', 'UpdateService', 'DeleteService']) add('aws_service_discovery_service', `servicediscovery:${act}`, a.discovery, ours(N))

  // ---- the scripts (scripts/deploy/*.sh), by the action each aws CLI call needs
  add('script', 'ecr:GetAuthorizationToken', '*')
  for (const act of ['DescribeImages', 'ListImages', 'BatchCheckLayerAvailability', 'InitiateLayerUpload', 'UploadLayerPart', 'CompleteLayerUpload', 'PutImage', 'BatchGetImage', 'GetDownloadUrlForLayer'])
    add('script', `ecr:${act}`, a.repo)
  for (const act of ['DescribeServices', 'UpdateService', 'ListServiceDeployments', 'DescribeServiceDeployments'])
    add('script', `ecs:${act}`, a.service, { 'ecs:cluster': a.cluster })
  add('script', 'ecs:DescribeTaskDefinition', '*')
  add('script', 'ecs:ListTaskDefinitions', '*')
  add('script', 'ecs:ListTasks', `arn:${s.P}:ecs:${s.R}:${s.A}:container-instance/${n.cluster}/*`, { 'ecs:cluster': a.cluster })
  add('script', 'ecs:DescribeTasks', a.ecsTask, { 'ecs:cluster': a.cluster })
  add('script', 'ec2:DescribeNetworkInterfaces', '*')
  for (const name of n.alarms) add('script', 'cloudwatch:DescribeAlarms', a.alarm(name))
  for (const g of n.containerLogGroups) {
    for (const act of ['FilterLogEvents', 'StartLiveTail']) add('script', `logs:${act}`, a.logGroup(g))
    add('script', 'logs:GetLogEvents', `${a.logGroup(g)}:log-stream:actors/actors/0123456789abcdef`)
  }
  add('script', 'secretsmanager:GetSecretValue', a.secret, ours(N))
  add('script', 'secretsmanager:GetRandomPassword', '*')
  // make status (the API Gateway front door) and make deploy's check of the zone's delegation
  add('script', 'apigateway:GET', a.api('/vpclinks/v0123'), ours(N))
  add('script', 'servicediscovery:GetInstancesHealthStatus', a.discovery, ours(N))
  add('script', 'route53:GetHostedZone', a.zone)
  add('script', 'route53:ListHostedZonesByName', '*')

  // ---- the remote state, with use_lockfile (terraform init, plan, apply; every verb)
  if (s.bucket) {
    add('state', 's3:ListBucket', a.bucket, { 's3:prefix': 'env:/' })
    for (const act of ['GetObject', 'PutObject']) add('state', `s3:${act}`, a.state)
    for (const act of ['GetObject', 'PutObject', 'DeleteObject']) add('state', `s3:${act}`, `${a.state}.tflock`)
  }
  return calls
}

// Data sources that call nothing IAM authorises (the caller's identity; the provider's region).
export const needsNoPermission = ['aws_caller_identity', 'aws_region']

// The stack's resource types the policy deliberately does not let the deployer manage, and why.
export const refused = {}

export function denied(s) {
  const { P, A, N } = s
  const a = arns({ ...s, names: undefined })
  const other = 'other-stack'
  const calls = []
  const add = (why, action, resource, context = {}) => calls.push({ why, action, resource, context })
  const bounded = { 'iam:PermissionsBoundary': a.boundary }
  const admin = `arn:${P}:iam::aws:policy/AdministratorAccess`

  // ---- becoming admin
  add('CreateRole without the boundary', 'iam:CreateRole', a.role('admin'), {})
  add('CreateRole with another boundary', 'iam:CreateRole', a.role('admin'), { 'iam:PermissionsBoundary': admin })
  add('CreateRole outside the stack\'s path, with the boundary', 'iam:CreateRole', `arn:${P}:iam::${A}:role/admin`, bounded)
  add('attach AdministratorAccess to a stack role', 'iam:AttachRolePolicy', a.task, { ...bounded, 'iam:PolicyARN': admin })
  add('attach the deployer\'s own policy to a stack role', 'iam:AttachRolePolicy', a.task, { ...bounded, 'iam:PolicyARN': a.policy('deployer-iam') })
  add('attach a policy to a role outside the stack', 'iam:AttachRolePolicy', `arn:${P}:iam::${A}:role/other`, { 'iam:PolicyARN': a.taskPolicy })
  add('PutRolePolicy on a role outside the stack', 'iam:PutRolePolicy', `arn:${P}:iam::${A}:role/other`, {})
  add('PutRolePolicy on a role under the stack\'s path without the boundary', 'iam:PutRolePolicy', a.role('made-by-hand'), {})
  add('UpdateAssumeRolePolicy on a role outside the stack', 'iam:UpdateAssumeRolePolicy', `arn:${P}:iam::${A}:role/other`, {})
  add('PassRole of a role outside the stack', 'iam:PassRole', `arn:${P}:iam::${A}:role/admin`, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' })
  add('PassRole of a stack role to another service', 'iam:PassRole', a.task, { 'iam:PassedToService': 'lambda.amazonaws.com' })
  for (const act of ['CreatePolicyVersion', 'SetDefaultPolicyVersion', 'DeletePolicy', 'DeletePolicyVersion'])
    add(`${act} on the boundary`, `iam:${act}`, a.boundary)
  add('CreatePolicyVersion on the deployer policy itself', 'iam:CreatePolicyVersion', a.policy('deployer-iam'))
  add('CreatePolicyVersion on the application\'s policy', 'iam:CreatePolicyVersion', a.taskPolicy)
  add('CreatePolicy', 'iam:CreatePolicy', `arn:${P}:iam::${A}:policy/${N}/${N}-boundary2`)
  add('remove a stack role\'s boundary', 'iam:DeleteRolePermissionsBoundary', a.task, bounded)
  add('replace a stack role\'s boundary with another policy', 'iam:PutRolePermissionsBoundary', a.task, { 'iam:PermissionsBoundary': admin })
  add('CreateUser', 'iam:CreateUser', `arn:${P}:iam::${A}:user/backdoor`, {})
  add('CreateAccessKey for itself', 'iam:CreateAccessKey', a.user)
  add('attach a policy to itself', 'iam:AttachUserPolicy', a.user, { 'iam:PolicyARN': admin })
  add('a service-linked role for another service', 'iam:CreateServiceLinkedRole', `arn:${P}:iam::${A}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS`, { 'iam:AWSServiceName': 'rds.amazonaws.com' })
  add('assume a stack role', 'sts:AssumeRole', a.task)

  // ---- ECS outside the stack
  add('UpdateService on another cluster', 'ecs:UpdateService', a.service.replace(`service/${N}/`, `service/${other}/`), { 'ecs:cluster': a.cluster.replace(`cluster/${N}`, `cluster/${other}`) })
  add('UpdateService of another service in the cluster', 'ecs:UpdateService', `${a.service}-admin`, { 'ecs:cluster': a.cluster })
  add('DeleteService on another cluster', 'ecs:DeleteService', a.service.replace(`service/${N}/`, `service/${other}/`), { 'ecs:cluster': a.cluster.replace(`cluster/${N}`, `cluster/${other}`) })
  add('RegisterTaskDefinition of another family', 'ecs:RegisterTaskDefinition', a.taskdef.replace(`task-definition/${N}:`, `task-definition/${other}:`), {})
  add('DeleteCluster of another cluster', 'ecs:DeleteCluster', a.cluster.replace(`cluster/${N}`, `cluster/${other}`))
  add('RunTask', 'ecs:RunTask', a.taskdef, { 'ecs:cluster': a.cluster })
  // It takes no resource, so it would reach every family of the account; the stack keeps its
  // revisions (skip_destroy), the targets of every rollback, and never needs it.
  if (s.names?.keepsRevisions) add('deregister a task definition', 'ecs:DeregisterTaskDefinition', '*')
  add('ExecuteCommand into a task', 'ecs:ExecuteCommand', a.ecsTask, { 'ecs:cluster': a.cluster })

  // ---- DNS, certificates, load balancers, APIs, Cloud Map outside the stack
  add('Route 53 change in another zone', 'route53:ChangeResourceRecordSets', `arn:${P}:route53:::hostedzone/ZOTHER0123456789`, { 'route53:ChangeResourceRecordSetsActions': ['UPSERT'] })
  add('delete a hosted zone', 'route53:DeleteHostedZone', a.zone)
  add('DeleteCertificate of another stack\'s certificate', 'acm:DeleteCertificate', a.cert, { 'aws:ResourceTag/Project': other })
  add('DeleteCertificate of an untagged certificate', 'acm:DeleteCertificate', a.cert, {})
  add('claim another stack\'s certificate by tagging it', 'acm:AddTagsToCertificate', a.cert, { 'aws:ResourceTag/Project': other, ...tags(N) })
  add('ImportCertificate', 'acm:ImportCertificate', a.cert, tags(N))
  add('DeleteLoadBalancer of another load balancer', 'elasticloadbalancing:DeleteLoadBalancer', a.lb.replace(`app/${N}/`, `app/${other}/`), { 'aws:ResourceTag/Project': other })
  add('ModifyListener of another load balancer', 'elasticloadbalancing:ModifyListener', a.listener.replace(`app/${N}/`, `app/${other}/`), {})
  add('DeleteTargetGroup of another stack', 'elasticloadbalancing:DeleteTargetGroup', a.tg, { 'aws:ResourceTag/Project': other })
  add('claim another target group by tagging it', 'elasticloadbalancing:AddTags', a.tg, { 'aws:ResourceTag/Project': other, ...tags(N) })
  add('claim an untagged target group by tagging it', 'elasticloadbalancing:AddTags', a.tg, tags(N))
  add('change another stack\'s API', 'apigateway:PATCH', a.api('/apis/z9y8x7w6v5'), { 'aws:ResourceTag/Project': other })
  add('delete another stack\'s VPC link', 'apigateway:DELETE', a.api('/vpclinks/v9999'), { 'aws:ResourceTag/Project': other })
  add('create an API without the tag', 'apigateway:POST', a.api('/apis'), tags(other))
  add('claim an API by tagging it', 'apigateway:POST', a.api(`/tags/${encodeURIComponent(a.api('/apis/z9y8x7w6v5'))}`), tags(N))
  add('remove the Project tag from an API', 'apigateway:DELETE', a.api(`/tags/${encodeURIComponent(a.api('/apis/a1b2c3d4e5'))}`), { 'aws:TagKeys': ['Project'] })
  add('delete another namespace', 'servicediscovery:DeleteNamespace', a.namespace, { 'aws:ResourceTag/Project': other })
  add('claim a namespace by tagging it', 'servicediscovery:TagResource', '*', tags(N))
  add('register an instance in Cloud Map', 'servicediscovery:RegisterInstance', a.discovery, { 'aws:ResourceTag/Project': N })

  // ---- the network outside the stack
  const otherSg = a.ec2('security-group', 'sg-0ffffffffffffffff')
  add('open another security group', 'ec2:AuthorizeSecurityGroupIngress', otherSg, { 'aws:ResourceTag/Project': other, ...tags(N) })
  add('open an untagged security group', 'ec2:AuthorizeSecurityGroupIngress', otherSg, tags(N))
  add('open another security group (its new rule tagged as ours)', 'ec2:AuthorizeSecurityGroupIngress', otherSg, { ...tags(N), 'ec2:CreateAction': 'AuthorizeSecurityGroupIngress' })
  add('close another security group', 'ec2:RevokeSecurityGroupIngress', otherSg, { 'aws:ResourceTag/Project': other })
  add('claim an untagged security group by tagging it', 'ec2:CreateTags', otherSg, tags(N))
  add('claim another stack\'s VPC by tagging it', 'ec2:CreateTags', a.ec2('vpc', 'vpc-0ffffffffffffffff'), { 'aws:ResourceTag/Project': other, ...tags(N) })
  add('strip the rules of the VPC\'s default security group (aws_default_security_group)', 'ec2:RevokeSecurityGroupIngress', a.ec2('security-group', 'sg-0d0d0d0d0d0d0d0d0'), {})
  add('a subnet in another VPC', 'ec2:CreateSubnet', a.ec2('vpc', 'vpc-0ffffffffffffffff'), { 'aws:ResourceTag/Project': other, ...tags(N) })
  add('a route in another route table', 'ec2:CreateRoute', a.ec2('route-table', 'rtb-0ffffffffffffffff'), {})
  add('delete another VPC', 'ec2:DeleteVpc', a.ec2('vpc', 'vpc-0ffffffffffffffff'), { 'aws:ResourceTag/Project': other })
  add('a VPC without the tag', 'ec2:CreateVpc', a.ec2('vpc', '*'), tags(other))
  add('RunInstances', 'ec2:RunInstances', a.ec2('instance', '*'), tags(N))
  add('peer the VPC with another', 'ec2:CreateVpcPeeringConnection', a.ec2('vpc-peering-connection', '*'), tags(N))

  // ---- data and the rest outside the stack
  add('read another secret', 'secretsmanager:GetSecretValue', `arn:${P}:secretsmanager:${s.R}:${A}:secret:prod-database-AbCdEf`)
  add('delete another table', 'dynamodb:DeleteTable', `arn:${P}:dynamodb:${s.R}:${A}:table/${other}`)
  add('read the stack\'s items (the deployer manages the table, not its data)', 'dynamodb:GetItem', a.table)
  add('share the repository with another account', 'ecr:SetRepositoryPolicy', a.repo)
  add('push to another repository', 'ecr:PutImage', a.repo.replace(`repository/${N}`, `repository/${other}`))
  add('delete another log group', 'logs:DeleteLogGroup', a.logGroup(`/ecs/${other}`))
  add('delete another stack\'s alarms', 'cloudwatch:DeleteAlarms', a.alarm(`${other}-getActor-5xx-rate`))
  add('delete another topic', 'sns:DeleteTopic', a.topic.replace(`:${N}-alarms`, `:${other}-alarms`))
  add('scale another service', 'application-autoscaling:PutScalingPolicy', a.scalable, { 'aws:ResourceTag/Project': other, 'application-autoscaling:service-namespace': 'ecs' })
  add('read any S3 object', 's3:GetObject', `arn:${P}:s3:::some-bucket/secret.txt`)
  add('create a Lambda function', 'lambda:CreateFunction', `arn:${P}:lambda:${s.R}:${A}:function:backdoor`)
  add('decrypt with a KMS key', 'kms:Decrypt', `arn:${P}:kms:${s.R}:${A}:key/01234567-89ab-cdef-0123-456789abcdef`)

  // ---- the role GitHub Actions deploys with: whoever deploys must not widen it, or its trust
  add('change the CI role\'s trust (let another repository in)', 'iam:UpdateAssumeRolePolicy', a.ciRole)
  add('attach AdministratorAccess to the CI role', 'iam:AttachRolePolicy', a.ciRole, { 'iam:PolicyARN': admin })
  add('attach the application\'s policy to the CI role', 'iam:AttachRolePolicy', a.ciRole, { 'iam:PolicyARN': a.taskPolicy })
  add('PutRolePolicy on the CI role', 'iam:PutRolePolicy', a.ciRole)
  add('DetachRolePolicy from the CI role', 'iam:DetachRolePolicy', a.ciRole, { 'iam:PolicyARN': a.policy('deployer-iam') })
  add('DeleteRolePolicy on the CI role', 'iam:DeleteRolePolicy', a.ciRole)
  add('put a boundary of its choice on the CI role', 'iam:PutRolePermissionsBoundary', a.ciRole, { 'iam:PermissionsBoundary': admin })
  add('lengthen the CI role\'s sessions', 'iam:UpdateRole', a.ciRole)
  add('delete the CI role', 'iam:DeleteRole', a.ciRole)
  add('assume the CI role', 'sts:AssumeRole', a.ciRole)
  add('trust another OIDC issuer', 'iam:CreateOpenIDConnectProvider', a.oidc('issuer.example.com'))
  add('add an audience to GitHub\'s provider', 'iam:AddClientIDToOpenIDConnectProvider', a.oidc('token.actions.githubusercontent.com'))
  add('replace the thumbprints of GitHub\'s provider', 'iam:UpdateOpenIDConnectProviderThumbprint', a.oidc('token.actions.githubusercontent.com'))
  add('delete GitHub\'s provider', 'iam:DeleteOpenIDConnectProvider', a.oidc('token.actions.githubusercontent.com'))

  // ---- the remote state's bucket: this stack's state and lock, nothing else
  add('read another state in the bucket (its secrets)', 's3:GetObject', a.bucket + '/other-stack/terraform.tfstate')
  add('overwrite another state in the bucket', 's3:PutObject', a.bucket + '/other-stack/terraform.tfstate')
  add('delete the state itself', 's3:DeleteObject', a.state)
  add('delete an old version of the state', 's3:DeleteObjectVersion', a.state)
  add('read a state in another bucket', 's3:GetObject', `arn:${P}:s3:::other-bucket/${N}/terraform.tfstate`)
  add('open the state bucket to anyone', 's3:PutBucketPolicy', a.bucket)
  add('turn off the bucket\'s versioning', 's3:PutBucketVersioning', a.bucket)
  add('delete the state bucket', 's3:DeleteBucket', a.bucket)
  return calls
}

// Who may assume the CI role: its trust policy against OIDC tokens GitHub would issue. Each
// case is the request STS evaluates: the provider as principal and the token's claims as context.
export function trust(s) {
  const a = arns(s)
  const claims = (over = {}) => {
    const c = { aud: 'sts.amazonaws.com', sub: `repo:${s.repo}:environment:${s.env}`, ref: s.ref ?? 'refs/heads/main', ...over }
    return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined).map(([k, v]) => [`token.actions.githubusercontent.com:${k}`, v]))
  }
  const [owner, name] = s.repo.split('/')
  const web = 'sts:AssumeRoleWithWebIdentity'
  const provider = s.provider
  return {
    role: a.ciRole,
    allowed: [{ why: 'the deploy job', principal: provider, action: web, context: claims() }],
    denied: [
      { why: 'another repository', principal: provider, action: web, context: claims({ sub: `repo:someone-else/${name}:environment:${s.env}` }) },
      { why: 'another repository of the same owner', principal: provider, action: web, context: claims({ sub: `repo:${owner}/${name}-fork:environment:${s.env}` }) },
      { why: 'a repository whose name starts with this one', principal: provider, action: web, context: claims({ sub: `repo:${s.repo}x:environment:${s.env}` }) },
      { why: 'another environment', principal: provider, action: web, context: claims({ sub: `repo:${s.repo}:environment:staging` }) },
      { why: 'a pull request', principal: provider, action: web, context: claims({ sub: `repo:${s.repo}:pull_request`, ref: 'refs/pull/7/merge' }) },
      { why: 'a job without an environment, on the branch', principal: provider, action: web, context: claims({ sub: `repo:${s.repo}:ref:${s.ref ?? 'refs/heads/main'}` }) },
      ...(s.ref ? [{ why: 'the environment, from another branch', principal: provider, action: web, context: claims({ ref: 'refs/heads/feature' }) }] : []),
      { why: 'a token for another audience', principal: provider, action: web, context: claims({ aud: `https://github.com/${owner}` }) },
      { why: 'a token without a subject', principal: provider, action: web, context: claims({ sub: undefined }) },
      { why: 'another account\'s GitHub provider', principal: provider.replace(/::\d{12}:/, '::999999999999:'), action: web, context: claims() },
      { why: 'another OIDC issuer', principal: a.oidc('issuer.example.com'), action: web, context: claims() },
      { why: 'an IAM user of the account', principal: a.user, action: 'sts:AssumeRole', context: {} },
    ],
  }
}

// A role of the stack with AdministratorAccess on it: the boundary leaves it this much.
export function boundary(s) {
  const { P, R, A } = s
  const a = arns(s)
  return {
    allowed: [
      ['ecr:GetAuthorizationToken', '*'],
      ['ecr:BatchGetImage', a.repo],
      // Every log group the task definition's containers write to.
      ...s.names.containerLogGroups.map((g) => ['logs:PutLogEvents', `${a.logGroup(g)}:log-stream:actors/actors/0123`]),
      ['secretsmanager:GetSecretValue', a.secret],
      ['dynamodb:PutItem', a.table],
      ['dynamodb:Query', `${a.table}/index/by-id`],
      ['xray:PutTraceSegments', '*'],
    ],
    denied: [
      ['iam:CreateUser', `arn:${P}:iam::${A}:user/backdoor`],
      ['iam:PutRolePolicy', a.task],
      ['iam:PassRole', a.task],
      ['sts:AssumeRole', `arn:${P}:iam::${A}:role/admin`],
      ['s3:GetObject', `arn:${P}:s3:::some-bucket/secret.txt`],
      ['secretsmanager:GetSecretValue', `arn:${P}:secretsmanager:${R}:${A}:secret:prod-database-AbCdEf`],
      ['dynamodb:DeleteTable', a.table],
      ['dynamodb:GetItem', `arn:${P}:dynamodb:${R}:${A}:table/prod`],
      ['ecr:BatchGetImage', `arn:${P}:ecr:${R}:${A}:repository/other`],
      ['ecs:UpdateService', a.service],
    ],
  }
}
