//! What the Speed view says about the machine: a short form of the browser's user-agent string.

/// A short form of a user-agent string: browser and major version, then the platform
/// (e.g. "Chrome 131 · Linux"). Falls back to the first 40 characters.
pub fn short_user_agent(ua: &str) -> String {
    let version_of = |token: &str| {
        ua.split_whitespace()
            .find_map(|part| part.strip_prefix(token))
            .map(|v| v.split('.').next().unwrap_or(v).to_string())
    };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ]
    .iter()
    .find_map(|(token, name)| version_of(token).map(|v| format!("{name} {v}")));
    let platform = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(token, _)| ua.contains(token))
    .map(|(_, name)| *name);
    match (browser, platform) {
        (Some(b), Some(p)) => format!("{b} · {p}"),
        (Some(b), None) => b,
        _ => ua.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_shorten_to_browser_and_platform() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      HeadlessChrome/131.0.6778.85 Safari/537.36";
        assert_eq!(short_user_agent(chrome), "Headless Chrome 131 · Linux");
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(short_user_agent(firefox), "Firefox 133 · Windows");
        let safari = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                      Version/18.1 Safari/605.1.15";
        assert_eq!(short_user_agent(safari), "Safari 18 · macOS");
        assert_eq!(short_user_agent("curl"), "curl");
    }
}
