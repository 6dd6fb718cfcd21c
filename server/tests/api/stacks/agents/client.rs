//! A client that speaks exactly as Mobingi's alm-agent does: form bodies,
//! the `client_credentials` grant with the stack's id and auth token,
//! `Authorization: Bearer <token>`, and only a 200 with a JSON body taken
//! as success.

use reqwest::{header, Method, Response, StatusCode};
use serde_json::Value;

use crate::helpers::*;

/// alm-agent, as far as Overcast sees it.
pub struct AlmAgent {
    client: reqwest::Client,
    base: String,
    stack_id: String,
    bearer: Option<String>,
}

/// A response read as alm-agent reads it: its status and its JSON body
/// (a body that is not JSON fails the test, whatever the status).
pub async fn read(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status}: not a JSON body ({e}): {text}"));
    (status, body)
}

impl AlmAgent {
    pub fn new(app: &TestApp, stack_id: &str) -> Self {
        Self {
            client: app.anonymous_client(),
            base: app.url(""),
            stack_id: stack_id.to_owned(),
            bearer: None,
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let req = self.client.request(method, format!("{}{path}", self.base));
        match &self.bearer {
            Some(b) => req.header(header::AUTHORIZATION, b),
            None => req,
        }
    }

    /// `POST /v3/access_token` with the stack's credentials.
    pub async fn authenticate(&mut self, secret: &str) -> (StatusCode, Value) {
        let res = self
            .request(Method::POST, "/v3/access_token")
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.stack_id.as_str()),
                ("client_secret", secret),
            ])
            .send()
            .await
            .unwrap();
        let (status, body) = read(res).await;
        if status == 200 {
            self.bearer = Some(format!(
                "{} {}",
                body["token_type"].as_str().unwrap(),
                body["access_token"].as_str().unwrap()
            ));
        }
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        read(self.request(Method::GET, path).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        read(
            self.request(Method::POST, path)
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn config(&self, stack_id: &str, flag: &str) -> (StatusCode, Value) {
        self.get(&format!(
            "/v3/alm/agent/config?stack_id={stack_id}&flag={flag}"
        ))
        .await
    }

    pub async fn agent_status(
        &self,
        stack_id: &str,
        agent: &str,
        status: &str,
        instance: &str,
    ) -> (StatusCode, Value) {
        let form = [
            ("stack_id", stack_id),
            ("agent_id", agent),
            ("status", status),
            ("message", ""),
            ("instance_id", instance),
        ];
        self.post("/v3/alm/agent/agent_status", &form).await
    }

    pub async fn container_status(
        &self,
        agent: &str,
        status: &str,
        instance: &str,
    ) -> (StatusCode, Value) {
        let form = [
            ("stack_id", self.stack_id.as_str()),
            ("agent_id", agent),
            ("container_id", ""),
            ("status", status),
            ("instance_id", instance),
        ];
        self.post("/v3/alm/agent/container_status", &form).await
    }
}
