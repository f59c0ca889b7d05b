//! AWS Certificate Manager: the issued certificates the service wizard
//! offers for an HTTPS listener (one ListCertificates call: its summaries
//! carry the names and the expiry), and a certificate a run requests for
//! its domain, described while the run waits for it.

use aws_sdk_acm::types::ValidationMethod;
use serde::Deserialize;
use serde_json::{Value, json};

use super::operations::read;
use super::read_cache::Read;
use super::{Aws, AwsError};
use crate::model::certificate::Certificate;
use crate::model::operation::Operation;
use crate::model::revision::readable_time;

/// Certificates offered: ListCertificates' largest page.
const CERTIFICATES_READ: i32 = 1000;

impl Aws {
    /// The region's ISSUED certificates, by their first domain.
    pub async fn certificates(&self) -> Result<Read<Vec<Certificate>>, AwsError> {
        self.cache
            .read("certificates".into(), || async {
                let output = self
                    .acm
                    .list_certificates()
                    .certificate_statuses(aws_sdk_acm::types::CertificateStatus::Issued)
                    .max_items(CERTIFICATES_READ)
                    .send()
                    .await?;
                let mut certificates: Vec<Certificate> = output
                    .certificate_summary_list()
                    .iter()
                    .map(|c| {
                        let mut domains: Vec<String> =
                            c.domain_name().map(str::to_string).into_iter().collect();
                        for name in c.subject_alternative_name_summaries() {
                            if !domains.contains(name) {
                                domains.push(name.clone());
                            }
                        }
                        Certificate {
                            arn: c.certificate_arn().unwrap_or_default().to_string(),
                            domains,
                            // The day alone: `2027-01-31`.
                            expires: c
                                .not_after()
                                .map(|t| readable_time(t.secs() as f64))
                                .and_then(|t| t.get(..10).map(str::to_string))
                                .unwrap_or_default(),
                        }
                    })
                    .collect();
                certificates.sort_by(|a, b| a.domains.cmp(&b.domains));
                Ok(certificates)
            })
            .await
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RequestCertificate {
    domain_name: String,
    validation_method: String,
    idempotency_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CertificateArn {
    certificate_arn: String,
}

impl Aws {
    /// `{"CertificateArn"}`.
    pub(super) async fn request_certificate(&self, input: &Value) -> Result<Value, AwsError> {
        let input: RequestCertificate = read(Operation::RequestCertificate, input)?;
        let output = self
            .acm
            .request_certificate()
            .domain_name(input.domain_name)
            .validation_method(ValidationMethod::from(input.validation_method.as_str()))
            .idempotency_token(input.idempotency_token)
            .send()
            .await?;
        Ok(json!({"CertificateArn": output.certificate_arn()}))
    }

    /// `{"Certificate": {"Status", "FailureReason", "DomainValidationOptions"}}`:
    /// what a waiting step reads, in ACM's names.
    pub(super) async fn describe_certificate(&self, input: &Value) -> Result<Value, AwsError> {
        let input: CertificateArn = read(Operation::DescribeCertificate, input)?;
        let output = self
            .acm
            .describe_certificate()
            .certificate_arn(input.certificate_arn)
            .send()
            .await?;
        let Some(certificate) = output.certificate() else {
            return Ok(json!({}));
        };
        let options: Vec<Value> = certificate
            .domain_validation_options()
            .iter()
            .map(|option| {
                let mut value = json!({
                    "DomainName": option.domain_name(),
                    "ValidationStatus": option.validation_status().map(|s| s.as_str()),
                    "ValidationMethod": option.validation_method().map(|m| m.as_str()),
                });
                if let Some(record) = option.resource_record() {
                    value["ResourceRecord"] = json!({
                        "Name": record.name(),
                        "Type": record.r#type().as_str(),
                        "Value": record.value(),
                    });
                }
                value
            })
            .collect();
        Ok(json!({"Certificate": {
            "CertificateArn": certificate.certificate_arn(),
            "DomainName": certificate.domain_name(),
            "Status": certificate.status().map(|s| s.as_str()),
            "FailureReason": certificate.failure_reason().map(|r| r.as_str()),
            "DomainValidationOptions": options,
        }}))
    }

    pub(super) async fn delete_certificate(&self, input: &Value) -> Result<Value, AwsError> {
        let input: CertificateArn = read(Operation::DeleteCertificate, input)?;
        self.acm
            .delete_certificate()
            .certificate_arn(input.certificate_arn)
            .send()
            .await?;
        Ok(json!({}))
    }
}
