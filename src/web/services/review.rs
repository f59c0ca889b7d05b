//! The review: every call of the plan in order, with what it waits for, its
//! JSON and aws CLI command; the preflight checks against the account; the
//! Terraform of everything; and Create, blocked while an error remains.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use crate::aws::Aws;
use crate::deploy::service_plan::plan;
use crate::model::account::{RoleSummary, named_in};
use crate::model::certificate::Certificate;
use crate::model::cost::workload;
use crate::model::domain::{DomainFacts, zone_id};
use crate::model::network::NetworkFacts;
use crate::model::scanner;
use crate::model::service::draft::{LoadBalancing, ServiceDraft};
use crate::model::service::preflight::{Fix, ServiceFacts, Taken, fixes, preflight};
use crate::model::validate::{Issue, is_role_arn};
use crate::web::create::load;
use crate::web::error::AppResult;
use crate::web::estimate::EstimateView;
use crate::web::flagged::{self, FlaggedLine};
use crate::web::messages::translate;
use crate::web::page::Page;
use crate::web::refusal::said;
use crate::web::reviewed::ChangedSince;
use crate::web::state::AppState;

pub struct StepView {
    pub number: usize,
    pub id: String,
    pub title: String,
    /// What it does, in words.
    pub what: String,
    pub after: String,
    pub json: String,
    pub cli: String,
}

pub struct CheckView {
    pub title: String,
    /// ok, warning or error.
    pub class: &'static str,
    pub messages: Vec<CheckMessage>,
}

pub struct CheckMessage {
    pub text: String,
    /// warning or error.
    pub class: &'static str,
    /// What puts it right: (label, URL).
    pub fixes: Vec<(String, String)>,
}

/// Where each fix is made: the log group wizard with the name filled in, or
/// the role's page with the statement filled in.
fn fix_link(tr: crate::i18n::Tr, fix: Fix) -> (String, String) {
    let query = |pairs: &[(&str, &str)]| {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    };
    match fix {
        Fix::CreateLogGroup(group) => (
            tr.fmt("ui.fix_create_log_group", &[("group", group.clone())]),
            format!("/log-groups/new?{}", query(&[("name", &group)])),
        ),
        Fix::AddPermission {
            role,
            action,
            resource,
        } => (
            tr.fmt(
                "ui.fix_add_permission",
                &[("role", role.clone()), ("action", action.clone())],
            ),
            format!(
                "/roles/{role}?{}#change-policies",
                query(&[("add", &action), ("resource", &resource)])
            ),
        ),
    }
}

