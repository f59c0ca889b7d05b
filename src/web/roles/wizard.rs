//! "Create role" with trusted entity "AWS service" and use case "Elastic
//! Container Service Task", as reference 000 clicks through it, plus the
//! extra permissions of references 001 and 004 as a readable inline policy.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use crate::aws::{Aws, Connection, CreateError, Created, Undo};
use crate::deploy::RunJournal;
use crate::deploy::resource_run;
use crate::deploy::runner::Retry;
use crate::model::resource::Resource;
use crate::model::role::{MANAGED_POLICIES, Role, RoleKind, Scope, trust_policy};
use crate::model::scanner::Flagged;
use crate::web::create::{CreateWizard, FormCommon, FormWizard};
use crate::web::form::FormData;
use crate::web::form::{Context, decode_tags, is_draft_id, split_lines};

pub struct PolicyChoice {
    pub name: &'static str,
    pub help: &'static str,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "roles/form.html")]
pub struct RoleForm {
    pub v: FormCommon,
    pub kind: &'static str,
    /// The task definition draft the role is made for, or empty.
    pub for_draft: String,
    pub kind_help: &'static str,
    pub role_name: String,
    pub description: String,
    pub policies: Vec<PolicyChoice>,
    pub other_policy_arns: String,
    pub read_secrets: bool,
    pub secret_arns: String,
    pub read_parameters: bool,
    pub parameter_arns: String,
    pub kms_key_arns: String,
    pub create_log_groups: bool,
}

/// A draft id as the app makes them (32 hex digits), or nothing: it goes
/// into a link.
fn draft_id(text: Option<&str>) -> Option<String> {
    text.filter(|t| is_draft_id(t)).map(str::to_string)
}

/// A name becomes an ARN in the caller's account; an ARN stays as it is.
fn arns(text: &str, scope: Option<&Scope>, to_arn: fn(&Scope, &str) -> String) -> Vec<String> {
    split_lines(text)
        .into_iter()
        .map(|item| match scope {
            Some(scope) if !item.starts_with("arn:") => to_arn(scope, &item),
            _ => item,
        })
        .collect()
}

impl FormWizard for Role {
    const KIND: &'static str = "roles";

    fn start(context: &Context, query: &HashMap<String, String>) -> Self {
        let kind = query
            .get("kind")
            .and_then(|k| RoleKind::from_slug(k))
            .unwrap_or_default();
        let mut role = Role::new(kind, &context.partition);
        if let Some(name) = query.get("name").filter(|n| !n.is_empty()) {
            role.role_name = name.clone();
        }
        role.for_draft = draft_id(query.get("for").map(String::as_str));
        role
    }

    fn decode(form: &mut FormData, context: &Context) -> Self {
        let scope = context.scope();
        let mut managed_policy_arns: Vec<String> = MANAGED_POLICIES
            .iter()
            .filter(|p| form.checked(&format!("policy.{}", p.name)))
            .map(|p| p.arn(&context.partition))
            .collect();
        for arn in split_lines(&form.text("otherPolicyArns")) {
            if !managed_policy_arns.contains(&arn) {
                managed_policy_arns.push(arn);
            }
        }
        Role {
            kind: RoleKind::from_slug(&form.text("kind")).unwrap_or_default(),
            role_name: form.text("roleName"),
            description: form.text("description"),
            managed_policy_arns,
            read_secrets: form.checked("readSecrets"),
            secret_arns: arns(&form.text("secretArns"), scope.as_ref(), Scope::secret_arn),
            read_parameters: form.checked("readParameters"),
            parameter_arns: arns(
                &form.text("parameterArns"),
                scope.as_ref(),
                Scope::parameter_arn,
            ),
            kms_key_arns: arns(&form.text("kmsKeyArns"), scope.as_ref(), Scope::kms_key_arn),
            create_log_groups: form.checked("createLogGroups"),
            tags: decode_tags(form),
            for_draft: draft_id(Some(&form.text("for"))),
        }
    }

