//! Machines: actions, creation, tags and scripts.

use super::*;

#[tokio::test]
async fn acting_on_a_machine_answers_alike_at_both_doors() {
    let Some(lab) = crate::machines::Lab::new().await else {
        return;
    };
    let (b, m) = lab.bare_metal("box").await;
    let app = &lab.app;
    for (backend, machine, action, status) in [
        (b.as_str(), m.as_str(), "explode", 400),
        (b.as_str(), m.as_str(), "", 400),
        (b.as_str(), m.as_str(), " Reboot now", 400),
        // Bare metal can only reboot: the capability guard's 409.
        (b.as_str(), m.as_str(), "stop", 409),
        (b.as_str(), m.as_str(), "START", 409),
        (b.as_str(), m.as_str(), "destroy", 409),
        (b.as_str(), "no-such-machine", "reboot", 404),
        (b.as_str(), "no-such-machine", "explode", 400),
        ("no-such-backend", m.as_str(), "reboot", 404),
        ("no-such-backend", "no-such-machine", "stop", 404),
    ] {
        let what = format!("{backend} {machine} {action:?}");
        let (page, api) = both(
            app,
            "machines/act",
            &[
                ("backend", backend),
                ("machine", machine),
                ("action", action),
            ],
            (
                Method::POST,
                &format!("/backends/{backend}/machines/{machine}"),
                json!({"action": action}),
            ),
        )
        .await;
        assert_eq!(page.0, status, "{what}: {page:?}");
        assert_eq!(page, api, "{what}");
    }
    // No action named at all.
    let (page, api) = both(
        app,
        "machines/act",
        &[("backend", &b), ("machine", &m)],
        (
            Method::POST,
            &format!("/backends/{b}/machines/{m}"),
            json!({}),
        ),
    )
    .await;
    assert_eq!(page.0, 400, "{page:?}");
    assert_eq!(page, api);
}

#[tokio::test]
async fn creating_a_machine_answers_alike_at_both_doors() {
    let Some(lab) = crate::machines::Lab::new().await else {
        return;
    };
    let (b, _) = lab.bare_metal("box").await;
    let app = &lab.app;
    let full = [
        ("name", "web"),
        ("size", "s"),
        ("image", "i"),
        ("location", "l"),
    ];
    let mut cases: Vec<(String, Form, u16)> = Vec::new();
    // Each required field missing, then blank, on a real backend.
    for (i, (field, _)) in full.iter().enumerate() {
        let mut missing = full.to_vec();
        missing.remove(i);
        cases.push((b.clone(), missing, 400));
        let mut blank = full.to_vec();
        blank[i] = (field, "  ");
        cases.push((b.clone(), blank, 400));
    }
    // A key that is not there.
    let mut unknown_key = full.to_vec();
    unknown_key.push(("key", "no-such-key"));
    cases.push((b.clone(), unknown_key, 400));
    // A script too long, or blank (no script at all, so on to the backend).
    let long = "x".repeat(64 * 1024 + 1);
    let mut long_script = full.to_vec();
    long_script.push(("script", &long));
    cases.push((b.clone(), long_script, 400));
    // No such backend; a bare-metal backend, which creates nothing.
    cases.push(("no-such-backend".into(), full.to_vec(), 404));
    let mut blank_script = full.to_vec();
    blank_script.push(("script", " \n "));
    blank_script.push(("key", ""));
    cases.push((b.clone(), blank_script, 409));
    cases.push((b.clone(), full.to_vec(), 409));
    for (backend, form, status) in &cases {
        let mut page_form = vec![("backend", backend.as_str())];
        page_form.extend(form.iter().copied());
        let body: serde_json::Map<String, Value> = form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        let what = format!(
            "{backend} {:?}",
            form.iter().map(|(k, v)| (k, v.len())).collect::<Vec<_>>()
        );
        let (page, api) = both(
            app,
            "machines/create",
            &page_form,
            (
                Method::POST,
                &format!("/backends/{backend}/machines"),
                Value::Object(body),
            ),
        )
        .await;
        assert_eq!(page.0, *status, "{what}: {page:?}");
        assert_eq!(page, api, "{what}");
    }
}

#[tokio::test]
async fn tagging_a_machine_answers_alike_at_both_doors() {
    let Some(lab) = crate::machines::Lab::new().await else {
        return;
    };
    let (b, m) = lab.bare_metal("box").await;
    let app = &lab.app;
    let long = format!("env={}", "x".repeat(125));
    for (backend, machine, tags, status) in [
        (b.as_str(), m.as_str(), vec![long.as_str()], 400),
        (b.as_str(), m.as_str(), vec!["web", "a\u{1}b"], 400),
        (b.as_str(), m.as_str(), vec!["bell\u{7}"], 400),
        (b.as_str(), "no-such-machine", vec![long.as_str()], 400),
        (b.as_str(), "no-such-machine", vec!["web"], 404),
        ("no-such-backend", "no-such-machine", vec!["web"], 404),
        // Bare metal has no tags: the capability guard's 409.
        (b.as_str(), m.as_str(), vec!["env=prod", "web"], 409),
        (b.as_str(), m.as_str(), vec![], 409),
    ] {
        let what = format!("{backend} {machine} {tags:?}");
        let joined = tags.join(",");
        let page = answer(
            app.server_fn(
                "machines/tags",
                &[
                    ("backend", backend),
                    ("machine", machine),
                    ("tags", &joined),
                ],
                Some(&app.csrf()),
            )
            .await,
        )
        .await;
        assert_eq!(page.0, status, "{what}: {page:?}");
        let path = format!("/backends/{backend}/machines/{machine}/tags");
        // The REST door takes a list, or the page's comma-separated text.
        for body in [json!({"tags": tags}), json!({"tags": joined})] {
            let api = answer(app.api(Method::PUT, &path, Some(body.clone())).await).await;
            assert_eq!(page, api, "{what}: {body}");
        }
    }
    // What only JSON can send is judged by the service too.
    for tags in [json!(5), json!(["web", 1]), json!({"env": "prod"})] {
        let path = format!("/backends/{b}/machines/{m}/tags");
        let (status, body) = answer(
            app.api(Method::PUT, &path, Some(json!({"tags": tags})))
                .await,
        )
        .await;
        assert_eq!(status, 400, "{tags}: {body}");
        assert_eq!(body["field"], "tags", "{tags}: {body}");
    }
}

#[tokio::test]
async fn starting_a_script_answers_alike_at_both_doors() {
    let Some(lab) = crate::machines::Lab::new().await else {
        return;
    };
    let (b, m) = lab.bare_metal("box").await;
    let app = &lab.app;
    let long = format!("#!/bin/sh\n{}", "#".repeat(64 * 1024));
    for (backend, machine, script, status) in [
        (b.as_str(), m.as_str(), "", 400),
        (b.as_str(), m.as_str(), " \r\n\t", 400),
        (b.as_str(), m.as_str(), long.as_str(), 400),
        (b.as_str(), "no-such-machine", "echo hi", 404),
        ("no-such-backend", m.as_str(), "echo hi", 404),
        (b.as_str(), "no-such-machine", "", 400),
    ] {
        let what = format!("{backend} {machine} {} bytes", script.len());
        let (page, api) = both(
            app,
            "scripts/start",
            &[
                ("backend", backend),
                ("machine", machine),
                ("script", script),
            ],
            (
                Method::POST,
                &format!("/backends/{backend}/machines/{machine}/scripts"),
                json!({"script": script}),
            ),
        )
        .await;
        assert_eq!(page.0, status, "{what}: {page:?}");
        assert_eq!(page, api, "{what}");
    }
}
