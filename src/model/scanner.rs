//! What a Terraform scanner (checkov, the one people already run on
//! Terraform) flags in what the app makes, where a default leaves it so on
//! purpose: the check, why it is left, and the field that changes it. The
//! reviews list these beside the Terraform; a test runs checkov on reference
//! 002's path and holds its failures to exactly these lists.
//!
//! A check is listed only while the value fails it, so choosing the secure
//! option takes its line off the review.

use super::cluster::Cluster;
use super::log_group::LogGroup;
use super::operation::Operation;
use super::repository::{Encryption, Repository};
use super::service::draft::{LoadBalancing, ServiceDraft};
use super::task_definition::TaskDefinition;

/// One check the scanner fails, left failing by a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flagged {
    /// checkov's id: `CKV_AWS_51`.
    pub check: &'static str,
    /// The catalog key of the one line that says why it is left.
    pub reason: &'static str,
    /// The form field that changes it, when the wizard has one.
    pub field: Option<Field>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field's id on its form.
    pub id: String,
    /// The catalog key of its label.
    pub label: &'static str,
    /// The wizard step it is on (`containers`); empty on one-page forms.
    pub step: &'static str,
}

fn flag(check: &'static str, reason: &'static str) -> Flagged {
    Flagged {
        check,
        reason,
        field: None,
    }
}

fn flag_at(check: &'static str, reason: &'static str, id: &str, label: &'static str) -> Flagged {
    Flagged {
        check,
        reason,
        field: Some(Field {
            id: id.to_string(),
            label,
            step: "",
        }),
    }
}

pub fn cluster(cluster: &Cluster) -> Vec<Flagged> {
    let mut flagged = Vec::new();
    if !cluster.container_insights {
        flagged.push(flag_at(
            "CKV_AWS_65",
            "scan.container_insights",
            "containerInsights",
            "f.container_insights",
        ));
    }
    flagged
}

pub fn repository(repository: &Repository) -> Vec<Flagged> {
    let mut flagged = Vec::new();
    if !repository.immutable_tags {
        flagged.push(flag_at(
            "CKV_AWS_51",
            "scan.mutable_tags",
            "immutableTags",
            "f.tag_immutability",
        ));
    }
    if repository.encryption != Encryption::Kms {
        flagged.push(flag_at(
            "CKV_AWS_136",
            "scan.ecr_kms",
            "encryption",
            "f.encryption",
        ));
    }
    if !repository.scan_on_push {
        flagged.push(flag_at(
            "CKV_AWS_163",
            "scan.scan_on_push",
            "scanOnPush",
            "f.scan_on_push",
        ));
    }
    flagged
}

pub fn log_group(group: &LogGroup) -> Vec<Flagged> {
    let mut flagged = vec![flag("CKV_AWS_158", "scan.logs_kms")];
    if group.retention_in_days.is_none() {
        // Kept forever: checkov wants a retention set, of a year or more.
        for check in ["CKV_AWS_66", "CKV_AWS_338"] {
            flagged.push(flag_at(
                check,
                "scan.logs_forever",
                "retentionInDays",
                "f.retention",
            ));
        }
    }
    if group.retention_in_days.is_some_and(|days| days < 365) {
        flagged.push(flag_at(
            "CKV_AWS_338",
            "scan.logs_retention",
            "retentionInDays",
            "f.retention",
        ));
    }
    flagged
}

/// A container that may write to its root filesystem (nginx, Rails and
/// most images need to) is flagged once for the task definition.
pub fn task_definition(td: &TaskDefinition) -> Vec<Flagged> {
    let writable = td
        .container_definitions
        .iter()
        .position(|c| c.readonly_root_filesystem != Some(true));
    writable
        .map(|n| Flagged {
            check: "CKV_AWS_336",
            reason: "scan.writable_root",
            field: Some(Field {
                id: format!("containerDefinitions.{n}.advanced"),
                label: "f.advanced_container",
                step: "containers",
            }),
        })
        .into_iter()
        .collect()
}

