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

impl Claims {
    /// The name the app shows and the audit log keeps: the email, or the
    /// provider's subject id.
    pub fn display_name(&self) -> String {
        self.email.clone().unwrap_or_else(|| self.subject.clone())
    }
}

impl RoleRules {
    /// The highest role any rule gives, or None: nobody else may sign in.
    pub fn role_of(&self, claims: &Claims) -> Option<Role> {
        let domain = claims
            .email
            .as_deref()
            .filter(|_| claims.email_verified)
            .and_then(|email| email.rsplit_once('@'))
            .map(|(_, domain)| domain.to_ascii_lowercase());
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
        assert_eq!(person("", true, &[]).display_name(), "s");
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
