//! Where a redirect may go when the target comes from the request (the
//! language switch's `back`): only a path on this site.

/// `back` when it is a path (and query) on this site made only of characters
/// a URL needs; anything else is `/`. Browsers drop tabs and newlines from a
/// `Location` and read `\` as `/`, so `/<TAB>/evil.example` would leave the
/// site: such characters are refused, not cleaned.
pub fn local_path(back: &str) -> &str {
    let safe = back.len() <= 2048
        && back.starts_with('/')
        && !back.starts_with("//")
        && back
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:@?".contains(&b))
        && back.parse::<axum::http::uri::PathAndQuery>().is_ok();
    if safe { back } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn local_paths_and_their_queries_are_followed() {
        assert_eq!(local_path("/task-definitions/new"), "/task-definitions/new");
        assert_eq!(
            local_path("/repositories/push-commands?name=web&tag=v1.2"),
            "/repositories/push-commands?name=web&tag=v1.2"
        );
        assert_eq!(local_path("/roles/new?type=task"), "/roles/new?type=task");
    }

    #[test]
    fn anything_that_could_leave_the_site_goes_home() {
        for bad in [
            "//evil.example/x",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\u{b}x",
            "/\u{c}x",
            "/\u{7f}x",
            "/\0x",
            "/ /evil.example",
            "/\u{3000}/evil.example",
            "evil.example",
            "",
            "/#frag\"><script>",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(5000))), "/");
    }
}
