//! Where a task's container writes with the awslogs driver, and the lines
//! the service page shows: the `aws logs tail` of reference 001.

use crate::model::task_definition::TaskDefinition;

/// An awslogs stream: `{prefix}/{container}/{task id}` in its group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogStream {
    pub group: String,
    pub stream: String,
}

/// The lines a page of the log shows at most; a filter looks through them.
pub const TAIL_LINES: i32 = 500;

impl LogStream {
    /// The stream of `container` in task `task_id` of `definition`; None
    /// when the container does not log with awslogs or has no stream
    /// prefix (then ECS names no stream a page could find).
    pub fn of(definition: &TaskDefinition, container: &str, task_id: &str) -> Option<LogStream> {
        let options = &definition
            .container_definitions
            .iter()
            .find(|c| c.name == container)?
            .awslogs()?
            .options;
        let group = options.get("awslogs-group")?;
        let prefix = options.get("awslogs-stream-prefix")?;
        Some(LogStream {
            group: group.clone(),
            stream: format!("{prefix}/{container}/{task_id}"),
        })
    }

    /// A stream named in a URL is read only when it is a task's stream of
    /// that container (`…/{container}/{task id}`) in a group AWS could hold.
    pub fn checked(group: &str, stream: &str, container: &str, task_id: &str) -> Option<LogStream> {
        let suffix = format!("/{container}/{task_id}");
        let group_ok = (1..=512).contains(&group.len())
            && group
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-/.#".contains(c));
        let stream_ok = stream.len() <= 512 && stream.ends_with(&suffix) && !stream.contains(':');
        (group_ok && stream_ok && !container.is_empty() && !task_id.is_empty()).then(|| LogStream {
            group: group.to_string(),
            stream: stream.to_string(),
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogLine {
    /// `2026-11-29 21:03:06 UTC`
    pub at: String,
    pub message: String,
}

/// The lines that contain `filter` (any case); all lines when it is empty.
pub fn filtered(lines: Vec<LogLine>, filter: &str) -> Vec<LogLine> {
    let needle = filter.trim().to_lowercase();
    if needle.is_empty() {
        return lines;
    }
    lines
        .into_iter()
        .filter(|l| l.message.to_lowercase().contains(&needle))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::import::import;

    #[test]
    fn the_stream_of_a_container_follows_its_prefix() {
        let definition = import(
            r#"{"family":"web","containerDefinitions":[
                {"name":"web","image":"nginx","logConfiguration":{"logDriver":"awslogs",
                 "options":{"awslogs-group":"/ecs/web","awslogs-region":"ap-northeast-1","awslogs-stream-prefix":"ecs"}}},
                {"name":"sidecar","image":"busybox"}]}"#,
        )
        .unwrap()
        .task_definition;
        assert_eq!(
            LogStream::of(&definition, "web", "0123abcd"),
            Some(LogStream {
                group: "/ecs/web".into(),
                stream: "ecs/web/0123abcd".into()
            })
        );
        assert_eq!(LogStream::of(&definition, "sidecar", "0123abcd"), None);
        assert_eq!(LogStream::of(&definition, "db", "0123abcd"), None);
    }

    #[test]
    fn a_stream_named_in_a_url_must_be_the_tasks() {
        assert!(LogStream::checked("/ecs/web", "ecs/web/0123abcd", "web", "0123abcd").is_some());
        assert!(LogStream::checked("/ecs/web", "ecs/db/0123abcd", "web", "0123abcd").is_none());
        assert!(LogStream::checked("/ecs/web", "ecs/web/ffff", "web", "0123abcd").is_none());
        assert!(LogStream::checked("bad group!", "ecs/web/0123abcd", "web", "0123abcd").is_none());
        assert!(LogStream::checked("", "ecs/web/0123abcd", "web", "0123abcd").is_none());
    }

    #[test]
    fn a_filter_keeps_the_lines_that_contain_it() {
        let line = |m: &str| LogLine {
            at: String::new(),
            message: m.into(),
        };
        let lines = vec![line("GET / 200"), line("ERROR boom"), line("error: again")];
        assert_eq!(filtered(lines.clone(), "").len(), 3);
        assert_eq!(filtered(lines.clone(), " Error ").len(), 2);
        assert_eq!(filtered(lines, "nothing").len(), 0);
    }
}
