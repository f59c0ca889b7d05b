//! Lists read a page at a time. AWS lists at most a page a call with a
//! token for the rest; an emulator may list everything at once. Both are
//! read the same way: cut to the page, the rest reached by AWS's token or by
//! an offset into the emulator's whole list.

/// Where the next page starts: AWS's token, or a place in a list an
/// emulator gave whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageToken {
    Aws(String),
    Offset(usize),
}

impl PageToken {
    pub fn encode(&self) -> String {
        match self {
            PageToken::Aws(token) => format!("t{token}"),
            PageToken::Offset(n) => format!("o{n}"),
        }
    }

    /// AWS's token to send, and where in an emulator's whole list to start.
    pub(super) fn split(token: Option<PageToken>) -> (Option<String>, usize) {
        match token {
            Some(PageToken::Aws(t)) => (Some(t), 0),
            Some(PageToken::Offset(n)) => (None, n),
            None => (None, 0),
        }
    }

    pub fn decode(text: &str) -> Option<PageToken> {
        match text.split_at_checked(1)? {
            ("t", token) if !token.is_empty() && token.len() <= 4096 => {
                Some(PageToken::Aws(token.to_string()))
            }
            ("o", n) => n.parse().ok().map(PageToken::Offset),
            _ => None,
        }
    }
}

/// One page of what a list call gave: AWS's page as it is, or an
/// emulator's whole list cut at `offset`.
pub(super) fn page_of<T>(
    mut items: Vec<T>,
    next: Option<String>,
    offset: usize,
    size: usize,
) -> (Vec<T>, Option<PageToken>) {
    if items.len() <= size && offset == 0 {
        return (items, next.map(PageToken::Aws));
    }
    let rest = items.split_off(offset.min(items.len()));
    let more = rest.len() > size;
    let page: Vec<T> = rest.into_iter().take(size).collect();
    (page, more.then_some(PageToken::Offset(offset + size)))
}
