//! An ACM certificate as the service wizard offers it: the names it
//! covers and when it expires.

/// An issued certificate in the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub arn: String,
    /// The domain name first, then the other names it covers.
    pub domains: Vec<String>,
    /// `2027-01-31`, or empty when AWS did not say.
    pub expires: String,
}

impl Certificate {
    /// `shop.example.com (+1 more) — expires 2027-01-31`: its choice's text,
    /// the words given by the page.
    pub fn label(&self, expires: &str) -> String {
        let first = self.domains.first().map_or("—", String::as_str);
        let more = match self.domains.len() {
            0 | 1 => String::new(),
            n => format!(" (+{} more)", n - 1),
        };
        if self.expires.is_empty() {
            format!("{first}{more}")
        } else {
            format!("{first}{more} — {expires} {}", self.expires)
        }
    }

    /// Whether it covers `name`: exactly, or by a wildcard one label deep
    /// (`*.example.com` covers `shop.example.com`, not `example.com` nor
    /// `a.shop.example.com`), as TLS clients match names, ignoring case.
    pub fn covers(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.domains.iter().any(|domain| {
            let domain = domain.to_ascii_lowercase();
            match domain.strip_prefix("*.") {
                Some(parent) => name
                    .split_once('.')
                    .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
                None => domain == name,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(domains: &[&str]) -> Certificate {
        Certificate {
            arn: "arn:aws:acm:ap-northeast-1:123456789012:certificate/1".into(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
            expires: "2027-01-31".into(),
        }
    }

    #[test]
    fn a_wildcard_covers_one_label() {
        let wildcard = certificate(&["*.example.com"]);
        assert!(wildcard.covers("shop.example.com"));
        assert!(wildcard.covers("SHOP.example.com."));
        assert!(!wildcard.covers("example.com"));
        assert!(!wildcard.covers("a.shop.example.com"));
        let exact = certificate(&["example.com", "www.example.com"]);
        assert!(exact.covers("www.example.com") && exact.covers("example.com"));
        assert!(!exact.covers("shop.example.com"));
    }

    #[test]
    fn its_label_names_the_first_domain_and_the_expiry() {
        assert_eq!(
            certificate(&["example.com", "www.example.com"]).label("expires"),
            "example.com (+1 more) — expires 2027-01-31"
        );
    }
}
