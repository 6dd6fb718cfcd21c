//! Without JavaScript, a row action the server refuses is said beside its
//! row, as the hydrated page says it: the row's button posts the page's one
//! row form with which machine it was (`act`, kept as
//! `__kept.act` on the address the browser is sent back to), and
//! the page marks that row failed with
//! the message instead of saying it above the table. A machine's own page
//! still says its refusal above its actions.

use super::*;

/// Posts the page's row form (no JavaScript) as the button of `action` in
/// the row of `machine` on the page at `from` does; the path and query the
/// browser is sent back to.
async fn plain_act(app: &TestApp, from: &str, machine: &str, action: &str) -> String {
    let html = app.get_page(from).await.text().await.unwrap();
    assert!(
        html.contains(r#"<form id="acts" method="post" action="/api/machines/act""#),
        "the page's one row form"
    );
    assert!(html.contains(r#"name="__keep" value="act""#));
    let value = format!("{action} do-r {machine}");
    let button = format!(r#"<button form="acts" name="act" value="{value}""#);
    assert!(row_of(&html, machine).contains(&button), "{button}");
    post_act(app, from, &[("__keep", "act"), ("act", &value)]).await
}

/// Posts a machine page's plain form of `action` on `machine`.
async fn plain_page_act(app: &TestApp, from: &str, machine: &str, action: &str) -> String {
    let fields = [
        ("__keep", "backend,machine,action"),
        ("backend", "do-r"),
        ("machine", machine),
        ("action", action),
    ];
    post_act(app, from, &fields).await
}

/// Posts `fields` and the CSRF token to `machines/act` from `from`.
async fn post_act(app: &TestApp, from: &str, fields: &[(&str, &str)]) -> String {
    let csrf = app.csrf();
    let mut form = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(fields);
    let res = app
        .client
        .post(app.url("/api/machines/act"))
        .header("accept", "text/html")
        .header("referer", app.url(from))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    location
        .strip_prefix(&app.url(""))
        .unwrap_or(&location)
        .to_owned()
}

/// The refusal's message, as the REST door words it.
async fn refusal(app: &TestApp, machine: &str, action: &str) -> String {
    let res = app
        .api(
            Method::POST,
            &format!("/backends/do-r/machines/{machine}"),
            Some(json!({ "action": action })),
        )
        .await;
    assert!(res.status().is_client_error() || res.status().is_server_error());
    let body: Value = res.json().await.unwrap();
    body["message"].as_str().unwrap().to_owned()
}

/// The markup of the row of `machine`.
fn row_of<'a>(html: &'a str, machine: &str) -> &'a str {
    let start = html
        .find(&format!("data-machine=\"{machine}\""))
        .unwrap_or_else(|| panic!("no row of {machine}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[tokio::test]
async fn a_refused_plain_row_action_is_said_beside_its_row() {
    on_each_engine(|app, engine| async move {
        // A backend that is not enabled: every action on it is refused.
        seed_backend(&app, "do-r", "Refusing", &[Seed::nth(0), Seed::nth(1)]).await;
        let message = refusal(&app, "do-r-m0000", "reboot").await;

        let back = plain_act(&app, "/machines?backend=do-r", "do-r-m0000", "reboot").await;
        assert!(back.starts_with("/machines?backend=do-r"), "{back}");
        assert!(
            back.contains("__kept.act=reboot+do-r+do-r-m0000")
                || back.contains("__kept.act=reboot%20do-r%20do-r-m0000"),
            "{back}"
        );
        let html = app.get_page(&back).await.text().await.unwrap();
        let row = row_of(&html, "do-r-m0000");
        assert!(row.contains("row-status failed"), "{engine}: {row}");
        assert!(
            row.contains("data-testid=\"row-status\""),
            "{engine}: {row}"
        );
        assert!(
            row.contains(&escaped(&message)),
            "{engine}: {message} in {row}"
        );
        assert!(
            !row_of(&html, "do-r-m0001").contains("row-status"),
            "{engine}: only the refused row says it"
        );
        assert!(
            !html.contains("class=\"form-error\""),
            "{engine}: not above the table as well"
        );

        // The refused machine is not on the page shown: above the table.
        let fields = [("__keep", "act"), ("act", "reboot do-r do-r-m0000")];
        let back = post_act(&app, "/machines?backend=do-r&q=web-0001", &fields).await;
        let html = app.get_page(&back).await.text().await.unwrap();
        assert!(html.contains("class=\"form-error\""), "{engine}");
        assert!(html.contains(&escaped(&message)), "{engine}");
        assert!(
            !row_of(&html, "do-r-m0001").contains("row-status"),
            "{engine}"
        );

        // A machine's own page says its refusal above its actions.
        let page = "/machines/do-r/do-r-m0001";
        let message = refusal(&app, "do-r-m0001", "stop").await;
        let back = plain_page_act(&app, page, "do-r-m0001", "stop").await;
        assert!(back.starts_with(page), "{back}");
        let html = app.get_page(&back).await.text().await.unwrap();
        assert!(html.contains("class=\"form-error\""), "{engine}");
        assert!(html.contains(&escaped(&message)), "{engine}: {message}");
    })
    .await;
}