pub struct ReviewView {
    pub page: Page,
    pub name: String,
    pub edit_url: String,
    pub create_url: String,
    pub run_url: String,
    pub issues: Vec<(String, &'static str)>,
    pub checks: Vec<CheckView>,
    /// Why preflight could not run, or empty.
    pub unchecked: String,
    pub steps: Vec<StepView>,
    pub waves: usize,
    pub terraform: String,
    pub flagged: Vec<FlaggedLine>,
    pub blocked: String,
    /// The draft's version this review shows: its Create sends that one.
    pub version: i64,
    /// Set when Create was pressed on an older review: what changed since.
    pub changed: Option<ChangedSince>,
    /// What the service will cost, read with preflight's facts.
    pub estimate: EstimateView,
    /// A quick start's draft: what will exist afterwards, in words, and
    /// what the account has that it uses as it is.
    pub quick: bool,
    pub summary: String,
    pub adopted: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/review.html")]
pub struct ReviewPage {
    pub v: ReviewView,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let draft = load::<ServiceDraft>(&state.store, &id).await?;
    let version = draft.version;
    let draft = completed(&state, draft.body).await;
    let v = review(&state, page, &id, version, &draft).await?;
    Ok(ReviewPage { v }.into_response())
}

/// The draft with what the plan needs from the account: an existing load
/// balancer's security groups (the tasks' new group lets them in), and its
/// DNS name and zone (a domain's alias names them).
pub async fn completed(state: &AppState, mut draft: ServiceDraft) -> ServiceDraft {
    if matches!(
        draft.load_balancing,
        LoadBalancing::ExistingLoadBalancer | LoadBalancing::ExistingListener
    ) && let Some(aws) = state.connection.aws()
        && let Ok(Some(lb)) = aws.load_balancer(&draft.load_balancer_arn).await
    {
        draft.load_balancer_groups = lb.security_groups;
        draft.load_balancer_dns = lb.dns_name;
        draft.load_balancer_zone = lb.canonical_zone;
        draft.load_balancer_internal = !lb.internet_facing;
    }
    draft
}

fn class_of(issues: &[Issue]) -> &'static str {
    if issues.iter().any(Issue::is_error) {
        "error"
    } else if issues.is_empty() {
        "ok"
    } else {
        "warning"
    }
}

/// The review of a draft at `version`; `blocked` says why Create cannot be
/// pressed.
pub async fn review(
    state: &AppState,
    page: Page,
    id: &str,
    version: i64,
    draft: &ServiceDraft,
) -> AppResult<ReviewView> {
    let tr = page.tr;
    let plan = plan(draft);
    let region = page.region.clone();
    let issues = draft.issues();
    let mut has_errors = issues.iter().any(Issue::is_error);
    let facts = match state.connection.aws() {
        // Boxed: its reads' joined state is large, and a page's future is
        // polled on a worker thread's stack (debug builds overflowed it).
        Some(aws) if !has_errors => Some(Box::pin(service_facts(aws, draft, &page.account)).await),
        _ => None,
    };
    let (checks, unchecked) = match &facts {
        Some(Ok(facts)) => (preflight(draft, facts), String::new()),
        Some(Err(error)) => (Vec::new(), said(page.tr, error)),
        None => (Vec::new(), String::new()),
    };
    // Without preflight's facts, a task definition the plan registers is
    // still priced from the draft alone.
    let estimate = service_estimate(
        tr,
        &region,
        draft,
        facts.as_ref().and_then(|f| f.as_ref().ok()),
    );
    has_errors |= checks.iter().any(|c| c.issues.iter().any(Issue::is_error));
    let waves = plan.waves().map_or(0, |w| w.len());
    let steps = plan
        .steps
        .iter()
        .enumerate()
        .map(|(n, step)| StepView {
            number: n + 1,
            id: step.id.clone(),
            title: step.call.title(),
            // A waiting step says what it asks until, in place of its
            // operation's name.
            what: match step.until {
                Some(until) => tr.t(until.label()).to_string(),
                None => tr.operation(step.call.operation),
            },
            after: step.depends_on.join(", "),
            json: step.call.json(),
            cli: step
                .call
                .cli(Some(region.as_str()).filter(|r| !r.is_empty())),
        })
        .collect();
    let run = state.store.latest_run(id).await?;
    let draft_url = format!("/services/drafts/{id}");
    let (summary, adopted) = quick_summary(tr, draft);
    Ok(ReviewView {
        name: draft.service.service_name.clone(),
        edit_url: if draft.quick_start.is_some() {
            format!("/quick-start?draft={id}")
        } else {
            draft_url.clone()
        },
        quick: draft.quick_start.is_some(),
        summary,
        adopted,
        create_url: format!("{draft_url}/create"),
        run_url: run.map(|_| format!("{draft_url}/run")).unwrap_or_default(),
        issues: issues
            .iter()
            .map(|i| {
                (
                    translate(tr, i),
                    if i.is_error() { "error" } else { "warning" },
                )
            })
            .collect(),
        checks: checks
            .iter()
            .map(|c| CheckView {
                title: tr.t(c.title).to_string(),
                class: class_of(&c.issues),
                messages: c
                    .issues
                    .iter()
                    .map(|i| CheckMessage {
                        text: translate(tr, i),
                        class: if i.is_error() { "error" } else { "warning" },
                        fixes: fixes(i).into_iter().map(|f| fix_link(tr, f)).collect(),
                    })
                    .collect(),
            })
            .collect(),
        unchecked,
        steps,
        waves,
        terraform: draft.terraform(),
        flagged: flagged::lines(tr, &scanner::service(draft), &draft_url),
        blocked: page.create_blocked(has_errors),
        version,
        changed: None,
        estimate,
        page,
    })
}

/// A quick start's "what will exist afterwards" sentence, and what the
/// account already had that it uses.
fn quick_summary(tr: crate::i18n::Tr, draft: &ServiceDraft) -> (String, Vec<String>) {
    let Some(quick) = &draft.quick_start else {
        return (String::new(), Vec::new());
    };
    let address = if draft.domain.is_set() {
        format!("https://{}", draft.domain.fqdn())
    } else {
        tr.t("ui.quick_address_later").to_string()
    };
    let summary = tr.fmt(
        "ui.quick_summary",
        &[
            ("count", draft.service.desired_count.to_string()),
            ("image", quick.image.clone()),
            ("address", address),
            ("min", draft.auto_scaling.min_tasks.to_string()),
            ("max", draft.auto_scaling.max_tasks.to_string()),
            ("service", draft.service.service_name.clone()),
            ("cluster", draft.service.cluster.clone()),
        ],
    );
    let made = &draft.prerequisites;
    let mut adopted = Vec::new();
    if made.role.is_none() {
        adopted.push(tr.t("ui.quick_adopted_role").to_string());
    }
    if made.cluster.is_none() {
        adopted.push(tr.fmt(
            "ui.quick_adopted_cluster",
            &[("cluster", draft.service.cluster.clone())],
        ));
    }
    if !draft.shift.role_arn.is_empty() {
        adopted.push(
            tr.fmt(
                "ui.quick_adopted_infrastructure_role",
                &[(
                    "role",
                    draft
                        .shift
                        .role_arn
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                )],
            ),
        );
    }
    if made.log_group.is_none() {
        adopted.push(tr.fmt(
            "ui.quick_adopted_log_group",
            &[(
                "group",
                crate::model::defaults::log_group(&draft.service.service_name),
            )],
        ));
    }
    (summary, adopted)
}

/// The service's cost at its desired count, and at auto scaling's maximum
/// when that is more, from the revision and network preflight read.
fn service_estimate(
    tr: crate::i18n::Tr,
    region: &str,
    draft: &ServiceDraft,
    facts: Option<&ServiceFacts>,
) -> EstimateView {
    let no_network = NetworkFacts::default();
    let network = facts.map_or(&no_network, |f| &f.network);
    let td = facts
        .and_then(|f| f.task_definition.as_ref())
        .or(draft.prerequisites.task_definition.as_ref());
    let at = |tasks: i64| {
        let tasks = u32::try_from(tasks.max(0)).unwrap_or(u32::MAX);
        workload::service(draft, td?, network, tasks)
    };
    let scaling = &draft.auto_scaling;
    let also: Vec<_> = (scaling.enabled && scaling.max_tasks > draft.service.desired_count)
        .then(|| at(scaling.max_tasks))
        .flatten()
        .map(|max| ("cost.at_max", max))
        .into_iter()
        .collect();
    EstimateView::new(tr, region, at(draft.service.desired_count).as_ref(), &also)
}

/// The zones, and what the name has now in the chosen one (two calls).
async fn domain_facts(
    aws: &Aws,
    draft: &ServiceDraft,
    certificates: &[Certificate],
) -> Result<DomainFacts, crate::aws::AwsError> {
    let zones = aws.hosted_zones().await?.value.to_vec();
    let known = zones
        .iter()
        .any(|z| z.id == zone_id(&draft.domain.hosted_zone_id));
    let records = if known {
        Some(
            aws.existing_records(&draft.domain.hosted_zone_id, &draft.domain.fqdn())
                .await?,
        )
    } else {
        None
    };
    Ok(draft.domain_facts(zones, records, certificates))
}

/// What preflight reads, at once: the revision, the account's roles,
/// images and log groups, the VPC, and whether the names are taken.
async fn service_facts(
    aws: &Aws,
    draft: &ServiceDraft,
    account: &str,
) -> Result<ServiceFacts, crate::aws::AwsError> {
    let lb = &draft.load_balancer;
    let new_lb = draft.load_balancing == LoadBalancing::New;
    let on_existing = draft.load_balancing == LoadBalancing::ExistingLoadBalancer;
    let on_listener = draft.load_balancing == LoadBalancing::ExistingListener;
    let https = draft.makes_listener()
        && draft.load_balancing != LoadBalancing::ExistingListener
        && lb.https();
    let (
        td,
        network,
        load_balancing,
        service,
        load_balancer,
        target_group,
        ports,
        priorities,
        certificates,
    ) = tokio::join!(
        async {
            match &draft.prerequisites.task_definition {
                // Registered by the plan itself: the draft's is the one.
                Some(td) => Ok(Some(td.clone())),
                None => aws.task_definition(&draft.service.task_definition).await,
            }
        },
        aws.network(Some(&draft.vpc_id)),
        async {
            if draft.load_balancing.uses_existing() {
                aws.load_balancing_in(&draft.vpc_id).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if draft.prerequisites.cluster.is_some() {
                // The plan makes the cluster: nothing can be in it yet.
                Ok(false)
            } else {
                aws.service_exists(&draft.service.cluster, &draft.service.service_name)
                    .await
            }
        },
        async {
            if new_lb {
                aws.load_balancer_exists(&lb.load_balancer_name).await
            } else {
                Ok(false)
            }
        },
        async {
            if draft.makes_listener() {
                aws.target_group_exists(&lb.target_group.name).await
            } else {
                Ok(false)
            }
        },
        async {
            // A new listener's port, and a test listener's on a load
            // balancer that exists, must be free.
            let test_listener = draft.shifts_traffic() && draft.shift.test_port > 0;
            if (on_existing || (on_listener && test_listener))
                && !draft.load_balancer_arn.is_empty()
            {
                aws.listeners(&draft.load_balancer_arn)
                    .await
                    .map(|listeners| listeners.into_iter().map(|(_, port)| port).collect())
            } else {
                Ok(Vec::new())
            }
        },
        async {
            if on_listener && !draft.listener_arn.is_empty() {
                aws.rule_priorities(&draft.listener_arn).await
            } else {
                Ok(Vec::new())
            }
        },
        async {
            if https {
                aws.certificates()
                    .await
                    .map(|read| Some(read.value.to_vec()))
            } else {
                Ok(None)
            }
        },
    );
    let certificates = certificates?;
    let domain = if draft.domain.is_set() {
        let issued = certificates.as_deref().unwrap_or_default();
        Some(Box::pin(domain_facts(aws, draft, issued)).await?)
    } else {
        None
    };
    let td = td?;
    let named = td
        .as_ref()
        .map(|td| named_in(td, account, aws.region().unwrap_or_default()))
        .unwrap_or_default();
    let facts = aws.facts_for(account, &named).await;
    // The execution role's policies decide whether secrets can be read and
    // whether a missing log group can be created.
    let role_name = td
        .as_ref()
        .and_then(|td| td.execution_role_arn.as_deref())
        .filter(|arn| arn.split(':').nth(4) == Some(account))
        .and_then(|arn| arn.rsplit('/').next())
        .map(str::to_string);
    let role_decides = td.as_ref().is_some_and(|td| {
        td.container_definitions.iter().any(|c| {
            !c.secrets.is_empty()
                || c.awslogs().is_some_and(|l| {
                    l.options.get("awslogs-create-group").map(String::as_str) == Some("true")
                })
        })
    });
    let infrastructure_role = if draft.shifts_traffic() {
        let shift = &draft.shift;
        let name = if shift.role_arn.is_empty() {
            shift.role_name.as_str()
        } else {
            shift.role_arn.rsplit('/').next().unwrap_or_default()
        };
        Some(aws.role_if_any(name).await?)
    } else {
        None
    };
    let ports = ports?;
    let alarm_names: Vec<String> = draft
        .alarms_request()
        .map(|a| a.alarm_names)
        .unwrap_or_default();
    let alarms = if alarm_names.is_empty() {
        None
    } else {
        Some(aws.alarms_named(&alarm_names).await?)
    };
    // One GetRole for each distinct role chosen for a Lambda hook (at most
    // 10), all at once.
    let mut arns: Vec<&str> = draft
        .service
        .deployment_configuration
        .lifecycle_hooks
        .iter()
        .filter_map(|hook| hook.role_arn.as_deref().filter(|a| is_role_arn(a)))
        .collect();
    arns.sort_unstable();
    arns.dedup();
    let found = futures_util::future::join_all(
        arns.iter()
            .map(|arn| aws.role_if_any(arn.rsplit('/').next().unwrap_or_default())),
    )
    .await;
    let mut hook_roles: Vec<(String, Option<RoleSummary>)> = Vec::new();
    for (arn, role) in arns.into_iter().zip(found) {
        hook_roles.push((arn.to_string(), role?));
    }
    let execution_role = match role_name {
        Some(name) if role_decides => aws.role_details(&name).await.ok(),
        _ => None,
    };
    Ok(ServiceFacts {
        task_definition: td,
        certificates,
        domain,
        execution_role,
        infrastructure_role,
        alarms,
        hook_roles,
        account: Some({
            let mut account = facts?.value.as_ref().clone();
            draft
                .prerequisites
                .apply(&mut account, &draft.shift.partition);
            account
        }),
        network: {
            let mut network = network?.value.as_ref().clone();
            if let Some(read) = load_balancing? {
                network.load_balancers = read.value.load_balancers.clone();
                network.target_groups = read.value.target_groups.clone();
            }
            network
        },
        taken: Taken {
            service: service?,
            listener_port: ports.contains(&lb.forward_listener().1),
            test_port: ports.contains(&draft.shift.test_port),
            rule_priority: priorities?.contains(&draft.rule_priority),
            load_balancer: load_balancer?,
            target_group: target_group?,
        },
    })
}
