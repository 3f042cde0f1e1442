# make scan: every optional part switched on (the default configuration is scanned too).
front_door         = "alb"
domain_name        = "actors.example.com"
route53_zone_name  = "example.com"
store              = "dynamodb"
enable_autoscaling = true
image_tag          = "0123456789ab-amd64"
enable_tracing     = true
alarm_emails       = ["ops@example.com"]
