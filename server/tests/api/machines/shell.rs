//! The mist.io shell route: output streamed as `parent.appendShell(...)`
//! chunks as it is produced, escaped so nothing printed can run.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use super::Lab;

/// GETs the shell route and collects (arrival time, chunk) pairs.
pub(crate) async fn shell(
    lab: &Lab,
    b: &str,
    m: &str,
    command: &str,
) -> (u16, Vec<(Duration, String)>) {
    let start = Instant::now();
    let mut res = lab
        .app
        .client
        .get(lab.app.url(&format!("/backends/{b}/machines/{m}/shell")))
        .query(&[
            ("command", command),
            ("host", "127.0.0.1"),
            ("csrf_token", &lab.app.csrf()),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let mut chunks = Vec::new();
    while let Some(chunk) = res.chunk().await.unwrap() {
        chunks.push((
            start.elapsed(),
            String::from_utf8_lossy(&chunk).into_owned(),
        ));
    }
    (status, chunks)
}

pub(crate) fn body(chunks: &[(Duration, String)]) -> String {
    chunks.iter().map(|(_, c)| c.as_str()).collect()
}

#[tokio::test]
async fn output_arrives_line_by_line_as_the_command_prints_it() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let (status, chunks) = shell(
        &lab,
        &b,
        &m,
        "for i in 1 2 3 4; do echo line$i; sleep 0.3; done",
    )
    .await;
    assert_eq!(status, 200);
    let when = |needle: &str| {
        chunks
            .iter()
            .find(|(_, c)| c.contains(needle))
            .map(|(t, _)| *t)
            .unwrap_or_else(|| panic!("{needle} never arrived: {chunks:?}"))
    };
    let (first, last) = (when("line1"), when("line4"));
    assert!(
        last - first >= Duration::from_millis(700),
        "line1 at {first:?}, line4 at {last:?}: not streamed"
    );
    let all = body(&chunks);
    assert!(
        all.contains("\">parent.appendShell('line1\\u000a');</script>"),
        "{all}"
    );
    assert!(
        all.trim_end()
            .ends_with("\">parent.completeShell(0);</script>"),
        "{all}"
    );
    // Each chunk's script carries the answer's nonce (its own CSP allows
    // nothing else to run).
    assert_eq!(
        all.matches("<script nonce=\"").count(),
        all.matches("<script").count(),
        "{all}"
    );
}

#[tokio::test]
async fn compressed_output_still_arrives_line_by_line() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let start = Instant::now();
    let mut res = lab
        .app
        .client
        .get(lab.app.url(&format!("/backends/{b}/machines/{m}/shell")))
        .query(&[
            (
                "command",
                "for i in 1 2 3 4; do echo line$i; sleep 0.3; done",
            ),
            ("host", "127.0.0.1"),
            ("csrf_token", &lab.app.csrf()),
        ])
        .header(reqwest::header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[reqwest::header::CONTENT_ENCODING], "gzip");
    // When each line could first be read from the decoded stream.
    let mut gunzip = crate::compression::Gunzip::new();
    let mut seen: Vec<(Duration, usize)> = Vec::new();
    let mut text = String::new();
    while let Some(chunk) = res.chunk().await.unwrap() {
        text = gunzip.feed(&chunk);
        for n in 1..=4 {
            let shown = text.contains(&format!("appendShell('line{n}"));
            if shown && !seen.iter().any(|(_, k)| *k == n) {
                seen.push((start.elapsed(), n));
            }
        }
    }
    assert!(text.contains("parent.completeShell(0);"), "{text}");
    let at = |n: usize| seen.iter().find(|(_, k)| *k == n).map(|(t, _)| *t).unwrap();
    assert!(
        at(4) - at(1) >= Duration::from_millis(700),
        "line1 at {:?}, line4 at {:?}: held back by compression",
        at(1),
        at(4)
    );
}

