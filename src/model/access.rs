//! Who may do what. Each route declares its need where it is declared
//! (`web::route`); this is what those needs mean.
//!
//! - **viewer**: every page and review; drafts may be filled in (they stay
//!   here), nothing is sent to AWS;
//! - **deployer**: creates and updates (wizards' Create, service plans,
//!   force deployment, update to a revision, a role's fixes);
//! - **admin**: deletes and tear-downs, deregistering and deleting
//!   revisions, and the accounts and sessions of this instance.

/// Roles in increasing power: each may do what the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Viewer,
    Deployer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Deployer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Deployer => "deployer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What a request needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone, signed in or not: static files, the sign-in page, the
    /// language switch.
    Anyone,
    /// A signed-in person with at least this role.
    AtLeast(Role),
}

impl Need {
    /// Deployers' and admins' routes change something (in AWS, or this
    /// instance's accounts): each request is written to the audit log.
    pub fn is_audited(self) -> bool {
        matches!(self, Need::AtLeast(Role::Deployer | Role::Admin))
    }
}

/// Who gets which role when signing in with an identity provider: each
/// entry is a group name (matched against the groups claim) or an email
/// domain written `@example.com` (matched against a verified email).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleRules {
    pub admins: Vec<String>,
    pub deployers: Vec<String>,
    pub viewers: Vec<String>,
}

/// What the identity provider says of a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    pub subject: String,
    pub email: Option<String>,
    /// False only when the provider says the email is not verified.
    pub email_verified: bool,
    pub groups: Vec<String>,
}

/// What the names of people signed in through the identity provider start
/// with. A local account's name cannot hold a `:`, so the two never meet.
pub const PROVIDER_PREFIX: &str = "oidc:";

impl Claims {
    /// The name the app shows and the audit log keeps, marked as the
    /// provider's: `oidc:` and the email when the provider verified it and
    /// it is a plain address, else `oidc:` and the provider's subject id.
    pub fn display_name(&self) -> String {
        let who = self
            .verified_email()
            .map_or(self.subject.as_str(), |(email, _)| email);
        format!("{PROVIDER_PREFIX}{who}")
    }

    /// The email and its domain (lowercased), when the provider did not say
    /// it is unverified and it is one plain address.
    fn verified_email(&self) -> Option<(&str, String)> {
        let email = self.email.as_deref().filter(|_| self.email_verified)?;
        Some((email, email_domain(email)?))
    }
}

/// The domain of a plain email address (`ann@Example.com` → `example.com`);
/// None for anything else: no or several `@` (`eve@evil.test@example.com`),
/// a quoted local part, an address literal, display text.
pub fn email_domain(address: &str) -> Option<String> {
    use email_address::{EmailAddress, Options};
    let options = Options::default().without_display_text();
    let parsed = EmailAddress::parse_with_options(address, options).ok()?;
    let (local, domain) = (parsed.local_part(), parsed.domain());
    let plain = !local.starts_with('"') && !domain.starts_with('[') && !local.contains('@');
    plain.then(|| domain.to_ascii_lowercase())
}

impl RoleRules {
    /// The highest role any rule gives, or None: nobody else may sign in.
    pub fn role_of(&self, claims: &Claims) -> Option<Role> {
        let domain = claims.verified_email().map(|(_, domain)| domain);
        let fits = |entry: &String| match entry.strip_prefix('@') {
            Some(wanted) => domain.as_deref() == Some(wanted.to_ascii_lowercase().as_str()),
            None => claims.groups.iter().any(|group| group == entry),
        };
        [
            (Role::Admin, &self.admins),
            (Role::Deployer, &self.deployers),
            (Role::Viewer, &self.viewers),
        ]
        .into_iter()
        .find(|(_, entries)| entries.iter().any(fits))
        .map(|(role, _)| role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_role_comes_from_a_group_or_a_verified_email_domain() {
        let rules = RoleRules {
            admins: vec!["platform-admins".into()],
            deployers: vec!["@example.com".into()],
            viewers: vec!["contractors".into()],
        };
        let person = |email: &str, verified: bool, groups: &[&str]| Claims {
            subject: "s".into(),
            email: (!email.is_empty()).then(|| email.to_string()),
            email_verified: verified,
            groups: groups.iter().map(|g| g.to_string()).collect(),
        };
        assert_eq!(
            rules.role_of(&person("ann@Example.COM", true, &[])),
            Some(Role::Deployer)
        );
        // The highest role any rule gives wins.
        assert_eq!(
            rules.role_of(&person("ann@example.com", true, &["platform-admins"])),
            Some(Role::Admin)
        );
        assert_eq!(
            rules.role_of(&person("", true, &["contractors"])),
            Some(Role::Viewer)
        );
        // An unverified email, a look-alike domain, a near-miss group: nothing.
        assert_eq!(rules.role_of(&person("ann@example.com", false, &[])), None);
        assert_eq!(
            rules.role_of(&person("eve@evilexample.com", true, &[])),
            None
        );
        assert_eq!(
            rules.role_of(&person("eve@example.com.evil", true, &[])),
            None
        );
        assert_eq!(rules.role_of(&person("", true, &["Platform-Admins"])), None);
        // An address is parsed, not read from its end.
        for crafted in [
            "eve@evil.test@example.com",
            "\"eve@evil.test\"@example.com",
            "eve@[192.0.2.1]",
            "Eve <eve@example.com>",
            "@example.com",
        ] {
            assert_eq!(
                rules.role_of(&person(crafted, true, &[])),
                None,
                "{crafted}"
            );
        }
    }

    #[test]
    fn a_provider_name_is_marked_and_never_an_unverified_email() {
        let person = |email: Option<&str>, verified: bool| Claims {
            subject: "248289761001".into(),
            email: email.map(str::to_string),
            email_verified: verified,
            groups: Vec::new(),
        };
        assert_eq!(
            person(Some("ann@example.com"), true).display_name(),
            "oidc:ann@example.com"
        );
        // An unverified email could be anyone's, a local admin's name included.
        assert_eq!(
            person(Some("localadmin"), false).display_name(),
            "oidc:248289761001"
        );
        assert_eq!(
            person(Some("ann@example.com"), false).display_name(),
            "oidc:248289761001"
        );
        assert_eq!(
            person(Some("localadmin"), true).display_name(),
            "oidc:248289761001"
        );
        assert_eq!(person(None, true).display_name(), "oidc:248289761001");
        assert!(!crate::accounts::is_user_name(
            &person(Some("ann@example.com"), true).display_name()
        ));
    }

    #[test]
    fn email_domains_come_from_plain_addresses_only() {
        assert_eq!(
            email_domain("ann@Example.COM").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            email_domain("a.b+c@sub.example.com").as_deref(),
            Some("sub.example.com")
        );
        assert_eq!(email_domain("eve@evil.test@example.com"), None);
        assert_eq!(email_domain("no-at-all"), None);
        assert_eq!(email_domain(""), None);
    }

    #[test]
    fn roles_are_ordered_and_read_by_name() {
        assert!(Role::Viewer < Role::Deployer && Role::Deployer < Role::Admin);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