pub fn service(draft: &ServiceDraft) -> Vec<Flagged> {
    // What a quick start's plan makes first is judged as its own wizard's.
    let made = &draft.prerequisites;
    let mut flagged: Vec<Flagged> = made
        .cluster
        .iter()
        .flat_map(cluster)
        .chain(made.log_group.iter().flat_map(log_group))
        .chain(made.task_definition.iter().flat_map(task_definition))
        .collect();
    let vpc = &draft.service.network_configuration.awsvpc_configuration;
    if vpc.assign_public_ip == "ENABLED" {
        flagged.push(flag_at(
            "CKV_AWS_333",
            "scan.public_ip",
            "assignPublicIp",
            "f.public_ip",
        ));
    }
    if !draft.makes_listener() {
        return flagged;
    }
    let lb = draft.new_load_balancer();
    // checkov passes an HTTP target group reached only through HTTPS.
    let plain_http_reaches_it = !lb.https() || !lb.redirect_http;
    if lb.target_group.protocol == "HTTP" && plain_http_reaches_it {
        // Once per group: a strategy that moves traffic makes a second.
        let groups = draft
            .calls()
            .iter()
            .filter(|(_, c)| c.operation == Operation::CreateTargetGroup)
            .count();
        for _ in 0..groups.max(1) {
            flagged.push(flag_at(
                "CKV_AWS_378",
                "scan.target_group_http",
                "loadBalancer.certificateArn",
                "f.certificate",
            ));
        }
    }
    if draft.creates_service_group() {
        flagged.push(flag("CKV_AWS_382", "scan.egress_all"));
    }
    if draft.load_balancing != LoadBalancing::New {
        return flagged;
    }
    let certificate = |check, reason| {
        flag_at(
            check,
            reason,
            "loadBalancer.certificateArn",
            "f.certificate",
        )
    };
    if !lb.https() {
        flagged.push(certificate("CKV_AWS_2", "scan.listener_http"));
        flagged.push(certificate("CKV_AWS_103", "scan.listener_tls"));
        flagged.push(certificate("CKV2_AWS_20", "scan.no_redirect"));
    } else if !lb.redirect_http {
        flagged.push(flag_at(
            "CKV2_AWS_20",
            "scan.no_redirect",
            "loadBalancer.redirectHttp",
            "f.redirect_http",
        ));
    }
    if lb.listener_port == 80 {
        let reason = if lb.https() && lb.redirect_http {
            "scan.open_port_80_redirect"
        } else {
            "scan.open_port_80"
        };
        flagged.push(flag_at(
            "CKV_AWS_260",
            reason,
            "loadBalancer.listenerPort",
            "f.listener_port",
        ));
    }
    // The load balancer's group has the same egress, as a rule of its
    // own, which checkov does not judge.
    flagged.extend([
        flag("CKV_AWS_150", "scan.deletion_protection"),
        flag("CKV_AWS_91", "scan.access_logs"),
        flag("CKV2_AWS_28", "scan.waf"),
    ]);
    flagged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::service::draft::tests::reference_002_draft;

    fn checks(flagged: &[Flagged]) -> Vec<&str> {
        flagged.iter().map(|f| f.check).collect()
    }

    #[test]
    fn a_secure_choice_takes_its_line_away() {
        let mut repository = Repository {
            repository_name: "web".into(),
            scan_on_push: true,
            ..Repository::default()
        };
        assert_eq!(
            checks(&super::repository(&repository)),
            ["CKV_AWS_51", "CKV_AWS_136"]
        );
        repository.immutable_tags = true;
        repository.encryption = Encryption::Kms;
        assert!(super::repository(&repository).is_empty());

        let mut group = LogGroup {
            log_group_name: "/ecs/web".into(),
            retention_in_days: Some(180),
            tags: Vec::new(),
        };
        assert_eq!(checks(&log_group(&group)), ["CKV_AWS_158", "CKV_AWS_338"]);
        group.retention_in_days = Some(400);
        assert_eq!(checks(&log_group(&group)), ["CKV_AWS_158"]);
    }

    #[test]
    fn reference_002_names_the_field_of_each_check_it_can_change() {
        let draft = reference_002_draft();
        let flagged = service(&draft);
        assert_eq!(
            checks(&flagged),
            [
                "CKV_AWS_333",
                "CKV_AWS_378",
                "CKV_AWS_382",
                "CKV_AWS_2",
                "CKV_AWS_103",
                "CKV2_AWS_20",
                "CKV_AWS_260",
                "CKV_AWS_150",
                "CKV_AWS_91",
                "CKV2_AWS_28",
            ]
        );
        assert_eq!(
            flagged[0].field.as_ref().map(|f| f.id.as_str()),
            Some("assignPublicIp")
        );
        let mut private = draft.clone();
        private
            .service
            .network_configuration
            .awsvpc_configuration
            .assign_public_ip = "DISABLED".into();
        private.load_balancing = LoadBalancing::None;
        private.new_security_group = false;
        assert!(service(&private).is_empty());
    }
}
