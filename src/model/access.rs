//! Who may do what, in one table: every route's need, read by one layer in
//! front of every handler (not a check copied into each).
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

/// POST routes that change something in AWS, by pattern (`*` is one path
/// segment). Any other POST only keeps a draft or a preference here.
/// The first match counts.
const CHANGES: &[(&str, Role)] = &[
    // A draft is work in progress kept here: anyone may drop one.
    ("/task-definitions/drafts/*/delete", Role::Viewer),
    // Creating: a wizard's Create, finishing or undoing a cut-off create.
    ("/*/drafts/*/create", Role::Deployer),
    ("/*/drafts/*/finish", Role::Deployer),
    ("/*/drafts/*/undo", Role::Deployer),
    ("/services/drafts/*/resume", Role::Deployer),
    ("/services/drafts/*/cleanup", Role::Deployer),
    ("/roles/*/trust-ecs-tasks", Role::Deployer),
    ("/roles/*/attach-execution-policy", Role::Deployer),
    // Updating a running service (desired tasks, revision, force).
    ("/clusters/*/services/*/update", Role::Deployer),
    // Deleting.
    ("/clusters/*/services/*/delete", Role::Admin),
    ("/teardowns/*/resume", Role::Admin),
    ("/task-definitions/*/*/deregister", Role::Admin),
    ("/task-definitions/*/*/delete", Role::Admin),
    // Accounts and sessions of this instance.
    ("/users/*/role", Role::Admin),
    ("/users/*/remove", Role::Admin),
    ("/users/signout", Role::Admin),
];

/// Pages anyone may open: signing in, and the identity provider's way back.
/// And the health check a load balancer asks for.
const OPEN_PAGES: &[&str] = &[
    "/signin",
    "/signin/oidc",
    "/signin/oidc/callback",
    "/healthz",
];

/// POSTs anyone may send: the sign-in form itself, the language switch.
const OPEN_POSTS: &[&str] = &["/signin", "/lang"];

/// What `method` on `path` needs. Reading is a viewer's; a POST not in the
/// tables keeps something here only (a draft, Refresh) and is a viewer's too.
pub fn need(method: &str, path: &str) -> Need {
    let reading = method == "GET" || method == "HEAD";
    if path.starts_with("/static/") || reading && OPEN_PAGES.contains(&path) {
        return Need::Anyone;
    }
    if reading {
        return Need::AtLeast(Role::Viewer);
    }
    if method != "POST" {
        // The app answers nothing else; the strictest need keeps it that way.
        return Need::AtLeast(Role::Admin);
    }
    if OPEN_POSTS.contains(&path) {
        return Need::Anyone;
    }
    let role = CHANGES
        .iter()
        .find(|(pattern, _)| matches(pattern, path))
        .map_or(Role::Viewer, |(_, role)| *role);
    Need::AtLeast(role)
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

/// `pattern` against `path`, segment by segment; `*` is any one segment.
fn matches(pattern: &str, path: &str) -> bool {
    let mut wanted = pattern.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w == "*" && !g.is_empty() || w == g => {}
            _ => return false,
        }
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

    #[test]
    fn each_kind_of_request_has_its_need() {
        use Need::*;
        let cases = [
            ("GET", "/static/app.css", Anyone),
            ("GET", "/signin", Anyone),
            ("GET", "/signin/oidc", Anyone),
            ("GET", "/signin/oidc/callback", Anyone),
            ("POST", "/signin/oidc", AtLeast(Role::Viewer)),
            ("GET", "/audit", AtLeast(Role::Viewer)),
            ("GET", "/healthz", Anyone),
            ("GET", "/users", AtLeast(Role::Viewer)),
            ("POST", "/users/ana/role", AtLeast(Role::Admin)),
            ("POST", "/users/ana/remove", AtLeast(Role::Admin)),
            ("POST", "/users/signout", AtLeast(Role::Admin)),
            ("POST", "/signin", Anyone),
            ("POST", "/lang", Anyone),
            ("GET", "/", AtLeast(Role::Viewer)),
            (
                "GET",
                "/clusters/c/services/s/delete",
                AtLeast(Role::Viewer),
            ),
            ("POST", "/refresh", AtLeast(Role::Viewer)),
            ("POST", "/signout", AtLeast(Role::Viewer)),
            (
                "POST",
                "/task-definitions/drafts/d/containers",
                AtLeast(Role::Viewer),
            ),
            ("POST", "/clusters/new", AtLeast(Role::Viewer)),
            (
                "POST",
                "/task-definitions/drafts/d/delete",
                AtLeast(Role::Viewer),
            ),
            (
                "POST",
                "/task-definitions/drafts/d/create",
                AtLeast(Role::Deployer),
            ),
            ("POST", "/clusters/drafts/d/create", AtLeast(Role::Deployer)),
            ("POST", "/services/drafts/d/resume", AtLeast(Role::Deployer)),
            (
                "POST",
                "/clusters/c/services/s/update",
                AtLeast(Role::Deployer),
            ),
            (
                "POST",
                "/clusters/c/services/s/delete",
                AtLeast(Role::Admin),
            ),
            ("POST", "/teardowns/t/resume", AtLeast(Role::Admin)),
            (
                "POST",
                "/task-definitions/web/3/deregister",
                AtLeast(Role::Admin),
            ),
            (
                "POST",
                "/task-definitions/web/3/delete",
                AtLeast(Role::Admin),
            ),
            ("PUT", "/", AtLeast(Role::Admin)),
        ];
        for (method, path, wanted) in cases {
            assert_eq!(need(method, path), wanted, "{method} {path}");
        }
    }

    #[test]
    fn a_star_is_one_whole_segment() {
        assert!(matches("/*/drafts/*/create", "/roles/drafts/x/create"));
        assert!(!matches("/*/drafts/*/create", "/roles/drafts//create"));
        assert!(!matches("/*/drafts/*/create", "/a/b/drafts/x/create"));
        assert!(!matches(
            "/*/drafts/*/create",
            "/roles/drafts/x/create/more"
        ));
    }
}
