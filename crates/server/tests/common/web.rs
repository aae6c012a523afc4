//! The web pages as a browser sees them: sign in through the form, read the CSRF token, post forms.

use super::{DEMO_PASSWORD, TestServer};
use reqwest::Client;
use reqwest::header::LOCATION;
use reqwest::multipart::Form;

/// The value of the first hidden `_csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let start = html
        .find(r#"name="_csrf" value=""#)
        .unwrap_or_else(|| panic!("no _csrf field in page:\n{html}"))
        + r#"name="_csrf" value=""#.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Page text with the character references the templates write decoded, as a person reads it.
pub fn decode(html: &str) -> String {
    html.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

pub async fn get(c: &Client, s: &TestServer, path: &str) -> (u16, String) {
    let r = c.get(s.url(path)).send().await.unwrap();
    (r.status().as_u16(), decode(&r.text().await.unwrap()))
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Posts a form; the status, the `Location` and the page.
pub async fn post(
    c: &Client,
    s: &TestServer,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let r = c.post(s.url(path)).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    let to = location(&r);
    (status, to, decode(&r.text().await.unwrap()))
}

/// Posts a multipart form; the status, the `Location` and the page.
pub async fn post_multipart(
    c: &Client,
    s: &TestServer,
    path: &str,
    form: Form,
) -> (u16, String, String) {
    let r = c.post(s.url(path)).multipart(form).send().await.unwrap();
    let status = r.status().as_u16();
    let to = location(&r);
    (status, to, decode(&r.text().await.unwrap()))
}

/// A signed-in browser and the CSRF token of its session.
pub async fn sign_in(s: &TestServer, username: &str) -> (Client, String) {
    let c = s.client();
    let (status, page) = get(&c, s, "/login").await;
    assert_eq!(status, 200);
    let token = csrf_of(&page);
    let (status, _, _) = post(
        &c,
        s,
        "/login",
        &[
            ("_csrf", &token),
            ("username", username),
            ("password", DEMO_PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, 303, "sign in {username}");
    let (status, home) = get(&c, s, "/").await;
    assert_eq!(status, 200, "{home}");
    let csrf = csrf_of(&home);
    (c, csrf)
}
