//! AWS Certificate Manager: the issued certificates the service wizard
//! offers for an HTTPS listener. One ListCertificates call: its summaries
//! carry the names and the expiry, so no DescribeCertificate is needed.

use super::read_cache::Read;
use super::{Aws, AwsError};
use crate::model::certificate::Certificate;
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
