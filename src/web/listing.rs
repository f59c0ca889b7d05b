//! Pages that list what the account holds (clusters, repositories, roles,
//! log groups). In preview mode, or when AWS refuses the listing, the page
//! still renders and says why it is empty.

use crate::aws::AwsError;
use crate::web::page::Page;
use crate::web::refusal::explain;

pub struct Listing<T> {
    pub page: Page,
    pub items: Vec<T>,
    /// Empty when the list is the account's; otherwise why it could not be read.
    pub problem: String,
}

/// `fetched` is None in preview mode (nothing was asked).
pub fn listing<T>(page: Page, fetched: Option<Result<Vec<T>, AwsError>>) -> Listing<T> {
    let tr = page.tr;
    let (items, problem) = match fetched {
        Some(Ok(items)) => (items, String::new()),
        Some(Err(error)) => {
            let (meaning, next) = explain(tr, &error.code);
            let problem = format!("{}: {} — {meaning} {next}", error.code, error.message);
            (Vec::new(), problem)
        }
        None => (
            Vec::new(),
            format!("{} {}", tr.t("ui.preview_cannot_list"), page.preview_reason),
        ),
    };
    Listing {
        page,
        items,
        problem,
    }
}
