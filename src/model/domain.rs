//! Your own domain in front of a service: a Route 53 alias (A and AAAA)
//! to the load balancer, and, when asked, an ACM certificate for the name
//! validated by DNS: RequestCertificate, a wait for the CNAME ACM wants,
//! that CNAME written into the zone, and a wait until ACM has issued it.
//!
//! The requests are in the APIs' own names; the values other steps give
//! are output references (`${CreateLoadBalancer.DNSName}`).

use std::fmt::Write;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::api_call::{ApiCall, RUN_ID};
use super::certificate::Certificate;
use super::hcl::{quote, resource_label};
use super::operation::Operation;
use super::validate::Issue;

/// Step ids, shared with the plan that orders them.
pub const REQUEST_CERTIFICATE: &str = Operation::RequestCertificate.name();
pub const VALIDATION_RECORD: &str = "ValidationRecord";
pub const VALIDATION_CNAME: &str = "ValidationCname";
pub const CERTIFICATE_ISSUED: &str = "CertificateIssued";
pub const DOMAIN_RECORDS: &str = "DomainRecords";
/// The certificate the run requests, as the HTTPS listener names it.
pub const REQUESTED_CERTIFICATE: &str = "${RequestCertificate.CertificateArn}";

/// The TTL of the validation CNAME: ACM's console writes 300.
const VALIDATION_TTL: i64 = 300;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Domain {
    /// `shop.example.com`; empty: no domain.
    pub name: String,
    /// The Route 53 hosted zone the records go in (`Z0123456789ABC`).
    pub hosted_zone_id: String,
}

/// A hosted zone as the form lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostedZone {
    /// Without the `/hostedzone/` prefix.
    pub id: String,
    /// `example.com.`, as Route 53 writes it.
    pub name: String,
    pub private: bool,
}

/// A record the name has now: its type, and the DNS name an alias points at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExistingRecord {
    pub kind: String,
    pub alias_target: String,
}

/// Where the alias records point: a load balancer's DNS name and the
/// zone ELB gives its names (references when the run makes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasTarget {
    pub dns_name: String,
    pub hosted_zone_id: String,
}

impl AliasTarget {
    /// The load balancer the plan makes.
    pub fn new_load_balancer() -> Self {
        Self {
            dns_name: "${CreateLoadBalancer.DNSName}".into(),
            hosted_zone_id: "${CreateLoadBalancer.CanonicalHostedZoneId}".into(),
        }
    }
}

impl Domain {
    pub fn is_set(&self) -> bool {
        !self.name.trim().is_empty()
    }

    /// The name as Route 53 and ACM take it: lower case, no final dot.
    pub fn fqdn(&self) -> String {
        self.name.trim().trim_end_matches('.').to_ascii_lowercase()
    }

    /// `https://shop.example.com`.
    pub fn url(&self) -> String {
        format!("https://{}", self.fqdn())
    }

    /// What Route 53 and ACM would refuse, before anything is read.
    pub fn validate(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        if !self.is_set() {
            return issues;
        }
        if !is_host_name(&self.fqdn()) {
            issues.push(Issue::error("domain.name", "v.domain_name"));
        }
        if !is_zone_id(&self.hosted_zone_id) {
            issues.push(Issue::error(
                "domain.hostedZoneId",
                "v.domain_zone_required",
            ));
        }
        issues
    }

    /// RequestCertificate for the name, validated by DNS. The run's id is
    /// its idempotency token: sent again, ACM answers with the same one.
    pub fn request_certificate(&self) -> ApiCall {
        ApiCall::new(
            Operation::RequestCertificate,
            json!({
                "DomainName": self.fqdn(),
                "ValidationMethod": "DNS",
                "IdempotencyToken": RUN_ID,
            }),
        )
    }

    /// DescribeCertificate of the requested certificate: what the waiting
    /// steps ask again.
    pub fn describe_certificate(&self) -> ApiCall {
        ApiCall::new(
            Operation::DescribeCertificate,
            json!({"CertificateArn": REQUESTED_CERTIFICATE}),
        )
    }

