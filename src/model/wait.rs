//! A plan step that waits: its read is asked again until the answer says
//! the thing is ready, refused, or the step's bound is spent. A run whose
//! wait ran out is refused with the last state it saw, and Resume waits
//! again from there (what the steps before it made is kept).

use serde_json::Value;

/// What a waiting step waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// ACM has written the CNAME that validates the domain (seconds after
    /// RequestCertificate; DescribeCertificate has no record before).
    ValidationRecord,
    /// The certificate is ISSUED: ACM found the CNAME (minutes, usually).
    CertificateIssued,
}

/// One answer, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waited {
    Ready,
    /// Not yet: the state the answer gave (`PENDING_VALIDATION`).
    Pending(String),
    /// It never will be: the state and ACM's reason.
    Failed(String),
}

/// What AWS said when a wait ran out: the code the run's journal and page show.
pub const STILL_WAITING: &str = "StillWaiting";

impl Until {
    /// How many times it is asked before the run stops (and can be
    /// resumed): at the runner's standard pause of 16 s, about 5 minutes
    /// for the record and 40 minutes for the certificate. ACM's own waiter
    /// asks 60 times a minute apart.
    pub fn checks(self) -> u32 {
        match self {
            Until::ValidationRecord => 20,
            Until::CertificateIssued => 150,
        }
    }

    /// The catalog key of what it waits for, for the review and the run.
    pub fn label(self) -> &'static str {
        match self {
            Until::ValidationRecord => "wait.validation_record",
            Until::CertificateIssued => "wait.certificate_issued",
        }
    }

    /// Reads one DescribeCertificate answer.
    pub fn read(self, answer: &Value) -> Waited {
        let certificate = &answer["Certificate"];
        let status = certificate["Status"].as_str().unwrap_or_default();
        if matches!(
            status,
            "FAILED" | "VALIDATION_TIMED_OUT" | "REVOKED" | "EXPIRED" | "INACTIVE"
        ) {
            let reason = certificate["FailureReason"].as_str().unwrap_or_default();
            return Waited::Failed(if reason.is_empty() {
                status.to_string()
            } else {
                format!("{status} ({reason})")
            });
        }
        match self {
            Until::ValidationRecord => {
                let record = &certificate["DomainValidationOptions"][0]["ResourceRecord"];
                if record["Name"].as_str().is_some_and(|n| !n.is_empty())
                    && record["Value"].as_str().is_some_and(|v| !v.is_empty())
                {
                    Waited::Ready
                } else {
                    Waited::Pending(status.to_string())
                }
            }
            Until::CertificateIssued if status == "ISSUED" => Waited::Ready,
            Until::CertificateIssued => Waited::Pending(status.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn answer(status: &str, record: bool) -> Value {
        let mut options = json!({"DomainName": "shop.example.com", "ValidationMethod": "DNS"});
        if record {
            options["ResourceRecord"] = json!({"Name": "_x.shop.example.com.", "Type": "CNAME", "Value": "_y.acm-validations.aws."});
        }
        json!({"Certificate": {"Status": status, "DomainValidationOptions": [options]}})
    }

    #[test]
    fn the_record_is_ready_once_acm_has_written_it() {
        let until = Until::ValidationRecord;
        assert_eq!(
            until.read(&answer("PENDING_VALIDATION", false)),
            Waited::Pending("PENDING_VALIDATION".into())
        );
        assert_eq!(
            until.read(&answer("PENDING_VALIDATION", true)),
            Waited::Ready
        );
    }

    #[test]
    fn the_certificate_is_ready_when_issued_and_failed_for_good() {
        let until = Until::CertificateIssued;
        assert_eq!(
            until.read(&answer("PENDING_VALIDATION", true)),
            Waited::Pending("PENDING_VALIDATION".into())
        );
        assert_eq!(until.read(&answer("ISSUED", true)), Waited::Ready);
        let mut failed = answer("FAILED", true);
        failed["Certificate"]["FailureReason"] = json!("CAA_ERROR");
        assert_eq!(
            until.read(&failed),
            Waited::Failed("FAILED (CAA_ERROR)".into())
        );
        assert_eq!(
            Until::ValidationRecord.read(&answer("VALIDATION_TIMED_OUT", false)),
            Waited::Failed("VALIDATION_TIMED_OUT".into())
        );
        assert!(Until::CertificateIssued.checks() > Until::ValidationRecord.checks());
    }
}