    fn title(&self) -> &'static str {
        match self.kind {
            RoleKind::Execution => "ui.create_execution_role",
            RoleKind::Task => "ui.create_task_role",
        }
    }

    /// The form offers nothing read from the account.
    type Facts = ();

    async fn read_facts(&self, _connection: &Connection) {}

    fn render_form(&self, v: FormCommon, _facts: ()) -> Response {
        let is_offered = |arn: &String| {
            MANAGED_POLICIES
                .iter()
                .any(|p| arn.ends_with(&format!("/{}", p.name)) && arn.contains(":iam::aws:policy"))
        };
        RoleForm {
            kind: self.kind.slug(),
            for_draft: self.for_draft.clone().unwrap_or_default(),
            kind_help: match self.kind {
                RoleKind::Execution => "h.role_execution",
                RoleKind::Task => "h.role_task",
            },
            role_name: self.role_name.clone(),
            description: self.description.clone(),
            policies: MANAGED_POLICIES
                .iter()
                .map(|p| PolicyChoice {
                    name: p.name,
                    help: p.help,
                    checked: self
                        .managed_policy_arns
                        .iter()
                        .any(|a| a.ends_with(&format!("/{}", p.name)) && is_offered(a)),
                })
                .collect(),
            other_policy_arns: self
                .managed_policy_arns
                .iter()
                .filter(|a| !is_offered(a))
                .cloned()
                .collect::<Vec<_>>()
                .join("\n"),
            read_secrets: self.read_secrets,
            secret_arns: self.secret_arns.join("\n"),
            read_parameters: self.read_parameters,
            parameter_arns: self.parameter_arns.join("\n"),
            kms_key_arns: self.kms_key_arns.join("\n"),
            create_log_groups: self.create_log_groups,
            v,
        }
        .into_response()
    }
}

impl CreateWizard for Role {
    /// checkov passes a role with a trust policy and attached policies.
    fn flagged(&self) -> Vec<Flagged> {
        Vec::new()
    }

    fn documents(&self) -> Vec<(&'static str, String)> {
        let pretty = |v| serde_json::to_string_pretty(&v).unwrap_or_default();
        let mut documents = vec![("ui.trust_policy", pretty(trust_policy()))];
        if let Some(policy) = self.inline_policy() {
            documents.push(("ui.inline_policy", pretty(policy)));
        }
        documents
    }

    fn resource_url(&self) -> String {
        format!("/roles/{}", self.role_name)
    }

    /// Back to the task definition it was made for, its field filled in;
    /// otherwise on along the tutorials' path.
    fn next_step(&self) -> Option<(&'static str, String)> {
        let id = self.for_draft.as_ref()?;
        {
            {
                let field = match self.kind {
                    RoleKind::Execution => "executionRole",
                    RoleKind::Task => "taskRole",
                };
                let query = form_urlencoded::Serializer::new(String::new())
                    .append_pair(field, &self.role_name)
                    .finish();
                Some((
                    "ui.back_to_task_definition",
                    format!("/task-definitions/drafts/{id}/configure?{query}"),
                ))
            }
        }
    }

    /// Each policy attached, and the inline policy by its name.
    fn done_lines(&self) -> Vec<String> {
        let mut lines = self.managed_policy_arns.clone();
        if self.inline_policy().is_some() {
            lines.push(self.inline_policy_name());
        }
        lines
    }

    async fn create(&self, aws: &Aws, log: &RunJournal) -> Result<Created, CreateError> {
        resource_run::create(aws, self.api_calls(), log, &Retry::STANDARD).await
    }