    /// The CNAME ACM asked for, in the chosen zone.
    pub fn validation_cname(&self) -> ApiCall {
        let record = json!({
            "Name": format!("${{{VALIDATION_RECORD}.RecordName}}"),
            "Type": "CNAME",
            "TTL": VALIDATION_TTL,
            "ResourceRecords": [{"Value": format!("${{{VALIDATION_RECORD}.RecordValue}}")}],
        });
        self.change("Validates the certificate for the name (ACM)", vec![record])
    }

    /// The name as an alias (A and AAAA) of the load balancer. ELB's
    /// `dualstack.` name answers AAAA when the balancer has IPv6.
    pub fn alias_records(&self, target: &AliasTarget) -> ApiCall {
        let records = ["A", "AAAA"]
            .into_iter()
            .map(|kind| {
                json!({
                    "Name": self.fqdn(),
                    "Type": kind,
                    "AliasTarget": {
                        "HostedZoneId": target.hosted_zone_id,
                        "DNSName": format!("dualstack.{}", target.dns_name),
                        "EvaluateTargetHealth": true,
                    },
                })
            })
            .collect();
        self.change("The service's address, made by ecs-wizard", records)
    }

    fn change(&self, comment: &str, records: Vec<serde_json::Value>) -> ApiCall {
        let changes: Vec<_> = records
            .into_iter()
            .map(|record| json!({"Action": "CREATE", "ResourceRecordSet": record}))
            .collect();
        ApiCall::new(
            Operation::ChangeResourceRecordSets,
            json!({
                "HostedZoneId": zone_id(&self.hosted_zone_id),
                "ChangeBatch": {"Comment": comment, "Changes": changes},
            }),
        )
    }

    /// What the account says against the domain: the zone is known and
    /// holds the name, is public when the load balancer is, the name is
    /// free (or already points at `points_here`), and the certificate,
    /// when one is chosen, covers it.
    pub fn check(&self, facts: &DomainFacts) -> Vec<Issue> {
        let mut issues = Vec::new();
        if !self.is_set() {
            return issues;
        }
        let name = self.fqdn();
        match facts
            .zones
            .iter()
            .find(|z| z.id == zone_id(&self.hosted_zone_id))
        {
            None => issues.push(
                Issue::error("domain.hostedZoneId", "v.domain_zone_unknown")
                    .with("zone", &self.hosted_zone_id),
            ),
            Some(zone) => {
                if !in_zone(&name, &zone.name) {
                    issues.push(
                        Issue::error("domain.name", "v.domain_outside_zone")
                            .with("zone", zone.name.trim_end_matches('.')),
                    );
                }
                if zone.private && facts.internet_facing {
                    issues.push(Issue::error("domain.hostedZoneId", "v.domain_zone_private"));
                }
            }
        }
        if let Some(records) = &facts.records {
            let here = |r: &ExistingRecord| {
                !facts.points_here.is_empty()
                    && r.alias_target
                        .trim_end_matches('.')
                        .trim_start_matches("dualstack.")
                        .eq_ignore_ascii_case(&facts.points_here)
            };
            if let Some(taken) = records.iter().find(|r| !here(r)) {
                issues
                    .push(Issue::error("domain.name", "v.domain_taken").with("kind", &taken.kind));
            }
        }
        if let Some(certificate) = &facts.certificate
            && !certificate.covers(&name)
        {
            issues.push(
                Issue::error("loadBalancer.certificateArn", "v.domain_not_covered")
                    .with("name", &name),
            );
        }
        issues
    }
}

/// The Terraform label of a requested certificate and its validation.
const CERTIFICATE_LABEL: &str = "requested";

/// The Terraform expression for the requested certificate once it is
/// validated (what the HTTPS listener names).
pub const TERRAFORM_CERTIFICATE: &str = "aws_acm_certificate_validation.requested.certificate_arn";

