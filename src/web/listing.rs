//! Pages that list what the account holds (clusters, repositories, roles,
//! log groups), a page at a time. In preview mode, or when AWS refuses the
//! listing, the page still renders and says why it is empty. Each says when
//! AWS was read, with a Refresh button.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use std::time::SystemTime;

use crate::aws::paging::PageToken;
use crate::aws::{AwsError, ListPage, Read};
use crate::i18n::Tr;
use crate::web::page::Page;
use crate::web::refusal::explain;
use crate::web::security::redirect::local_path;
use crate::web::state::AppState;

pub struct Listing<T> {
    pub page: Page,
    pub items: Vec<T>,
    /// Empty when the list is the account's; otherwise why it could not be read.
    pub problem: String,
    pub note: ReadNote,
    /// The next page's URL; empty on the last.
    pub next_url: String,
    /// The first page's URL; empty on the first.
    pub first_url: String,
}

/// The `?next=` of a list page: where it starts.
#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    next: String,
}

impl PageQuery {
    /// None for the first page, and for a token not ours (the first page is shown).
    pub fn token(&self) -> Option<PageToken> {
        PageToken::decode(&self.next)
    }
}

/// `fetched` is None in preview mode (nothing was asked). `path` is the
/// list's own path, for its page links.
pub fn listing<T, U>(
    page: Page,
    path: &str,
    query: &PageQuery,
    fetched: Option<Result<Read<ListPage<T>>, AwsError>>,
    line: impl Fn(&T) -> U,
) -> Listing<U> {
    let tr = page.tr;
    let mut listing = Listing {
        items: Vec::new(),
        problem: String::new(),
        note: ReadNote::default(),
        next_url: String::new(),
        first_url: if query.token().is_some() {
            path.to_string()
        } else {
            String::new()
        },
        page,
    };
    match fetched {
        Some(Ok(read)) => {
            listing.note = ReadNote::of(tr, &read);
            listing.items = read.value.items.iter().map(line).collect();
            if let Some(next) = &read.value.next {
                let query = serde_urlencoded::to_string([("next", next.encode())]);
                listing.next_url = format!("{path}?{}", query.unwrap_or_default());
            }
        }
        Some(Err(error)) => listing.problem = problem(tr, &error),
        None => {
            listing.problem = format!(
                "{} {}",
                tr.t("ui.preview_cannot_list"),
                listing.page.preview_reason
            )
        }
    }
    listing
}

/// AWS's refusal, what it means and what to do.
pub fn problem(tr: Tr, error: &AwsError) -> String {
    let (meaning, next) = explain(tr, &error.code);
    format!("{}: {} — {meaning} {next}", error.code, error.message)
}

/// "Read from AWS 12 s ago", and what to say when AWS throttled a newer read.
#[derive(Default)]
pub struct ReadNote {
    /// Empty when nothing was read (preview mode, a refusal).
    pub said: String,
    /// Empty unless what is shown is older because AWS asked for fewer requests.
    pub throttled: String,
}

impl ReadNote {
    pub fn of<T>(tr: Tr, read: &Read<T>) -> Self {
        Self::said_as(tr, read, "ui.read_from_aws")
    }

    /// The same, said with catalog key `said` (which takes `{ago}`).
    pub fn said_as<T>(tr: Tr, read: &Read<T>, said: &str) -> Self {
        let seconds = SystemTime::now()
            .duration_since(read.read_at)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let ago = if seconds < 120 {
            tr.fmt("ui.seconds_ago", &[("seconds", seconds.to_string())])
        } else {
            tr.fmt("ui.minutes_ago", &[("minutes", (seconds / 60).to_string())])
        };
        Self {
            said: tr.fmt(said, &[("ago", ago.clone())]),
            throttled: if read.throttled {
                tr.fmt("ui.read_throttled", &[("ago", ago)])
            } else {
                String::new()
            },
        }
    }
}

#[derive(serde::Deserialize)]
pub struct RefreshForm {
    #[serde(default)]
    back: String,
}

/// "Refresh": forgets what was read from the account (for everyone: the
/// cache is the instance's) and shows the page again.
pub async fn refresh(State(state): State<AppState>, Form(form): Form<RefreshForm>) -> Response {
    if let Some(aws) = state.connection.aws() {
        aws.forget_reads();
    }
    Redirect::to(local_path(&form.back)).into_response()
}