    async fn remove(&self, aws: &Aws, log: &RunJournal) -> Vec<Undo> {
        resource_run::remove(aws, self.api_calls(), log, &Retry::STANDARD).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resource::Resource;

    fn context() -> Context {
        Context {
            partition: "aws".into(),
            account: Some("123456789012".into()),
            region: "ap-northeast-1".into(),
        }
    }

    #[test]
    fn the_form_reads_reference_000_and_004() {
        let mut form = FormData::new(vec![
            ("kind".into(), "execution".into()),
            ("roleName".into(), "ecsTaskExecutionRole".into()),
            (
                "policy.AmazonECSTaskExecutionRolePolicy".into(),
                "on".into(),
            ),
            ("policy.CloudWatchAgentServerPolicy".into(), "on".into()),
            (
                "otherPolicyArns".into(),
                "arn:aws:iam::123456789012:policy/team\n".into(),
            ),
            ("readSecrets".into(), "on".into()),
            (
                "secretArns".into(),
                "prod/db\narn:aws:secretsmanager:ap-northeast-1:123456789012:secret:x-AbCdEf"
                    .into(),
            ),
            ("readParameters".into(), "on".into()),
            ("parameterArns".into(), "/db/password".into()),
        ]);
        let role = Role::decode(&mut form, &context());
        assert_eq!(
            role.managed_policy_arns,
            [
                "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
                "arn:aws:iam::123456789012:policy/team",
            ]
        );
        assert_eq!(
            role.secret_arns[0],
            "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/db-??????"
        );
        assert!(role.secret_arns[1].ends_with(":secret:x-AbCdEf"));
        assert_eq!(
            role.parameter_arns,
            ["arn:aws:ssm:ap-northeast-1:123456789012:parameter/db/password"]
        );
        assert!(role.kms_key_arns.is_empty());
        assert!(!role.create_log_groups);
    }

    #[test]
    fn without_an_account_names_stay_names_and_are_refused_by_validation() {
        let preview = Context {
            account: None,
            ..context()
        };
        let mut form = FormData::new(vec![
            ("roleName".into(), "r".into()),
            ("readSecrets".into(), "on".into()),
            ("secretArns".into(), "prod/db".into()),
        ]);
        let role = Role::decode(&mut form, &preview);
        assert_eq!(role.secret_arns, ["prod/db"]);
        assert!(role.validate().iter().any(|i| i.key == "v.full_arn"));
    }

    #[test]
    fn a_query_chooses_the_kind_and_name() {
        let query = HashMap::from([
            ("kind".to_string(), "task".to_string()),
            ("name".to_string(), "web-task".to_string()),
        ]);
        let role = Role::start(&context(), &query);
        assert_eq!(
            (role.kind, role.role_name.as_str()),
            (RoleKind::Task, "web-task")
        );
        assert_eq!(
            Role::start(&context(), &HashMap::new()).role_name,
            "ecsTaskExecutionRole"
        );
    }

    #[test]
    fn a_role_made_for_a_draft_leads_back_to_it_with_its_name() {
        let mut role = Role::new(RoleKind::Execution, "aws");
        role.role_name = "team+ecs=role".into();
        assert_eq!(role.next_step(), None, "the checklist says what is next");
        role.for_draft = Some("0123456789abcdef0123456789abcdef".into());
        assert_eq!(
            role.next_step(),
            Some((
                "ui.back_to_task_definition",
                "/task-definitions/drafts/0123456789abcdef0123456789abcdef/configure?executionRole=team%2Becs%3Drole".to_string()
            ))
        );
        role.kind = RoleKind::Task;
        assert!(
            role.next_step()
                .expect("back")
                .1
                .ends_with("?taskRole=team%2Becs%3Drole")
        );
    }

    #[test]
    fn only_the_apps_draft_ids_are_kept() {
        assert_eq!(
            draft_id(Some("0123456789abcdef0123456789ABCDEF")).as_deref(),
            Some("0123456789abcdef0123456789ABCDEF")
        );
        for odd in ["", "abc", "\"><script>", "0123456789abcdef0123456789abcdeg"] {
            assert_eq!(draft_id(Some(odd)), None, "{odd}");
        }
    }
}