impl Domain {
    /// Terraform for what the plan makes of the domain: the certificate,
    /// its validation records and the wait for it (when requested), and
    /// the alias records. `target` is (DNS name, zone) as expressions.
    pub fn terraform(&self, request_certificate: bool, target: Option<(String, String)>) -> String {
        let mut hcl = String::new();
        let zone = quote(zone_id(&self.hosted_zone_id));
        let name = quote(&self.fqdn());
        let label = resource_label(&self.fqdn(), "domain");
        if request_certificate {
            let c = CERTIFICATE_LABEL;
            let _ = write!(
                hcl,
                "resource \"aws_acm_certificate\" \"{c}\" {{\n  domain_name       = {name}\n  validation_method = \"DNS\"\n\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\n\n\
                 resource \"aws_route53_record\" \"{c}_validation\" {{\n  for_each = {{\n    for option in aws_acm_certificate.{c}.domain_validation_options : option.domain_name => option\n  }}\n\n  zone_id = {zone}\n  name    = each.value.resource_record_name\n  type    = each.value.resource_record_type\n  ttl     = {VALIDATION_TTL}\n  records = [each.value.resource_record_value]\n}}\n\n\
                 resource \"aws_acm_certificate_validation\" \"{c}\" {{\n  certificate_arn         = aws_acm_certificate.{c}.arn\n  validation_record_fqdns = [for record in aws_route53_record.{c}_validation : record.fqdn]\n}}\n"
            );
        }
        if let Some((dns_name, dns_zone)) = target {
            for kind in ["A", "AAAA"] {
                let _ = write!(
                    hcl,
                    "\nresource \"aws_route53_record\" \"{label}_{}\" {{\n  zone_id = {zone}\n  name    = {name}\n  type    = \"{kind}\"\n\n  alias {{\n    name                   = {dns_name}\n    zone_id                = {dns_zone}\n    evaluate_target_health = true\n  }}\n}}\n",
                    kind.to_ascii_lowercase()
                );
            }
        }
        hcl
    }
}

/// What [`Domain::check`] reads from the account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DomainFacts {
    pub zones: Vec<HostedZone>,
    /// The load balancer answers the internet (a new one always does).
    pub internet_facing: bool,
    /// The A, AAAA and CNAME records the name has now; None: not read.
    pub records: Option<Vec<ExistingRecord>>,
    /// The existing load balancer's DNS name: records aliasing it are ours.
    pub points_here: String,
    /// The certificate chosen from the account, when one is.
    pub certificate: Option<Certificate>,
}

/// `shop.example.com` is in `example.com.` (and `example.com` is too).
pub fn in_zone(name: &str, zone: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let zone = zone.trim_end_matches('.').to_ascii_lowercase();
    !zone.is_empty()
        && (name == zone
            || name
                .strip_suffix(&zone)
                .is_some_and(|rest| rest.ends_with('.')))
}

/// `/hostedzone/Z012` → `Z012`.
pub fn zone_id(text: &str) -> &str {
    text.trim().trim_start_matches("/hostedzone/")
}

