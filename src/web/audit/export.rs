//! `/audit.csv`: the filtered log, one row per call (an entry without calls
//! is one row), read and written a page of entries at a time so a long log
//! is streamed, not held.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};

use super::AuditQuery;
use crate::model::audit::csv_safe;
use crate::model::revision::readable_time;
use crate::store::Store;
use crate::store::audit::{AuditCall, AuditEntry, PAGE};

const HEADER: [&str; 18] = [
    "entry",
    "at",
    "user",
    "role",
    "address",
    "method",
    "path",
    "page",
    "http_status",
    "link",
    "call_at",
    "service",
    "operation",
    "resource",
    "outcome",
    "call_http_status",
    "request",
    "answer",
];

pub async fn csv(State(store): State<Store>, Query(query): Query<AuditQuery>) -> Response {
    let first = Some(rows(&[], true));
    let pages = stream::unfold(
        (store, query.filter(), first, false),
        |(store, mut filter, header, done)| async move {
            if let Some(header) = header {
                return Some((Ok(header), (store, filter, None, done)));
            }
            if done {
                return None;
            }
            let entries = match store.audit_entries(filter.clone(), PAGE).await {
                Ok(entries) => entries,
                Err(error) => return Some((Err(error), (store, filter, None, true))),
            };
            let last = entries.len() < PAGE;
            filter.before = entries.last().map(|e| e.id);
            if entries.is_empty() {
                return None;
            }
            Some((Ok(rows(&entries, false)), (store, filter, None, last)))
        },
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ecs-wizard-audit.csv\"",
            ),
        ],
        // Fused: the compression layer may poll the body once more after
        // its end, which an `unfold` answers with a panic.
        Body::from_stream(pages.fuse()),
    )
        .into_response()
}

/// CSV text for `entries`, or the header line.
fn rows(entries: &[AuditEntry], header: bool) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut write = |cells: Vec<String>| {
        let safe: Vec<String> = cells.iter().map(|c| csv_safe(c)).collect();
        if let Err(error) = writer.write_record(&safe) {
            tracing::error!(%error, "an audit CSV row could not be written");
        }
    };
    if header {
        write(HEADER.iter().map(|h| h.to_string()).collect());
    }
    for entry in entries {
        let mut calls: Vec<Option<&AuditCall>> = entry.calls.iter().map(Some).collect();
        if calls.is_empty() {
            calls.push(None);
        }
        for call in calls {
            write(cells(entry, call));
        }
    }
    writer.into_inner().unwrap_or_default()
}

fn cells(entry: &AuditEntry, call: Option<&AuditCall>) -> Vec<String> {
    let number = |n: Option<u16>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut cells = vec![
        entry.id.to_string(),
        readable_time(entry.at as f64),
        entry.user.clone(),
        entry.role.clone(),
        entry.address.clone(),
        entry.method.clone(),
        entry.path.clone(),
        entry.page.clone(),
        number(entry.http_status),
        entry.link.clone().unwrap_or_default(),
    ];
    match call {
        Some(call) => cells.extend([
            readable_time(call.at as f64),
            call.service.clone(),
            call.operation.clone(),
            call.resource.clone(),
            call.outcome.clone().unwrap_or_default(),
            number(call.http_status),
            call.request.clone(),
            call.answer.clone().unwrap_or_default(),
        ]),
        None => cells.extend(std::iter::repeat_n(String::new(), 8)),
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(calls: Vec<AuditCall>) -> AuditEntry {
        AuditEntry {
            id: 3,
            at: 0,
            user: "=cmd".into(),
            role: "admin".into(),
            address: "10.0.0.1".into(),
            method: "POST".into(),
            path: "/clusters/c/services/s/delete".into(),
            page: String::new(),
            finished_at: Some(1),
            http_status: Some(303),
            link: Some("/teardowns/t".into()),
            calls,
        }
    }

    #[test]
    fn one_row_per_call_and_one_for_an_entry_without_calls() {
        let call = AuditCall {
            at: 0,
            service: "ECS".into(),
            operation: "DeleteService".into(),
            resource: "s".into(),
            request: r#"{"service":"s","force":true}"#.into(),
            answered_at: Some(1),
            outcome: Some("ok".into()),
            http_status: Some(200),
            answer: Some("{}".into()),
        };
        let text = String::from_utf8(rows(&[entry(vec![call.clone(), call])], false)).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].len(), HEADER.len());
        assert_eq!(&records[0][2], "'=cmd", "a cell never starts a formula");
        assert_eq!(&records[0][12], "DeleteService");
        assert_eq!(&records[0][16], r#"{"service":"s","force":true}"#);

        let bare = String::from_utf8(rows(&[entry(vec![])], false)).unwrap();
        assert_eq!(bare.lines().count(), 1);
        let header = String::from_utf8(rows(&[], true)).unwrap();
        assert!(header.starts_with("entry,at,user,"));
    }
}
