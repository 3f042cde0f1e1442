# make scan: the default front door, the API Gateway, on a domain name of its own.
domain_name       = "actors.example.com"
route53_zone_name = "example.com"
image_tag         = "0123456789ab-amd64"