/// Route 53's zone ids: up to 32 upper-case letters and digits
/// (`Z0123456789ABC`; the API's model bounds the length only).
fn is_zone_id(text: &str) -> bool {
    let id = zone_id(text);
    (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A name a certificate and an alias can have: at least two labels of 1–63
/// letters, digits and inner hyphens, 253 characters in all; no wildcard.
pub fn is_host_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> Domain {
        Domain {
            name: "Shop.Example.com.".into(),
            hosted_zone_id: "/hostedzone/Z0123456789ABC".into(),
        }
    }

    fn zone(private: bool) -> HostedZone {
        HostedZone {
            id: "Z0123456789ABC".into(),
            name: "example.com.".into(),
            private,
        }
    }

    fn keys(issues: &[Issue]) -> Vec<&'static str> {
        issues.iter().map(|i| i.key).collect()
    }

    #[test]
    fn names_and_zone_ids_are_checked_before_anything_is_read() {
        assert!(domain().validate().is_empty());
        assert_eq!(domain().fqdn(), "shop.example.com");
        for bad in [
            "*.example.com",
            "localhost",
            "-a.example.com",
            "a..b.com",
            "ü.example.com",
        ] {
            let d = Domain {
                name: bad.into(),
                ..domain()
            };
            assert_eq!(keys(&d.validate()), ["v.domain_name"], "{bad}");
        }
        let d = Domain {
            hosted_zone_id: String::new(),
            ..domain()
        };
        assert_eq!(keys(&d.validate()), ["v.domain_zone_required"]);
        assert!(Domain::default().validate().is_empty());
    }

    #[test]
    fn a_name_is_in_its_zone_by_whole_labels() {
        assert!(in_zone("shop.example.com", "example.com."));
        assert!(in_zone("example.com", "example.com."));
        assert!(!in_zone("shopexample.com", "example.com."));
        assert!(!in_zone("shop.example.org", "example.com."));
    }

    #[test]
    fn the_account_s_zone_records_and_certificate_are_checked() {
        let facts = DomainFacts {
            zones: vec![zone(false)],
            internet_facing: true,
            records: Some(Vec::new()),
            points_here: String::new(),
            certificate: None,
        };
        assert!(domain().check(&facts).is_empty());
        let outside = Domain {
            name: "shop.example.org".into(),
            ..domain()
        };
        assert_eq!(keys(&outside.check(&facts)), ["v.domain_outside_zone"]);
        let private = DomainFacts {
            zones: vec![zone(true)],
            ..facts.clone()
        };
        assert_eq!(keys(&domain().check(&private)), ["v.domain_zone_private"]);
        let unknown = DomainFacts {
            zones: Vec::new(),
            ..facts.clone()
        };
        assert_eq!(keys(&domain().check(&unknown)), ["v.domain_zone_unknown"]);
        // Taken by another record, unless it aliases this load balancer.
        let taken = DomainFacts {
            records: Some(vec![ExistingRecord {
                kind: "A".into(),
                alias_target: "dualstack.shared-1.ap-northeast-1.elb.amazonaws.com.".into(),
            }]),
            ..facts.clone()
        };
        assert_eq!(keys(&domain().check(&taken)), ["v.domain_taken"]);
        let here = DomainFacts {
            points_here: "shared-1.ap-northeast-1.elb.amazonaws.com".into(),
            ..taken
        };
        assert!(domain().check(&here).is_empty());
        // A certificate that does not cover the name.
        let certificate = Certificate {
            arn: "arn:aws:acm:ap-northeast-1:123456789012:certificate/1".into(),
            domains: vec!["*.example.org".into()],
            expires: String::new(),
        };
        let uncovered = DomainFacts {
            certificate: Some(certificate),
            ..facts
        };
        assert_eq!(keys(&domain().check(&uncovered)), ["v.domain_not_covered"]);
    }

    #[test]
    fn the_records_are_created_and_name_the_load_balancer() {
        let call = domain().alias_records(&AliasTarget::new_load_balancer());
        let changes = &call.input["ChangeBatch"]["Changes"];
        assert_eq!(changes[0]["Action"], "CREATE");
        assert_eq!(changes[0]["ResourceRecordSet"]["Type"], "A");
        assert_eq!(changes[1]["ResourceRecordSet"]["Type"], "AAAA");
        assert_eq!(
            changes[1]["ResourceRecordSet"]["AliasTarget"]["DNSName"],
            "dualstack.${CreateLoadBalancer.DNSName}"
        );
        assert_eq!(call.input["HostedZoneId"], "Z0123456789ABC");
        // Undone by deleting exactly these, newest first.
        let undo = call
            .undo(&json!({"ChangeInfo": {"Id": "/change/C1"}}))
            .expect("an undo");
        assert_eq!(undo.input["ChangeBatch"]["Changes"][0]["Action"], "DELETE");
        assert_eq!(
            undo.input["ChangeBatch"]["Changes"][0]["ResourceRecordSet"]["Type"],
            "AAAA"
        );
        // Records that were there already (no change id) are left.
        assert_eq!(call.undo(&json!({})), None);
        let request = domain().request_certificate();
        assert_eq!(request.input["DomainName"], "shop.example.com");
        assert_eq!(request.input["ValidationMethod"], "DNS");
    }
}