#[tokio::test]
async fn what_a_machine_prints_is_shown_never_run_and_exit_codes_and_stderr_come_through() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let (_, chunks) = shell(
        &lab,
        &b,
        &m,
        "printf '%s\\n' \"</script><script>alert('x')</script>\"; echo oops >&2; exit 3",
    )
    .await;
    let all = body(&chunks);
    // One script element per chunk, and the printed markup only escaped.
    assert_eq!(
        all.matches("<script nonce=\"").count(),
        all.matches("</script>").count()
    );
    assert!(!all.contains("alert('x')"), "{all}");
    assert!(
        all.contains("\\u003c\\u002fscript\\u003e\\u003cscript\\u003ealert(\\u0027x\\u0027)"),
        "{all}"
    );
    assert!(all.contains("oops"), "stderr is shown: {all}");
    assert!(all.contains("parent.completeShell(3)"), "{all}");
}

#[tokio::test]
async fn the_shell_refuses_other_hosts_and_reports_what_failed() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let res = lab
        .app
        .client
        .get(lab.app.url(&format!("/backends/{b}/machines/{m}/shell")))
        .query(&[
            ("command", "true"),
            ("host", "10.1.2.3"),
            ("csrf_token", &lab.app.csrf()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "a host that is not the machine's");
    let res = lab
        .app
        .api(
            Method::GET,
            &format!("/backends/{b}/machines/{m}/shell?command="),
            None,
        )
        .await;
    assert_eq!(res.status(), 400, "no command");
    let res = lab
        .app
        .api(
            Method::GET,
            &format!("/backends/{b}/machines/nope/shell?command=true"),
            None,
        )
        .await;
    assert_eq!(res.status(), 404);

    // The machine's sshd goes away: 502 with the reason.
    let port = lab.sshd.port;
    drop(lab.sshd);
    let res = lab
        .app
        .api(
            Method::GET,
            &format!("/backends/{b}/machines/{m}/shell?command=true"),
            None,
        )
        .await;
    assert_eq!(res.status(), 502);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains(&format!("cannot reach 127.0.0.1:{port}")),
        "{err}"
    );

    // Every run is in the audit log with its command.
    let audit: Value = lab
        .app
        .get_json("/v3/audit?action=shell:machine")
        .await
        .json()
        .await
        .unwrap();
    let text = audit.to_string();
    assert!(text.contains("run: true: cannot reach"), "{text}");
    assert!(text.contains("\"outcome\":\"failure\""), "{text}");
}

#[tokio::test]
async fn a_changed_host_key_is_refused_until_someone_accepts_it() {
    let Some(mut lab) = Lab::new().await else {
        return;
    };
    let (b, m) = lab.bare_metal("box").await;
    let before = lab.sshd.host_key();
    lab.sshd.replace_host_key();
    let after = lab.sshd.host_key();
    assert_ne!(before, after);

    let accepted = || lab.sshd.log().matches("Accepted publickey").count();
    let logins_before = accepted();
    let (status, chunks) = shell(&lab, &b, &m, "echo should-not-run").await;
    assert_eq!(status, 409, "{chunks:?}");
    let err: Value = serde_json::from_str(&body(&chunks)).unwrap();
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains(&before.fingerprint) && message.contains(&after.fingerprint),
        "{message}"
    );
    assert_eq!(
        accepted(),
        logins_before,
        "nothing authenticated after the change"
    );

    let detail: Value = lab
        .app
        .get_json(&format!("/backends/{b}/machines/{m}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["changed_host_key"], after.fingerprint);

    let path = format!("/backends/{b}/machines/{m}/host_key");
    let res = lab
        .app
        .api(
            Method::POST,
            &path,
            Some(serde_json::json!({"fingerprint": before.fingerprint})),
        )
        .await;
    assert_eq!(
        res.status(),
        409,
        "only the key that was presented can be accepted"
    );
    let res = lab
        .app
        .api(
            Method::POST,
            &path,
            Some(serde_json::json!({"fingerprint": after.fingerprint})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let (status, chunks) = shell(&lab, &b, &m, "echo runs-now").await;
    assert_eq!(status, 200);
    assert!(body(&chunks).contains("runs-now"));
}

#[tokio::test]
async fn without_any_key_the_shell_says_so() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    assert_eq!(
        lab.app
            .api(Method::DELETE, "/keys/lab", None)
            .await
            .status(),
        200
    );
    let (status, chunks) = shell(&lab, &b, &m, "true").await;
    assert_eq!(status, 409);
    let err: Value = serde_json::from_str(&body(&chunks)).unwrap();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("no key is associated"),
        "{err}"
    );
}
